/**
 * The settings both the per-user agent (`harbour-agent`) and the machine service
 * (`harbour-agent service`) take on their command lines, parsed one way: the same flags, the
 * enrolment secret read from a file or stdin (never left in /proc/<pid>/cmdline), and every
 * value checked by the same schema as the machine config and policy, so a mistake typed on
 * the command line is refused at once with the flag's name.
 */
import { readSecretFile, readSecretStdin, scrubCommandLine } from './secrets.js';
import { agentConfigShape, type ConfigKey } from './config/index.js';

/** Command-line flag for each setting. */
export const settingFlags: Record<ConfigKey, string> = {
  serverUrl: 'server',
  enrolmentToken: 'enroll',
  dataDir: 'data-dir',
  deviceName: 'name',
  heartbeatSeconds: 'heartbeat',
  logLevel: 'log-level',
  serverCaFile: 'ca-file',
};

/** `parseArgs` options shared by both commands. */
export const sharedOptions = {
  server: { type: 'string' },
  enroll: { type: 'string' },
  'enroll-file': { type: 'string' },
  'data-dir': { type: 'string' },
  name: { type: 'string' },
  heartbeat: { type: 'string' },
  'log-level': { type: 'string' },
  'ca-file': { type: 'string' },
  root: { type: 'string', default: '/' },
  'help-badge': { type: 'boolean', default: false },
  aup: { type: 'string', default: 'off' },
  activity: { type: 'string', default: 'on' },
} as const;

/**
 * Hides `--enroll` from the process's command line, then replaces `--enroll-file F` or
 * `--enroll -` with the secret itself. Throws with a plain message when it cannot be read.
 */
export async function takeEnrolmentSecret(values: {
  enroll?: string;
  'enroll-file'?: string;
}): Promise<void> {
  scrubCommandLine(['--enroll']);
  if (values['enroll-file'] !== undefined) values.enroll = readSecretFile(values['enroll-file']);
  else if (values.enroll === '-') values.enroll = await readSecretStdin();
}

/**
 * The settings given on the command line, each checked by its schema. `keepEmpty` says which
 * settings an empty value is checked for (and so refused) rather than taken as "not given".
 */
export function settingsFromCommandLine(
  values: Record<string, unknown>,
  fail: (message: string) => never,
  keepEmpty: (key: ConfigKey) => boolean,
): Record<string, unknown> {
  const commandLine: Record<string, unknown> = {};
  for (const [key, flag] of Object.entries(settingFlags) as [ConfigKey, string][]) {
    const raw = values[flag];
    if (typeof raw !== 'string' || (raw === '' && !keepEmpty(key))) continue;
    const value = key === 'heartbeatSeconds' && /^\d+$/.test(raw) ? Number(raw) : raw;
    const parsed = agentConfigShape[key].safeParse(value);
    // The token is a secret: the message names the flag, never echoes what was given.
    const got = key === 'enrolmentToken' ? '' : `, got "${raw}"`;
    if (!parsed.success) fail(`--${flag} ${parsed.error.issues[0]?.message ?? 'is not valid'}${got}`);
    commandLine[key] = parsed.data;
  }
  return commandLine;
}
