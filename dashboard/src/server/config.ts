import path from 'node:path';
import { z } from 'zod';
import {
  emailSchema,
  parseWith,
  passwordSchema,
  ssoPresetSchema,
  type SsoConfig,
  type SsoRoleRule,
} from '@harbour/shared';
import type { TrustProxy } from './http/origin.js';

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
  /** Socket requests one device may send a minute (a real agent sends a few; its outbox retries later). */
  HARBOUR_DEVICE_RATE_LIMIT: z.coerce.number().int().min(10).max(1_000_000).default(600),
  /** Evidence uploads one device may send a minute. */
  HARBOUR_DEVICE_UPLOAD_RATE_LIMIT: z.coerce.number().int().min(1).max(100_000).default(120),
  /** Live-view requests one staff sign-in may send a minute. */
  HARBOUR_STAFF_SOCKET_RATE_LIMIT: z.coerce.number().int().min(10).max(100_000).default(300),
  /** Days without contact before the inventory warns that a device is not seen. */
  HARBOUR_DEVICE_STALE_DAYS: z.coerce.number().int().min(1).max(365).default(7),
  /** Serve HTTPS directly with this certificate (PEM, the chain after it) and its private key. */
  TLS_CERT_FILE: z.string().min(1).optional(),
  TLS_KEY_FILE: z.string().min(1).optional(),
  /**
   * Behind a reverse proxy: whom to believe about X-Forwarded-Proto/-Host/-For. `true` (any
   * address: only when nothing but the proxy can reach the server), or a comma-separated
   * list of addresses, CIDR ranges or `loopback`, `linklocal`, `uniquelocal`.
   */
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const text = v?.trim() ?? '';
      if (text === '' || text === 'false') return false;
      if (text === 'true') return true;
      const list = text
        .split(',')
        .map((a) => a.trim())
        .filter((a) => a !== '');
      for (const a of list) {
        if (!/^(loopback|linklocal|uniquelocal|[0-9a-fA-F.:]+(\/\d{1,3})?)$/.test(a)) {
          ctx.addIssue({ code: 'custom', message: `"${a}" is not an address, a CIDR range or a known name` });
        }
      }
      return list;
    }),
  /** The address staff use, e.g. https://harbour.school.example: the only origin accepted for changes. */
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** The server's master key (outside the database). Default: DATA_DIR/keys/master.key, made on first start. */
  HARBOUR_KEY_FILE: z.string().min(1).optional(),
  /** A Have I Been Pwned style range API to check new passwords against; off when unset. */
  HARBOUR_PASSWORD_BREACH_CHECK: z.url({ protocol: /^https?$/ }).optional(),
  /** Single sign-on for unattended installs (docs/configuration.md); set, it wins over the dashboard. */
  HARBOUR_SSO_PRESET: ssoPresetSchema.optional(),
  HARBOUR_SSO_ISSUER: z.url({ protocol: /^https?$/ }).optional(),
  HARBOUR_SSO_TENANT: z.string().trim().min(1).max(100).optional(),
  HARBOUR_SSO_CLIENT_ID: z.string().trim().min(1).max(500).optional(),
  HARBOUR_SSO_CLIENT_SECRET: z.string().min(1).max(2000).optional(),
  HARBOUR_SSO_LABEL: z.string().trim().min(1).max(100).optional(),
  HARBOUR_SSO_CREATE_ACCOUNTS: z.enum(['true', 'false']).default('false'),
  /** `group:<id>=<role>,domain:<domain>=<role>`, first match wins. */
  HARBOUR_SSO_ROLES: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const rules: SsoRoleRule[] = [];
      for (const part of (v ?? '')
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean)) {
        const m = /^(group|domain):(.+)=(admin|technician|dsl|teacher)$/.exec(part);
        if (!m) ctx.addIssue({ code: 'custom', message: `"${part}" is not kind:value=role` });
        else
          rules.push({
            kind: m[1] as 'group' | 'domain',
            value: m[2]!.trim(),
            role: m[3] as SsoRoleRule['role'],
          });
      }
      return rules;
    }),
  /** A folder holding the school's OneRoster export (a zip or the CSV files), imported on a schedule. */
  HARBOUR_ROSTER_DIR: z.string().min(1).optional(),
  /** Minutes between looks at HARBOUR_ROSTER_DIR (an unchanged export is not imported again). */
  HARBOUR_ROSTER_INTERVAL_MINUTES: z.coerce.number().int().min(1).max(10_080).default(60),
  /** Several nodes: socket.io's Redis adapter, presence, leases and rate limits over this Redis. */
  REDIS_URL: z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return undefined;
      if (!/^rediss?:\/\/.+/.test(v)) {
        ctx.addIssue({ code: 'custom', message: 'is not a Redis address (expected redis://host:6379)' });
        return z.NEVER;
      }
      return v;
    }),
  /**
   * Several nodes without Redis: `postgres` joins them over DATABASE_URL's PostgreSQL instead
   * (realtime/pg-cluster.ts). Needs DATABASE_URL to be PostgreSQL; not with REDIS_URL.
   */
  HARBOUR_CLUSTER: z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return undefined;
      if (v !== 'postgres') {
        ctx.addIssue({
          code: 'custom',
          message: `"${v}" is not a cluster Harbour knows: the only value is postgres (for Redis, set REDIS_URL instead)`,
        });
        return z.NEVER;
      }
      return v;
    }),
  /** Where evidence files are kept (shared storage every node reads); default DATA_DIR/evidence. */
  EVIDENCE_DIR: z.string().min(1).optional(),
  /** PostgreSQL instead of the embedded SQLite file: postgres://user:password@host:port/database. */
  DATABASE_URL: z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return undefined;
      let url: URL;
      try {
        url = new URL(v);
      } catch {
        ctx.addIssue({
          code: 'custom',
          message: 'is not a URL (expected postgres://user:password@host:5432/database)',
        });
        return z.NEVER;
      }
      if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
        ctx.addIssue({
          code: 'custom',
          message: `Harbour runs on PostgreSQL (postgres://…) or, with no DATABASE_URL, on its own SQLite file; "${url.protocol}" is neither`,
        });
        return z.NEVER;
      }
      if (url.pathname.replace(/^\//, '') === '') {
        ctx.addIssue({ code: 'custom', message: 'names no database (expected postgres://…/database)' });
        return z.NEVER;
      }
      return v;
    }),
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
  /** Per minute: socket requests per device, evidence uploads per device, live-view requests per staff sign-in. */
  rateLimits?: { deviceSocket: number; deviceUpload: number; staffSocket: number };
  /** Serve HTTPS with these PEM files. */
  tls?: { certFile: string; keyFile: string } | undefined;
  /** Whom to believe about X-Forwarded-* (default: nobody). */
  trustProxy?: TrustProxy;
  /** The address staff use; when set, the only origin accepted for changes. */
  publicUrl?: string | undefined;
  /** The master key's file (default DATA_DIR/keys/master.key). */
  keyFile?: string | undefined;
  passwordBreachCheckUrl?: string | undefined;
  /** A folder with the school's OneRoster export, imported every `rosterIntervalMinutes`. */
  rosterDir?: string | undefined;
  rosterIntervalMinutes?: number | undefined;
  /** Single sign-on from the environment (the dashboard cannot change it then). */
  sso?: SsoConfig | undefined;
  /** PostgreSQL's address (DATABASE_URL); none: the SQLite file in dataDir. */
  databaseUrl?: string | undefined;
  /** Redis joining several nodes (REDIS_URL); none: one node, live state in memory. */
  redisUrl?: string | undefined;
  /** Several nodes over the PostgreSQL of `databaseUrl` instead of Redis (HARBOUR_CLUSTER=postgres). */
  clusterOverPostgres?: boolean;
  /** Evidence files (EVIDENCE_DIR); none: DATA_DIR/evidence. */
  evidenceDir?: string | undefined;
  /** Read-aloud: the speech engine's command (default espeak-ng, found on PATH) and its limits. */
  speech?: {
    engine?: string;
    limits?: { maxChars: number; timeoutMs: number; maxBytes: number };
  };
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
  if (e.HARBOUR_SSO_PRESET && !e.HARBOUR_SSO_CLIENT_ID) {
    throw new Error('Harbour cannot start: HARBOUR_SSO_PRESET needs HARBOUR_SSO_CLIENT_ID.');
  }
  if (e.HARBOUR_SSO_PRESET === 'entra' && !e.HARBOUR_SSO_TENANT) {
    throw new Error('Harbour cannot start: Entra ID sign-in needs HARBOUR_SSO_TENANT (the directory id).');
  }
  if (e.HARBOUR_SSO_PRESET === 'oidc' && !e.HARBOUR_SSO_ISSUER) {
    throw new Error('Harbour cannot start: HARBOUR_SSO_PRESET=oidc needs HARBOUR_SSO_ISSUER.');
  }
  if (Boolean(e.TLS_CERT_FILE) !== Boolean(e.TLS_KEY_FILE)) {
    throw new Error('Harbour cannot start: set both TLS_CERT_FILE and TLS_KEY_FILE, or neither.');
  }
  // Two ways of joining nodes at once would leave the operator guessing which is used, and a
  // node set up one way would not see a node set up the other: refuse rather than pick one.
  if (e.HARBOUR_CLUSTER === 'postgres' && e.REDIS_URL) {
    throw new Error(
      'Harbour cannot start: HARBOUR_CLUSTER=postgres and REDIS_URL are both set; nodes join over one of them. Unset HARBOUR_CLUSTER to use Redis, or REDIS_URL to use PostgreSQL.',
    );
  }
  if (e.HARBOUR_CLUSTER === 'postgres' && !e.DATABASE_URL) {
    throw new Error(
      'Harbour cannot start: HARBOUR_CLUSTER=postgres joins nodes over PostgreSQL, but there is no DATABASE_URL: this server is on its own SQLite file, which only one node can use. Set DATABASE_URL=postgres://… or unset HARBOUR_CLUSTER.',
    );
  }
  return {
    tls:
      e.TLS_CERT_FILE && e.TLS_KEY_FILE ? { certFile: e.TLS_CERT_FILE, keyFile: e.TLS_KEY_FILE } : undefined,
    trustProxy: e.TRUST_PROXY,
    publicUrl: e.PUBLIC_URL,
    keyFile: e.HARBOUR_KEY_FILE && path.resolve(e.HARBOUR_KEY_FILE),
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
    rateLimits: {
      deviceSocket: e.HARBOUR_DEVICE_RATE_LIMIT,
      deviceUpload: e.HARBOUR_DEVICE_UPLOAD_RATE_LIMIT,
      staffSocket: e.HARBOUR_STAFF_SOCKET_RATE_LIMIT,
    },
    passwordBreachCheckUrl: e.HARBOUR_PASSWORD_BREACH_CHECK,
    rosterDir: e.HARBOUR_ROSTER_DIR && path.resolve(e.HARBOUR_ROSTER_DIR),
    sso:
      e.HARBOUR_SSO_PRESET && e.HARBOUR_SSO_CLIENT_ID
        ? {
            enabled: true,
            preset: e.HARBOUR_SSO_PRESET,
            ...(e.HARBOUR_SSO_TENANT && { tenant: e.HARBOUR_SSO_TENANT }),
            ...(e.HARBOUR_SSO_ISSUER && { issuer: e.HARBOUR_SSO_ISSUER }),
            clientId: e.HARBOUR_SSO_CLIENT_ID,
            ...(e.HARBOUR_SSO_CLIENT_SECRET && { clientSecret: e.HARBOUR_SSO_CLIENT_SECRET }),
            ...(e.HARBOUR_SSO_LABEL && { label: e.HARBOUR_SSO_LABEL }),
            createAccounts: e.HARBOUR_SSO_CREATE_ACCOUNTS === 'true',
            roles: e.HARBOUR_SSO_ROLES,
          }
        : undefined,
    rosterIntervalMinutes: e.HARBOUR_ROSTER_INTERVAL_MINUTES,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    clusterOverPostgres: e.HARBOUR_CLUSTER === 'postgres',
    evidenceDir: e.EVIDENCE_DIR && path.resolve(e.EVIDENCE_DIR),
  };
}
