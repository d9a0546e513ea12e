import pino from 'pino';
import { startHarbour, type Harbour } from '../../dashboard/src/server/app.js';
import { ApiClient } from './api.js';
import { databaseUrlFor } from './database.js';
import { tempDir } from './paths.js';

export const adminEmail = 'admin@school.test';
export const password = 'a long enough password';

/**
 * The real server in this process (listening on loopback): on a real database file in a
 * temp dir, or in the *-pg projects on a PostgreSQL database of its own (support/database.ts).
 */
export async function startInProcess(dataDir = tempDir('server'), port = 0): Promise<Harbour> {
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
    const email = `${role}@school.test`;
    const r = await admin.json('POST', '/api/users', {
      email,
      displayName: `A ${role}`,
      role,
      password,
      temporaryPassword: false,
    });
    if (r.status !== 201) throw new Error(`could not create ${role}: ${JSON.stringify(r.body)}`);
    const c = new ApiClient(harbour.url);
    await c.login(email, password);
    // Opening safeguarding records needs a second factor (issue 17): the DSL and teachers have one.
    if (role === 'dsl' || role === 'teacher') await c.enrolSecondFactor();
    clients[role] = c;
  }
  return clients;
}
