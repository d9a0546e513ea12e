import fs from 'node:fs';

/** Reads the school's CA certificate (setting `serverCaFile`); a file that is not a PEM certificate stops the agent with why. */
export function readServerCa(file: string | undefined, fail: (message: string) => never): string | undefined {
  if (!file) return undefined;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    return fail(`cannot read the CA certificate ${file}: ${(error as Error).message}`);
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    return fail(`${file} is not a PEM certificate (it should start with -----BEGIN CERTIFICATE-----)`);
  }
  return text;
}
