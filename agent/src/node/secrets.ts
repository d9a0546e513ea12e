/**
 * Secrets stay off command lines (issue 12 item 5). Every local user can read every
 * process's arguments (/proc/<pid>/cmdline, `ps`), so an enrolment token typed as
 * `--enroll <token>` is visible to them. The agent therefore also takes it from a file
 * only its owner can read (`--enroll-file`, what installers and tests use) or from
 * standard input (`--enroll -`), and as a second line of defence rewrites its own
 * command line (process.title) as soon as it has read its arguments. A literal token on
 * the command line is still visible to local users until then (and in the shell or npm
 * process that started the agent, which Harbour cannot rewrite): use it only to try
 * Harbour out.
 */
import fs from 'node:fs';

export class SecretInputError extends Error {}

/** Reads a token from a file that only its owner may read; trims the final newline. */
export function readSecretFile(file: string): string {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (error) {
    throw new SecretInputError(`cannot read ${file}: ${(error as Error).message}`);
  }
  if (!stat.isFile()) throw new SecretInputError(`${file} is not a file`);
  if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
    throw new SecretInputError(
      `${file} can be read by other users (mode ${(stat.mode & 0o777).toString(8)}): chmod 600 it first`,
    );
  }
  if (stat.size > 4096) throw new SecretInputError(`${file} is too large for a token`);
  const text = fs.readFileSync(file, 'utf8').trim();
  if (!text) throw new SecretInputError(`${file} is empty`);
  return text;
}

/** Reads a token from standard input (the first line). */
export async function readSecretStdin(stdin: NodeJS.ReadableStream = process.stdin): Promise<string> {
  // A technician typing or pasting it needs to know the agent is waiting (stderr: stdout may be a log).
  if ((stdin as NodeJS.ReadStream).isTTY) process.stderr.write('Enrolment token (then Enter): ');
  let text = '';
  for await (const chunk of stdin) {
    text += String(chunk);
    if (text.includes('\n') || text.length > 4096) break;
  }
  const token = text.split('\n')[0]?.trim() ?? '';
  if (!token) throw new SecretInputError('no token on standard input');
  return token;
}

/**
 * Rewrites this process's command line so that the values of `secretFlags` read "***".
 * On Linux process.title overwrites the memory /proc/<pid>/cmdline is read from.
 */
export function scrubCommandLine(
  secretFlags: readonly string[],
  argv: readonly string[] = process.argv,
): void {
  const out: string[] = [];
  let hide = false;
  let changed = false;
  for (const arg of argv) {
    if (hide) {
      out.push(arg === '-' ? arg : '***');
      changed ||= arg !== '-';
      hide = false;
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    if (secretFlags.includes(flag)) {
      if (eq > 0) {
        out.push(`${flag}=***`);
        changed = true;
      } else {
        out.push(arg);
        hide = true;
      }
      continue;
    }
    out.push(arg);
  }
  if (changed) process.title = out.join(' ');
}
