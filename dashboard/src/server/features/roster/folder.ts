/**
 * The scheduled import: a folder the MIS connector (Wonde, an SFTP drop, a script) writes a
 * OneRoster export to, as a zip or the CSV files. Read at start and then every interval; an
 * unchanged folder is skipped, and a refused export leaves the roster as it was.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { onceAcrossNodes, soleNode, type Lease } from '../../core/cluster.js';
import type { Db } from '../../db/database.js';
import { HarbourError } from '../../core/errors.js';
import { onlySchool } from '../../core/schools.js';
import { contentHash, importRoster, lastFolderHash, recordRefusal, refusedResult } from './import.js';
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

  async function runOnce(): Promise<'imported' | 'refused' | 'unchanged' | 'empty'> {
    let files: Map<string, Buffer> | null;
    try {
      files = await readFolder(dir);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log.warn({ dir, reason: message }, 'the roster folder could not be read');
      const hash = `unreadable:${message}`;
      if ((await lastFolderHash(db)) !== hash) {
        await recordRefusal(db, {
          source: 'folder',
          actor: 'system',
          hash,
          result: refusedResult([{ file: dir, line: 0, field: null, message }]),
          schoolId: await onlySchool(db),
        });
      }
      return 'refused';
    }
    if (!files) return 'empty';
    if ((await lastFolderHash(db)) === contentHash(files)) return 'unchanged';
    // The folder is one school's export: it is imported only while the trust has one school.
    const schoolId = await onlySchool(db);
    if (schoolId === null) {
      const message =
        'The roster folder is one school’s, and the trust has several: upload each school’s roster.';
      log.warn({ dir }, message);
      await recordRefusal(db, {
        source: 'folder',
        actor: 'system',
        hash: contentHash(files),
        result: refusedResult([{ file: dir, line: 0, field: null, message }]),
        schoolId: null,
      });
      return 'refused';
    }
    const { ok, result } = await importRoster(db, files, 'folder', 'system', schoolId);
    if (ok)
      log.info({ dir, pupils: result.pupils, changes: result.changes }, 'roster imported from the folder');
    else log.warn({ dir, errors: result.errors, first: result.problems[0] }, 'roster in the folder refused');
    return ok ? 'imported' : 'refused';
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
