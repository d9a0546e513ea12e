/**
 * Every setting the agent reads, defined once. The precedence (command line, then
 * policy, then the machine-wide config file, then defaults) lives in resolve.ts; the
 * documentation table in docs/agent-configuration.md is generated from this file
 * (`npm run docs:agent-config`) and a test checks it stays so.
 */
import { z } from 'zod';
import { hostnameSchema } from '@harbour/shared';

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Documentation for one key: its type as a technician reads it, and its default. */
export interface KeyDoc {
  type: string;
  default: string;
  description: string;
  /** The headless agent's command-line flag for it, if any. */
  flag?: string;
}

const serverUrl = z
  .string({ error: 'must be text (a URL)' })
  .trim()
  .refine(
    (s) => {
      try {
        const url = new URL(s);
        return url.protocol === 'http:' || url.protocol === 'https:';
      } catch {
        return false;
      }
    },
    { error: 'must be an http:// or https:// URL, e.g. https://harbour.school.local' },
  )
  .transform((s) => new URL(s).origin);

/** The settings, each optional here: resolve.ts fills defaults in. */
export const agentConfigShape = {
  serverUrl,
  enrolmentToken: z
    .string({ error: 'must be text' })
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(128, { error: 'must be at most 128 characters' }),
  deviceName: hostnameSchema,
  dataDir: z.string({ error: 'must be text (a folder path)' }).trim().min(1, { error: 'must not be empty' }),
  heartbeatSeconds: z
    .number({ error: 'must be a whole number' })
    .int({ error: 'must be a whole number' })
    .min(1, { error: 'must be at least 1' })
    .max(3600, { error: 'must be at most 3600' }),
  logLevel: z.enum(logLevels, { error: `must be one of ${logLevels.join(', ')}` }),
  serverCaFile: z
    .string({ error: 'must be text (a file path)' })
    .trim()
    .min(1, { error: 'must not be empty' }),
} as const;

export type ConfigKey = keyof typeof agentConfigShape;
export const configKeys = Object.keys(agentConfigShape) as ConfigKey[];
export type ConfigValues = { [K in ConfigKey]: z.output<(typeof agentConfigShape)[K]> };

/** The defaults a key falls back to when no source sets it; undefined means none. */
export interface ConfigDefaults {
  dataDir: string;
  deviceName?: string | undefined;
}

export const keyDocs: Record<ConfigKey, KeyDoc> = {
  serverUrl: {
    type: 'URL (`http://` or `https://`)',
    default: 'none: required',
    description:
      'The Harbour server, e.g. `https://harbour.school.local`. Only the scheme, host and port are used.',
    flag: '--server',
  },
  enrolmentToken: {
    type: 'text, 1–128 characters',
    default: 'none',
    description:
      'Enrolment token from the dashboard (**Enrolment**). Used once, on the first start; ignored after the device has enrolled.',
    flag: '--enroll',
  },
  deviceName: {
    type: 'text, one line, 1–255 characters',
    default: "the computer's hostname",
    description: 'The name the device enrols with. Technicians can rename devices later in the dashboard.',
    flag: '--name',
  },
  dataDir: {
    type: 'folder path',
    default:
      'service: `/var/lib/harbour-agent`, `%ProgramData%\\Harbour\\service`, `/Library/Application Support/Harbour/service`; headless: `./harbour-agent-data`',
    description: 'Where the device credential and the outbox of undelivered reports are kept.',
    flag: '--data-dir',
  },
  heartbeatSeconds: {
    type: 'whole number, 1–3600',
    default: '`30`',
    description: 'How often the agent tells the server it is still there.',
    flag: '--heartbeat',
  },
  logLevel: {
    type: logLevels.map((l) => `\`${l}\``).join(' '),
    default: '`info`',
    description: 'How much the agent logs.',
    flag: '--log-level',
  },
  serverCaFile: {
    type: 'file path (PEM)',
    default: 'none: only the public certificate authorities are trusted',
    description:
      "The certificate of the school's own certificate authority, when the server's HTTPS certificate comes from it. It is trusted as well as the public ones. The agent always checks the server's certificate and refuses a wrong one.",
    flag: '--ca-file',
  },
};

export const staticDefaults: Partial<ConfigValues> = {
  heartbeatSeconds: 30,
  logLevel: 'info',
};
