/**
 * The scheduled import: a folder the MIS connector (Wonde, an SFTP drop, a script) writes a
 * OneRoster export to, as a zip or the CSV files. Read at start and then every interval; an
 * unchanged folder is skipped, and a refused export leaves the roster as it was. A trust of
 * several schools gives each school a folder of its own inside it, named by the school's code.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { onceAcrossNodes, soleNode, type Lease } from '../../core/cluster.js';
import type { Db } from '../../db/database.js';
import { HarbourError } from '../../core/errors.js';
import { listSchools, onlySchool } from '../../core/schools.js';
import {
  contentHash,
  folderHashSeen,
  importRoster,
  lastFolderHash,
  recordRefusal,
  refusedResult,
} from './import.js';
import { rosterFiles, rosterLimits } from './oneroster.js';
import { isZip, readZip } from './zip.js';

async function readFolder(dir: string): Promise<Map<string, Buffer> | null> {
  const names = await fs.readdir(dir);
  const zips = names.filter((n) => n.toLowerCase().endsWith('.zip')).sort();
  if (zips.length > 0) {
    // The newest by name (exports are usually dated); the files beside it are ignored.
    const file = path.join(dir, zips[zips.length - 1]!);
    const stat = await fs.stat(file);
    if (stat.size > rosterLimits.totalBytes)
      throw new HarbourError('validation_failed', `${file} is too large.`);
    const data = await fs.readFile(file);
    if (!isZip(data)) throw new HarbourError('validation_failed', `${file} is not a zip file.`);
    return readZip(data);
  }
  const wanted = new Set(rosterFiles.map((f) => f.toLowerCase()));
  const files = new Map<string, Buffer>();
  for (const name of names) {
    if (!wanted.has(name.toLowerCase())) continue;
    const file = path.join(dir, name);
    const stat = await fs.stat(file);
    if (!stat.isFile()) continue;
    if (stat.size > rosterLimits.fileBytes)
      throw new HarbourError('validation_failed', `${file} is too large.`);
    files.set(name.toLowerCase(), await fs.readFile(file));
  }
  return files.size > 0 ? files : null;
}

type Outcome = 'imported' | 'refused' | 'unchanged' | 'empty';

/** What one look at the folder did, over every school's export in it: a refusal counts first. */
function overall(outcomes: Outcome[]): Outcome {
  for (const o of ['refused', 'imported', 'unchanged'] as const) if (outcomes.includes(o)) return o;
  return 'empty';
}

export function folderImporter(deps: {
  db: Db;
  log: Logger;
  dir: string;
  intervalMinutes: number;
  imported: () => void;
  /** One node of several looks at the folder each time (default: this one). */
  lease?: Lease | undefined;
}) {
  const { db, log, dir } = deps;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  /** Records a refusal unless the last one for the same school said the same (or, for no school, ever). */
  async function refuse(
    at: string,
    hash: string,
    message: string,
    schoolId: number | null,
  ): Promise<'refused'> {
    log.warn({ dir: at, reason: message }, 'the roster folder was refused');
    const seen =
      schoolId === null ? await folderHashSeen(db, hash) : (await lastFolderHash(db, schoolId)) === hash;
    if (!seen)
      await recordRefusal(db, {
        source: 'folder',
        actor: 'system',
        hash,
        result: refusedResult([{ file: at, line: 0, field: null, message }]),
        schoolId,
      });
    return 'refused';
  }

  /** One school's export, in `at` (the folder itself, or the school's own folder in it). */
  async function importInto(at: string, files: Map<string, Buffer>, schoolId: number): Promise<Outcome> {
    if ((await lastFolderHash(db, schoolId)) === contentHash(files)) return 'unchanged';
    const { ok, result } = await importRoster(db, files, 'folder', 'system', schoolId);
    if (ok)
      log.info(
        { dir: at, school: schoolId, pupils: result.pupils, changes: result.changes },
        'roster imported from the folder',
      );
    else
      log.warn(
        { dir: at, school: schoolId, errors: result.errors, first: result.problems[0] },
        'roster in the folder refused',
      );
    return ok ? 'imported' : 'refused';
  }

  /**
   * The schools' own folders, named by their codes (HARBOUR_ROSTER_DIR/<code>/): each imported
   * into its school alone, so one school's bad export leaves the others' imports as they are.
   * A folder that names no school is refused and recorded for the trust (once per content).
   */
  async function schoolFolders(): Promise<Outcome> {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    const folders = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.'));
    if (folders.length === 0) return 'empty';
    const schools = await listSchools(db);
    const outcomes: Outcome[] = [];
    for (const folder of folders.sort((a, b) => a.name.localeCompare(b.name))) {
      const at = path.join(dir, folder.name);
      // Exactly the code, else the one school whose code it is in another case (a Windows share
      // keeps the case it was typed in).
      const inAnyCase = schools.filter((s) => s.code.toLowerCase() === folder.name.toLowerCase());
      const school =
        schools.find((s) => s.code === folder.name) ?? (inAnyCase.length === 1 ? inAnyCase[0] : undefined);
      let files: Map<string, Buffer> | null;
      try {
        files = await readFolder(at);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        outcomes.push(await refuse(at, `unreadable:${folder.name}:${message}`, message, school?.id ?? null));
        continue;
      }
      if (!files) {
        outcomes.push('empty');
        continue;
      }
      if (!school) {
        const message = `The roster folder "${folder.name}" is not the code of any of the trust’s schools: name each school’s folder by its code.`;
        outcomes.push(await refuse(at, `no-school:${folder.name}:${contentHash(files)}`, message, null));
        continue;
      }
      outcomes.push(await importInto(at, files, school.id));
    }
    return overall(outcomes);
  }

  async function runOnce(): Promise<Outcome> {
    let files: Map<string, Buffer> | null;
    try {
      files = await readFolder(dir);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return refuse(dir, `unreadable:${message}`, message, await onlySchool(db));
    }
    // No export in the folder itself: a trust's layout, one folder per school.
    if (!files) return schoolFolders();
    // An export in the folder itself is one school's: imported only while the trust has one school.
    const schoolId = await onlySchool(db);
    if (schoolId === null)
      return refuse(
        dir,
        contentHash(files),
        'The roster folder holds one school’s export, and the trust has several: put each school’s export in a folder named by its code.',
        null,
      );
    return importInto(dir, files, schoolId);
  }

  const tick = () => {
    running ??= onceAcrossNodes(deps.lease ?? soleNode, 'roster-folder', deps.intervalMinutes * 60_000, () =>
      runOnce().then(() => undefined),
    )()
      .catch((error: unknown) => log.error({ err: error, dir }, 'roster folder import failed'))
      .finally(() => (running = undefined));
    return running;
  };

  return {
    runOnce,
    start() {
      void tick();
      timer = setInterval(() => void tick(), deps.intervalMinutes * 60_000);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
