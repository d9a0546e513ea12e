import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { SpeechAudio, UiLanguage } from '@harbour/shared';
import type { Logger } from 'pino';

/** espeak-ng's voices for the languages Harbour ships. */
const voices: Record<UiLanguage, string> = { en: 'en-gb', cy: 'cy' };

export interface SpeechLimits {
  /** Longer texts are not read aloud at all (a 20-minute recording helps no child). */
  maxChars: number;
  /** The engine is killed after this long. */
  timeoutMs: number;
  /** ...or once its output passes this many bytes. */
  maxBytes: number;
}

export const defaultSpeechLimits: SpeechLimits = {
  maxChars: 8000,
  timeoutMs: 30_000,
  // 22,050 Hz 16-bit mono is 44 kB a second: about three minutes, and under the agent link's 12 MB line.
  maxBytes: 8 * 1024 * 1024,
};

const retryFailedMs = 10 * 60_000;

export type SpeechResult =
  | { status: 'ready'; wav: Buffer }
  | { status: 'pending' }
  | { status: 'unavailable'; reason: 'no_engine' | 'too_long' | 'failed' };

/** A result as the agent protocol carries it (WAV in base64). */
export function speechAnswer(result: SpeechResult): SpeechAudio {
  return result.status === 'ready'
    ? { status: 'ready', mime: 'audio/wav', base64: result.wav.toString('base64') }
    : result;
}

/** True if `bytes` is a RIFF/WAVE file. */
export function isWav(bytes: Buffer): boolean {
  return (
    bytes.length > 44 && bytes.toString('ascii', 0, 4) === 'RIFF' && bytes.toString('ascii', 8, 12) === 'WAVE'
  );
}

/**
 * espeak-ng writing to a pipe cannot go back to fill in the sizes, so its header claims 2 GB;
 * browsers then show a wrong duration. Write the real sizes in.
 */
function fixWavSizes(wav: Buffer): Buffer {
  wav.writeUInt32LE(wav.length - 8, 4);
  let offset = 12;
  while (offset + 8 <= wav.length) {
    const id = wav.toString('ascii', offset, offset + 4);
    if (id === 'data') {
      wav.writeUInt32LE(wav.length - offset - 8, offset + 4);
      break;
    }
    offset += 8 + wav.readUInt32LE(offset + 4);
  }
  return wav;
}

/** The length in seconds of a PCM WAV file, from its header (byte rate) and data size. */
export function wavSeconds(wav: Buffer): number {
  const byteRate = wav.readUInt32LE(28);
  let offset = 12;
  while (offset + 8 <= wav.length) {
    const id = wav.toString('ascii', offset, offset + 4);
    const size = wav.readUInt32LE(offset + 4);
    if (id === 'data') return Math.min(size, wav.length - offset - 8) / byteRate;
    offset += 8 + size;
  }
  return 0;
}

/**
 * Read-aloud audio, made on the server by espeak-ng (bundled from Debian: it speaks English
 * and Welsh, where browsers on Linux have no voices at all). Audio is made in the
 * background, one text at a time, never while a pupil's request waits; it is cached on disk
 * by the SHA-256 of voice and text, so the same words are synthesised once. The engine gets
 * its text on stdin and its options as an argument array (no shell), with a time and size limit.
 */
export class SpeechStore {
  private readonly dir: string;
  private readonly pending = new Map<string, Promise<void>>();
  /** Texts the engine could not read, and when: asked again after `retryFailedMs` (an engine installed, a busy moment passed). */
  private readonly failed = new Map<string, { reason: 'no_engine' | 'too_long' | 'failed'; at: number }>();
  private queue: Promise<void> = Promise.resolve();

  constructor(
    dataDir: string,
    private readonly log: Logger,
    private readonly limits: SpeechLimits = defaultSpeechLimits,
    /** The engine's command (tests point it elsewhere); found on PATH. */
    private readonly engine = 'espeak-ng',
  ) {
    this.dir = path.join(dataDir, 'speech');
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  private key(text: string, language: UiLanguage): string {
    return createHash('sha256').update(`${voices[language]}\0${text}`).digest('hex');
  }

  /** The audio if it is made; otherwise starts making it (once) and says so. */
  get(text: string, language: UiLanguage): SpeechResult {
    if (text.length > this.limits.maxChars) return { status: 'unavailable', reason: 'too_long' };
    const key = this.key(text, language);
    const file = path.join(this.dir, `${key}.wav`);
    try {
      const wav = fs.readFileSync(file);
      if (isWav(wav)) return { status: 'ready', wav };
    } catch {
      // Not made yet.
    }
    const failure = this.failed.get(key);
    if (failure && Date.now() - failure.at < retryFailedMs)
      return { status: 'unavailable', reason: failure.reason };
    void this.prepare(text, language);
    return { status: 'pending' };
  }

  /** Makes the audio in the background (a no-op if it is made or being made). */
  prepare(text: string, language: UiLanguage): Promise<void> {
    const key = this.key(text, language);
    const file = path.join(this.dir, `${key}.wav`);
    if (text.length > this.limits.maxChars || fs.existsSync(file)) return Promise.resolve();
    const running = this.pending.get(key);
    if (running) return running;
    this.failed.delete(key);
    const job = this.queue
      .then(() => this.synthesise(text, language))
      .then(
        (wav) => {
          const temp = path.join(this.dir, `.${randomUUID()}.tmp`);
          fs.writeFileSync(temp, wav, { mode: 0o600 });
          fs.renameSync(temp, file);
        },
        (error: Error & { reason?: 'no_engine' | 'too_long' | 'failed' }) => {
          this.failed.set(key, { reason: error.reason ?? 'failed', at: Date.now() });
          this.log.warn({ err: error, language }, 'speech: could not make read-aloud audio');
        },
      )
      .finally(() => this.pending.delete(key));
    this.queue = job;
    this.pending.set(key, job);
    return job;
  }

  private synthesise(text: string, language: UiLanguage): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const fail = (reason: 'no_engine' | 'too_long' | 'failed', message: string) =>
        reject(Object.assign(new Error(message), { reason }));
      // -s 150: a little slower than the default, for young listeners.
      const child = spawn(this.engine, ['-v', voices[language], '-s', '150', '--stdout'], {
        stdio: ['pipe', 'pipe', 'ignore'],
        timeout: this.limits.timeoutMs,
        killSignal: 'SIGKILL',
      });
      const chunks: Buffer[] = [];
      let size = 0;
      let over = false;
      child.stdout.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > this.limits.maxBytes) {
          over = true;
          child.kill('SIGKILL');
          return;
        }
        chunks.push(chunk);
      });
      child.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') fail('no_engine', `${this.engine} is not installed`);
        else fail('failed', error.message);
      });
      child.on('close', (code, signal) => {
        if (over) return fail('too_long', 'the recording would be too long');
        if (signal) return fail('failed', `${this.engine} stopped by ${signal} (time limit)`);
        const wav = Buffer.concat(chunks);
        if (code !== 0 || !isWav(wav)) return fail('failed', `${this.engine} exited with ${code}`);
        resolve(fixWavSizes(wav));
      });
      // The engine may die before reading everything: a broken pipe is its close event's business.
      child.stdin.on('error', () => undefined);
      child.stdin.end(text);
    });
  }
}
