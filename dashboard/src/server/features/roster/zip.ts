/**
 * Reads the CSV files of a OneRoster zip with yauzl, within limits a zip bomb cannot pass:
 * the number of entries, each file's and the total uncompressed size are checked against
 * what the zip declares and again against the bytes actually inflated.
 */
import path from 'node:path';
import yauzl from 'yauzl';
import { HarbourError } from '../../core/errors.js';
import { rosterLimits } from './oneroster.js';

export function isZip(data: Buffer): boolean {
  return data.length >= 4 && data.readUInt32LE(0) === 0x04034b50;
}

const refused = (message: string) => new HarbourError('validation_failed', message);

/** The `.csv` entries of a zip by lower-case file name (folders inside the zip are ignored). */
export async function readZip(data: Buffer): Promise<Map<string, Buffer>> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(
      data,
      { lazyEntries: true, validateEntrySizes: true, strictFileNames: false },
      (err, z) =>
        err || !z
          ? reject(refused(`Not a zip file Harbour can read: ${err?.message ?? 'empty'}`))
          : resolve(z),
    ),
  );
  if (zip.entryCount > rosterLimits.zipEntries) {
    zip.close();
    throw refused(
      `The zip has ${zip.entryCount} entries; a roster export has at most ${rosterLimits.zipEntries}.`,
    );
  }
  const files = new Map<string, Buffer>();
  let total = 0;
  return new Promise((resolve, reject) => {
    let failed = false;
    const fail = (error: Error) => {
      if (failed) return;
      failed = true;
      zip.close();
      reject(error instanceof HarbourError ? error : refused(`The zip could not be read: ${error.message}`));
    };
    zip.on('error', fail);
    zip.on('end', () => resolve(files));
    zip.on('entry', (entry: yauzl.Entry) => {
      const name = path.posix.basename(entry.fileName).toLowerCase();
      if (entry.fileName.endsWith('/') || !name.endsWith('.csv') || name.startsWith('._')) {
        zip.readEntry();
        return;
      }
      if (files.has(name)) return fail(refused(`The zip holds ${name} twice.`));
      if (entry.uncompressedSize > rosterLimits.fileBytes)
        return fail(refused(`${name} is larger than ${rosterLimits.fileBytes / 1024 / 1024} MiB.`));
      if (total + entry.uncompressedSize > rosterLimits.totalBytes)
        return fail(
          refused(`The files in the zip come to more than ${rosterLimits.totalBytes / 1024 / 1024} MiB.`),
        );
      zip.openReadStream(entry, (err, stream) => {
        if (err || !stream) return fail(err ?? new Error('no stream'));
        const chunks: Buffer[] = [];
        let bytes = 0;
        stream.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          total += chunk.length;
          // Never trust the sizes a zip declares: count what comes out.
          if (bytes > rosterLimits.fileBytes || total > rosterLimits.totalBytes) {
            stream.destroy();
            fail(refused(`${name} inflates to more than the limit; refused.`));
            return;
          }
          chunks.push(chunk);
        });
        // yauzl stops an entry that inflates past (or short of) what its header says.
        stream.on('error', (e: Error) =>
          fail(refused(`${name} does not inflate to the size its header says (${e.message}); refused.`)),
        );
        stream.on('end', () => {
          files.set(name, Buffer.concat(chunks));
          zip.readEntry();
        });
      });
    });
    zip.readEntry();
  });
}
