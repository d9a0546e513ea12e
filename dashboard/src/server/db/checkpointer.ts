/**
 * SQLite's WAL checkpoints on a thread of their own.
 *
 * In WAL mode every commit appends its pages to the WAL, and by default the commit that takes
 * the WAL past 1,000 pages also copies it back into the database file and syncs it to disk
 * (a checkpoint). better-sqlite3 is synchronous, so that commit, and with it the whole server,
 * waited for the copy and the disk: at 10,000 agents that was a checkpoint every commit or
 * two, and each agent event's storing took twice as long as without (bench/probe notes in
 * docs/benchmarks.md). Here the server's connection never checkpoints itself; a worker thread,
 * on a connection of its own, checkpoints in PASSIVE mode, which never holds writers up: they
 * go on appending to the WAL while it copies.
 *
 * A PASSIVE checkpoint does not start the WAL again from its beginning: the next commit does,
 * but only if every page in it has been copied back. With writers appending all the time the
 * copy never quite catches up, and the file would grow without end (a test measured 175 MB
 * for 12 MB of rows). SQLite's RESTART checkpoint would block the server's connection, and a
 * busy connection rarely wins the lock from it anyway. Instead, once the WAL is past
 * `restartPages`, the group commit (db/group-commit.ts) holds its next transaction, without
 * blocking the event loop, until the worker's next checkpoint is done: with nothing written in
 * between, that copies everything, and the next commit writes the WAL from its beginning;
 * `journal_size_limit` then cuts the file back.
 *
 * If the worker cannot start or ends for any reason, the server's connection goes back to
 * checkpointing itself (SQLite's default), so the WAL never grows unchecked.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';
import type { Logger } from 'pino';

export interface CheckpointerOptions {
  /** How often the worker checkpoints (ms). */
  everyMs?: number;
  /** WAL size (pages) past which the worker also restarts the WAL. */
  restartPages?: number;
}

/** SQLite's answer to `wal_checkpoint`: still busy (1) or not, WAL pages, pages copied back. */
export interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

export interface Checkpointer {
  /** Whether the worker is checkpointing (false: the server's connection does it itself). */
  readonly running: boolean;
  /** Resolves after a checkpoint run now by the worker, with its result. */
  checkpoint(): Promise<CheckpointResult>;
  /**
   * Before the next write transaction: a checkpoint to wait for when the WAL has grown past
   * `restartPages`, so that the transaction starts the WAL afresh; otherwise undefined.
   */
  beforeWrite(): Promise<unknown> | undefined;
  /** Ends the worker; the server's connection checkpoints itself again. */
  stop(): Promise<void>;
  /** Ends the worker at once, wherever it is, as a crash would (tests). */
  kill(): Promise<void>;
}

/** SQLite's default: a commit that takes the WAL past this many pages checkpoints it. */
const defaultAutocheckpoint = 1000;

// The worker's code, run as CommonJS (`eval`) so that it works the same from the built
// server and from its TypeScript sources under the tests; it loads the same better-sqlite3.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const SQLite = require(workerData.module);
const db = new SQLite(workerData.file, { fileMustExist: true });
// Never wait for the server's connection: a busy checkpoint is tried again next time.
db.pragma('busy_timeout = 0');
const run = (mode) => db.pragma('wal_checkpoint(' + mode + ')')[0];
function checkpoint() {
  const result = run('PASSIVE');
  if (result.log > workerData.restartPages) parentPort.postMessage({ type: 'large' });
  return result;
}
const timer = setInterval(() => {
  try { checkpoint(); } catch (error) { parentPort.postMessage({ type: 'failed', message: String(error) }); }
}, workerData.everyMs);
parentPort.on('message', (message) => {
  if (message === 'checkpoint') {
    try { parentPort.postMessage({ type: 'checkpointed', result: checkpoint() }); }
    catch (error) { parentPort.postMessage({ type: 'checkpointed', error: String(error) }); }
  } else if (message === 'stop') {
    clearInterval(timer);
    db.close();
    parentPort.close();
  }
});
`;

export function startCheckpointer(
  sqlite: SQLite.Database,
  file: string,
  logger: Logger,
  options: CheckpointerOptions = {},
): Checkpointer {
  const everyMs = options.everyMs ?? 200;
  const restartPages = options.restartPages ?? 4096;
  let running = false;
  let worker: Worker | undefined;
  let large = false;
  let settling: Promise<unknown> | undefined;
  const waiting: { resolve: (result: CheckpointResult) => void; reject: (error: Error) => void }[] = [];
  /** The server's connection checkpoints its WAL itself again, as SQLite does by default. */
  const checkpointItself = () => {
    if (sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${defaultAutocheckpoint}`);
  };
  const selfCheckpointing = (why: string) => {
    if (!running && worker === undefined) return;
    running = false;
    worker = undefined;
    for (const asked of waiting.splice(0)) asked.reject(new Error(`the checkpoint thread stopped: ${why}`));
    checkpointItself();
    logger.warn({ reason: why }, 'the WAL checkpoint thread stopped: the database checkpoints itself');
  };
  try {
    worker = new Worker(workerSource, {
      eval: true,
      workerData: {
        module: createRequire(import.meta.url).resolve('better-sqlite3'),
        file,
        everyMs,
        restartPages,
      },
    });
    // A thread of the server's own: it must not keep a process alive that is otherwise done.
    worker.unref();
    sqlite.pragma('wal_autocheckpoint = 0');
    // The WAL file is cut back to this when it starts again (it keeps its largest size otherwise).
    sqlite.pragma(`journal_size_limit = ${restartPages * 4096 * 2}`);
    running = true;
    worker.on(
      'message',
      (message: { type: string; message?: string; result?: CheckpointResult; error?: string }) => {
        if (message.type === 'checkpointed') {
          const asked = waiting.shift();
          if (message.result) asked?.resolve(message.result);
          else asked?.reject(new Error(message.error));
        } else if (message.type === 'large') large = true;
        else if (message.type === 'failed') logger.warn({ err: message.message }, 'a WAL checkpoint failed');
      },
    );
    worker.on('error', (error) => selfCheckpointing(error.message));
    worker.on('exit', (code) => {
      if (running) selfCheckpointing(`exit ${code}`);
    });
  } catch (error) {
    worker = undefined;
    logger.warn({ err: String(error) }, 'no WAL checkpoint thread: the database checkpoints itself');
  }
  const checkpoint = (): Promise<CheckpointResult> => {
    if (!running || !worker) return Promise.reject(new Error('the checkpoint thread is not running'));
    const w = worker;
    return new Promise((resolve, reject) => {
      waiting.push({ resolve, reject });
      w.postMessage('checkpoint');
    });
  };
  return {
    get running() {
      return running;
    },
    beforeWrite() {
      if (!large || !running) return settling;
      large = false;
      // Once: every write waiting meanwhile waits for the same checkpoint.
      settling = checkpoint()
        .catch(() => undefined)
        .finally(() => {
          settling = undefined;
        });
      return settling;
    },
    checkpoint,
    async kill() {
      await worker?.terminate();
    },
    async stop() {
      const w = worker;
      if (!w || !running) return;
      running = false;
      worker = undefined;
      const exited = new Promise((resolve) => w.once('exit', resolve));
      // Waited for now: unreferenced, the process could end before the worker closes its connection.
      w.ref();
      w.postMessage('stop');
      await exited;
      checkpointItself();
    },
  };
}
