import pino from 'pino';
import { startHarbour, type Harbour } from '../../dashboard/src/server/app.js';
import type { ServerConfig } from '../../dashboard/src/server/config.js';
import { ApiClient } from './api.js';
import { databaseUrlFor } from './database.js';
import { tempDir } from './paths.js';

export const adminEmail = 'admin@school.test';
export const password = 'a long enough password';

/**
 * The real server in this process (listening on loopback): on a real database file in a
 * temp dir, or in the *-pg projects on a PostgreSQL database of its own (support/database.ts).
 */
export async function startInProcess(
  dataDir = tempDir('server'),
  port = 0,
  /** Settings a test needs beyond these (speech, rate limits). */
  extra: Partial<ServerConfig> = {},
): Promise<Harbour> {
  return startHarbour(
    {
      databaseUrl: await databaseUrlFor(dataDir),
      port,
      host: '127.0.0.1',
      dataDir,
      logLevel: 'silent',
      loginRateLimit: 1000,
      enrolRateLimit: 1000,
      bootstrapAdmin: { email: adminEmail, password },
      ...extra,
    },
    { logger: pino({ level: 'silent' }) },
  );
}

/** One signed-in client per role, plus an anonymous one. */
export type Caller = 'admin' | 'technician' | 'dsl' | 'teacher' | 'anonymous';

export async function staffClients(harbour: Harbour): Promise<Record<Caller, ApiClient>> {
  const admin = new ApiClient(harbour.url);
  await admin.login(adminEmail, password);
  const clients: Record<Caller, ApiClient> = {
    admin,
    anonymous: new ApiClient(harbour.url),
    technician: admin,
    dsl: admin,
    teacher: admin,
  };
  for (const role of ['technician', 'dsl', 'teacher'] as const) {
    clients[role] = (
      await addStaff(admin, { email: `${role}@school.test`, displayName: `A ${role}`, role })
    ).client;
  }
  return clients;
}

/**
 * A member of staff made by an admin with a password they keep (not a temporary one), signed in.
 * Opening safeguarding records needs a second factor (issue 17), so the DSL and teachers enrol one.
 */
export async function addStaff(
  admin: ApiClient,
  person: { email: string; displayName: string; role: 'admin' | 'technician' | 'dsl' | 'teacher' },
): Promise<{ id: string; client: ApiClient }> {
  const r = await admin.json<{ user: { id: string } }>('POST', '/api/users', {
    ...person,
    password,
    temporaryPassword: false,
  });
  if (r.status !== 201) throw new Error(`could not create ${person.email}: ${JSON.stringify(r.body)}`);
  const client = new ApiClient(admin.baseUrl);
  await client.login(person.email, password);
  if (person.role === 'dsl' || person.role === 'teacher') await client.enrolSecondFactor();
  return { id: r.body.user.id, client };
}
