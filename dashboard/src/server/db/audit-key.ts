/**
 * The audit trail's key travels with the database handle as a (do-nothing) Kysely plugin,
 * because plugins are the one thing every transaction made from a handle inherits: a
 * feature that writes an audit entry inside its own transaction needs no extra parameter.
 */
import type { Kysely, KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs } from 'kysely';

export class AuditKeyPlugin implements KyselyPlugin {
  constructor(readonly key: Buffer) {}
  transformQuery(args: PluginTransformQueryArgs) {
    return args.node;
  }
  transformResult(args: PluginTransformResultArgs) {
    return Promise.resolve(args.result);
  }
}

/** The audit key of a handle opened with one (or any transaction made from it). */
export function auditKeyOf(db: Kysely<never> | Kysely<unknown> | object): Buffer | undefined {
  // getExecutor() is marked internal in Kysely's typings, but it is how a transaction
  // carries its parent's plugins; the unit test of this file fails if that ever changes.
  const executor = (db as { getExecutor?: () => { plugins: readonly KyselyPlugin[] } }).getExecutor?.();
  const plugin = executor?.plugins.find((p): p is AuditKeyPlugin => p instanceof AuditKeyPlugin);
  return plugin?.key;
}
