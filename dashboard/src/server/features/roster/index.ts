/**
 * The roster (issue 17, item 4): pupils with their computer login names, classes with a year
 * group and key stage, the staff who teach them, imported from OneRoster 1.1 CSV by upload or
 * from a folder. Tables `roster_pupils`, `roster_logins`, `roster_classes`,
 * `roster_class_pupils`, `roster_staff`, `roster_class_staff`, `roster_imports`.
 * Other features turn a login into a person through `people` (tiles, records, the register).
 */
import type { AupMatchRule, Person } from '@harbour/shared';
import type { Logger } from 'pino';
import type { ServerFeature } from '../../core/feature.js';
import type { Lease } from '../../core/cluster.js';
import type { Db } from '../../db/database.js';
import type { DevicesFeature } from '../devices/index.js';
import { folderImporter } from './folder.js';
import { loginsWithKeyStage, peopleForLogins, unknownPerson } from './roster.repository.js';
import { rosterRoutes } from './roster.routes.js';

export { normaliseLogin } from './oneroster.js';
export { classesTaughtBy, classRoom, pupilByKey } from './roster.repository.js';

/** The live pupil behind each login; a login nobody on the roster has is `known: false`. */
export function peopleOf(db: Db, logins: readonly string[]): Promise<Map<string, Person>> {
  return peopleForLogins(db, logins);
}

/** The person behind one login, read in the caller's transaction (a record being made). */
export async function personOf(db: Db, login: string): Promise<Person> {
  return (await peopleForLogins(db, [login])).get(login) ?? unknownPerson;
}

export interface RosterFeature extends ServerFeature {
  /** The live pupil behind each OS login; a login nobody on the roster has is `known: false`. */
  people(logins: readonly string[]): Promise<Map<string, Person>>;
  person(login: string | null): Promise<Person | null>;
  /**
   * AUP audience rules from the roster: each pupil's logins to the audience of their key stage
   * (`ks1` for EYFS and KS1, `ks2` for KS2), for the audiences the school has.
   */
  audienceRules(audiences: ReadonlySet<string>): Promise<AupMatchRule[]>;
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
  const people = (logins: readonly string[]) => peopleForLogins(db, logins);

  // Every tile and inventory row shows the person at the computer, not just the login name.
  deps.devices.decorate(async (devices) => {
    const found = await people(devices.flatMap((d) => (d.user ? [d.user] : [])));
    for (const d of devices) d.person = d.user ? (found.get(d.user) ?? unknownPerson) : null;
  });

  return {
    name: 'roster',
    people,
    async person(login) {
      if (!login) return null;
      return (await people([login])).get(login) ?? unknownPerson;
    },
    async audienceRules(audiences) {
      const audienceOf = (keyStage: string | null) =>
        keyStage === 'KS2' ? 'ks2' : keyStage === 'KS1' || keyStage === 'EYFS' ? 'ks1' : null;
      return (await loginsWithKeyStage(db)).flatMap(({ login, keyStage }) => {
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
