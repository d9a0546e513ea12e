/**
 * The roster (issue 17, item 4): pupils with their computer login names, classes with a year
 * group and key stage, the staff who teach them, imported from OneRoster 1.1 CSV by upload or
 * from a folder. Tables `roster_pupils`, `roster_logins`, `roster_classes`,
 * `roster_class_pupils`, `roster_staff`, `roster_class_staff`, `roster_imports`.
 * Other features turn a login into a person through `people` (tiles, records, the register),
 * always with where it was used: a login is one pupil's within a school (migration 0019).
 */
import type { AupMatchRule, Person } from '@harbour/shared';
import type { Logger } from 'pino';
import type { ServerFeature } from '../../core/feature.js';
import type { Lease } from '../../core/cluster.js';
import type { Db } from '../../db/database.js';
import type { DevicesFeature } from '../devices/index.js';
import { folderImporter } from './folder.js';
import {
  loginsWithKeyStage,
  peopleForLogins,
  type LoginSeen,
  type PeopleFound,
} from './roster.repository.js';
import { rosterRoutes } from './roster.routes.js';

export { normaliseLogin } from './oneroster.js';
export { classesTaughtBy, classRoom, pupilsByKey } from './roster.repository.js';
export type { LoginSeen, PeopleFound } from './roster.repository.js';

/**
 * The live pupil behind each login where it was seen (a computer's room, or a record's
 * school); a login nobody there has is `known: false`.
 */
export function peopleOf(db: Db, seen: readonly LoginSeen[]): Promise<PeopleFound> {
  return peopleForLogins(db, seen);
}

/**
 * The person behind one login in a record of `schoolId` (null: a record of no school, when
 * only a login one pupil in the trust has names anyone), read in the caller's transaction.
 */
export async function personOf(db: Db, login: string, schoolId: number | null): Promise<Person> {
  const seen = { login, schoolId };
  return (await peopleForLogins(db, [seen])).of(seen);
}

export interface RosterFeature extends ServerFeature {
  /**
   * The live pupil behind each OS login where it was seen (its computer's room, or a record's
   * school); a login nobody there has is `known: false`.
   */
  people(seen: readonly LoginSeen[]): Promise<PeopleFound>;
  /**
   * AUP audience rules from the roster for a computer of `schoolId`: each of that school's
   * pupils' logins to the audience of their key stage (`ks1` for EYFS and KS1, `ks2` for KS2),
   * for the audiences the trust has. Another school's pupil with the same login is another
   * child, of another year, so each school's computers get their own school's rules.
   */
  audienceRules(audiences: ReadonlySet<string>, schoolId: number): Promise<AupMatchRule[]>;
  /** Called after every import that changed the roster. */
  onImported(listener: () => void): void;
  /** Runs the folder import now (tests and the admin's "import now"). */
  importFolderNow(): Promise<'imported' | 'refused' | 'unchanged' | 'empty' | 'no_folder'>;
}

export function rosterFeature(deps: {
  db: Db;
  log: Logger;
  devices: DevicesFeature;
  /** HARBOUR_ROSTER_DIR: a folder to import a OneRoster export from on a schedule. */
  folder?: { dir: string; intervalMinutes: number } | undefined;
  lease?: Lease;
}): RosterFeature {
  const { db } = deps;
  const listeners: (() => void)[] = [];
  const imported = () => {
    for (const listener of listeners) listener();
  };
  const folder =
    deps.folder && folderImporter({ db, log: deps.log, ...deps.folder, imported, lease: deps.lease });
  const people = (seen: readonly LoginSeen[]) => peopleForLogins(db, seen);

  // Every tile and inventory row shows the person at the computer (a pupil of the computer's
  // school), not just the login name.
  deps.devices.decorate(async (devices) => {
    const found = await people(devices.flatMap((d) => (d.user ? [{ login: d.user, roomId: d.roomId }] : [])));
    for (const d of devices) d.person = d.user ? found.of({ login: d.user, roomId: d.roomId }) : null;
  });

  return {
    name: 'roster',
    people,
    async audienceRules(audiences, schoolId) {
      const audienceOf = (keyStage: string | null) =>
        keyStage === 'KS2' ? 'ks2' : keyStage === 'KS1' || keyStage === 'EYFS' ? 'ks1' : null;
      return (await loginsWithKeyStage(db, schoolId)).flatMap(({ login, keyStage }) => {
        const audience = audienceOf(keyStage);
        return audience && audiences.has(audience)
          ? [{ kind: 'username' as const, pattern: login, audience }]
          : [];
      });
    },
    onImported: (listener) => listeners.push(listener),
    async importFolderNow() {
      return folder ? folder.runOnce() : 'no_folder';
    },
    routes(app) {
      rosterRoutes(app, { db, folder: deps.folder?.dir ?? null, imported });
    },
    start() {
      folder?.start();
    },
    async stop() {
      await folder?.stop();
    },
  };
}
