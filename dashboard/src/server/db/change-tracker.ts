/**
 * Knows when a table may have changed, so that a costly read (the governors' report) can
 * be kept until it does. Two sources:
 * - every INSERT, UPDATE and DELETE that goes through this Kysely instance (or a
 *   transaction of it) is seen by the plugin before it runs, whichever service wrote it;
 * - SQLite's `data_version`, which changes when another connection commits to the file
 *   (a second process, an administrator's sqlite3 shell).
 * A version is only ever compared for equality. It may change when nothing did (a write
 * that was rolled back), never the other way round.
 */
import {
  AliasNode,
  TableNode,
  type KyselyPlugin,
  type OperationNode,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';

export class ChangeTracker implements KyselyPlugin {
  private readonly writes = new Map<string, number>();

  /** `external` reads a counter that changes when another connection commits (SQLite's data_version). */
  constructor(private readonly external: () => number = () => 0) {}

  /** A value that differs from any earlier one for `table` once it may have changed. Read it before reading the table. */
  version(table: string): string {
    return `${this.writes.get(table) ?? 0}:${this.external()}`;
  }

  transformQuery({ node }: PluginTransformQueryArgs): RootOperationNode {
    for (const table of writtenTables(node)) this.writes.set(table, (this.writes.get(table) ?? 0) + 1);
    return node;
  }

  transformResult({ result }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(result);
  }
}

/** The tables an INSERT, UPDATE or DELETE writes; none for anything else. */
export function writtenTables(node: RootOperationNode): string[] {
  switch (node.kind) {
    case 'InsertQueryNode':
      return tableNames(node.into);
    case 'UpdateQueryNode':
      return tableNames(node.table);
    case 'DeleteQueryNode':
      return node.from.froms.flatMap(tableNames);
    default:
      return [];
  }
}

function tableNames(node: OperationNode | undefined): string[] {
  if (!node) return [];
  if (TableNode.is(node)) return [node.table.identifier.name];
  if (AliasNode.is(node)) return tableNames(node.node);
  return [];
}

const trackers = new WeakMap<object, ChangeTracker>();

/** Registers the tracker of a database opened by openDatabase. */
export function registerChangeTracker(db: object, tracker: ChangeTracker): void {
  trackers.set(db, tracker);
}

/** The tracker of `db`, or undefined (a Kysely instance not made by openDatabase: nothing is cached). */
export function changeTrackerOf(db: object): ChangeTracker | undefined {
  return trackers.get(db);
}
