/**
 * The roster (issue 17, item 4): pupils with their computer login names, classes with a year
 * group and key stage, the staff who teach them, imported from OneRoster 1.1 CSV by upload or
 * from a folder. Tables `roster_pupils`, `roster_logins`, `roster_classes`,
 * `roster_class_pupils`, `roster_staff`, `roster_class_staff`, `roster_imports`.
 * Other features turn a login into a person through `people` (tiles, records, the register).
 */
import type { Person } from '@harbour/shared';
import type { Logger } from 'pino';
import type { ServerFeature } from '../../core/feature.js';
import type { Db } from '../../db/database.js';
import type { DevicesFeature } from '../devices/index.js';
import { folderImporter } from './folder.js';
import { classRoomsOf, peopleForLogins, unknownPerson } from './roster.repository.js';
import { rosterRoutes } from './roster.routes.js';

export { normaliseLogin } from './oneroster.js';
export { classesTaughtBy } from './roster.repository.js';

export interface RosterFeature extends ServerFeature {
  /** The live pupil behind each OS login; a login nobody on the roster has is `known: false`. */
  people(logins: readonly string[]): Promise<Map<string, Person>>;
  person(login: string | null): Promise<Person | null>;
  /** Rooms a member of staff teaches a class in (by their account's email). */
  classRooms(email: string): Promise<string[]>;
  /** Runs the folder import now (tests and the admin's "import now"). */
  importFolderNow(): Promise<'imported' | 'refused' | 'unchanged' | 'empty' | 'no_folder'>;
}

export function rosterFeature(deps: {
  db: Db;
  log: Logger;
  devices: DevicesFeature;
  /** HARBOUR_ROSTER_DIR: a folder to import a OneRoster export from on a schedule. */
  folder?: { dir: string; intervalMinutes: number } | undefined;
}): RosterFeature {
  const { db } = deps;
  const folder = deps.folder && folderImporter({ db, log: deps.log, ...deps.folder });
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
    classRooms: (email) => classRoomsOf(db, email),
    async importFolderNow() {
      return folder ? folder.runOnce() : 'no_folder';
    },
    routes(app) {
      rosterRoutes(app, { db, folder: deps.folder?.dir ?? null });
    },
    start() {
      folder?.start();
    },
    async stop() {
      await folder?.stop();
    },
  };
}
