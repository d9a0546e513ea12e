import path from 'node:path';
import { z } from 'zod';
import { emailSchema, parseWith, passwordSchema } from '@harbour/shared';

/** Server settings, read from the environment (see docs/configuration.md). */
export const serverEnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HARBOUR_ADMIN_EMAIL: emailSchema.optional(),
  HARBOUR_ADMIN_PASSWORD: passwordSchema.optional(),
  /** Sign-in attempts allowed per client address per minute. */
  HARBOUR_LOGIN_RATE_LIMIT: z.coerce.number().int().min(1).max(10_000).default(10),
  /** Device enrolments allowed per client address per minute. */
  HARBOUR_ENROL_RATE_LIMIT: z.coerce.number().int().min(1).max(100_000).default(120),
  /** Days without contact before the inventory warns that a device is not seen. */
  HARBOUR_DEVICE_STALE_DAYS: z.coerce.number().int().min(1).max(365).default(7),
  /** The server's master key, kept outside the database (default DATA_DIR/keys/master.key). */
  HARBOUR_KEY_FILE: z.string().min(1).optional(),
  /** A Have I Been Pwned style range API to check new passwords against; off when unset. */
  HARBOUR_PASSWORD_BREACH_CHECK: z.url({ protocol: /^https?$/ }).optional(),
});

export interface ServerConfig {
  port: number;
  host: string;
  dataDir: string;
  logLevel: z.infer<typeof serverEnvSchema>['LOG_LEVEL'];
  bootstrapAdmin?: { email: string; password: string } | undefined;
  loginRateLimit: number;
  enrolRateLimit: number;
  /** Days without contact before the inventory warns (default 7). */
  deviceStaleDays?: number;
  keyFile?: string | undefined;
  passwordBreachCheckUrl?: string | undefined;
}

export function configFromEnv(env: NodeJS.ProcessEnv): ServerConfig {
  const parsed = parseWith(serverEnvSchema, env);
  if (!parsed.ok) {
    const lines = parsed.issues.map((i) => `  ${i.path}: ${i.message}`).join('\n');
    throw new Error(`Harbour cannot start: invalid settings in the environment:\n${lines}`);
  }
  const e = parsed.value;
  if (Boolean(e.HARBOUR_ADMIN_EMAIL) !== Boolean(e.HARBOUR_ADMIN_PASSWORD)) {
    throw new Error(
      'Harbour cannot start: set both HARBOUR_ADMIN_EMAIL and HARBOUR_ADMIN_PASSWORD, or neither.',
    );
  }
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.DATA_DIR),
    logLevel: e.LOG_LEVEL,
    bootstrapAdmin:
      e.HARBOUR_ADMIN_EMAIL && e.HARBOUR_ADMIN_PASSWORD
        ? { email: e.HARBOUR_ADMIN_EMAIL, password: e.HARBOUR_ADMIN_PASSWORD }
        : undefined,
    loginRateLimit: e.HARBOUR_LOGIN_RATE_LIMIT,
    enrolRateLimit: e.HARBOUR_ENROL_RATE_LIMIT,
    deviceStaleDays: e.HARBOUR_DEVICE_STALE_DAYS,
    keyFile: e.HARBOUR_KEY_FILE ? path.resolve(e.HARBOUR_KEY_FILE) : undefined,
    passwordBreachCheckUrl: e.HARBOUR_PASSWORD_BREACH_CHECK,
  };
}
