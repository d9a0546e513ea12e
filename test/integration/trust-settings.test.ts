/**
 * Issue 18 item 4: settings that are one for the whole trust (the safeguarding email and SMTP,
 * the staff PIN, the AUP policies, audiences and settings, supervision and activity settings,
 * the watch lists, sign-in and SSO settings) may be changed only by trust-level staff once the
 * server has several schools. One real server (SQLite, or PostgreSQL in integration-pg):
 * while it has one school, that school's admin and DSL change every one of them as before;
 * once a second school exists, the staff of either school try every one of those writes and
 * are refused (403) with nothing written and nothing audited, while trust-level staff still
 * change them (audited). Every state-changing route that looks like a setting must carry the
 * `trustWide` flag, so a new one cannot forget it, or be one school's own (`perSchool`: the
 * staff PIN, SMTP server and pupilsMayRelease of `/api/safeguarding/schools/:id/…`), which a
 * school's staff change for their own school however many schools there are, and never for
 * another (school-settings.test.ts tries them against tells and email).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AupDocument } from '@harbour/shared';
import type { Harbour } from '../../dashboard/src/server/app.js';
import { ApiClient } from '../support/api.js';
import { adminEmail, password, startInProcess } from '../support/harbour.js';

const refusal = 'Only trust-level staff can change settings that apply to every school.';
const stateChanging = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

type Role = 'admin' | 'dsl';
interface Person {
  id: string;
  role: Role;
  client: ApiClient;
}
interface Write {
  method: string;
  url: string;
  body?: unknown;
}
interface Case {
  /** `METHOD /template`, as the server registers it. */
  route: string;
  /** The roles whose permission allows the route (the rest are refused by role already). */
  roles: readonly Role[];
  /** The write, different each time (`n`), set up by trust-level staff where it needs a record. */
  write(n: number): Write | Promise<Write>;
  /** What the setting is now, read by trust-level staff (or from the database). */
  read(): Promise<unknown>;
}

let harbour: Harbour;
let trustAdmin: Person;
let trustDsl: Person;
const school = { a: 0, b: 0 };
const staff = {} as Record<'adminA' | 'dslA' | 'adminB' | 'dslB', Person>;
let counter = 0;
/** Secrets sent in writes: no read may ever return one. */
const secrets: string[] = [];

const trustOf = (role: Role) => (role === 'admin' ? trustAdmin : trustDsl);

async function get(who: Person, url: string): Promise<unknown> {
  const r = await who.client.json('GET', url);
  expect(r.status, `${url}: ${JSON.stringify(r.body)}`).toBe(200);
  return r.body;
}

async function make(email: string, role: Role, schoolId: number | null): Promise<Person> {
  return { ...(await trustAdmin.client.createStaff(email, role, password, schoolId)), role };
}

async function ks2Content(): Promise<AupDocument['content']> {
  const overview = (await get(trustAdmin, '/api/aup/overview')) as {
    audiences: { id: string; published: AupDocument | null }[];
  };
  const ks2 = overview.audiences.find((a) => a.id === 'ks2')?.published;
  if (!ks2) throw new Error('no published ks2 policy');
  return ks2.content;
}

async function newWatchEntry(n: number): Promise<string> {
  const r = await trustAdmin.client.json<{ id: string }>('POST', '/api/watchlists/entries', {
    kind: 'keyword',
    pattern: `Prepared ${n}`,
    category: 'violence',
    severity: 'high',
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id;
}

const cases: Case[] = [
  {
    route: 'PATCH /api/safeguarding/settings',
    roles: ['dsl'],
    write: async (n) => {
      secrets.push(`smtp secret ${n}`);
      const current = (await get(trustDsl, '/api/safeguarding/settings')) as { pupilsMayRelease: boolean };
      return {
        method: 'PATCH',
        url: '/api/safeguarding/settings',
        body: {
          smtp: {
            host: `smtp${n}.trust.test`,
            port: 587,
            username: `harbour${n}`,
            password: `smtp secret ${n}`,
            from: 'harbour@trust.test',
            to: [`concerns${n}@trust.test`],
          },
          retention: { incidents: 10 + (n % 80) },
          pupilsMayRelease: !current.pupilsMayRelease,
        },
      };
    },
    read: () => get(trustDsl, '/api/safeguarding/settings'),
  },
  {
    route: 'PUT /api/safeguarding/staff-pin',
    roles: ['dsl'],
    write: (n) => ({
      method: 'PUT',
      url: '/api/safeguarding/staff-pin',
      body: { pin: String(100000 + n) },
    }),
    // Only its hash is kept, and GET says only whether one is set: read the row itself.
    read: () =>
      harbour.db
        .selectFrom('safeguarding_settings')
        .selectAll()
        .where('key', '=', 'staffPinHash')
        .executeTakeFirst()
        .then((row) => row ?? null),
  },
  {
    route: 'POST /api/aup/audiences',
    roles: ['admin', 'dsl'],
    write: (n) => ({
      method: 'POST',
      url: '/api/aup/audiences',
      body: { id: `club-${n}`, name: `Club ${n}` },
    }),
    read: () => get(trustAdmin, '/api/aup/overview'),
  },
  {
    route: 'POST /api/aup/documents',
    roles: ['admin', 'dsl'],
    write: async (n) => ({
      method: 'POST',
      url: '/api/aup/documents',
      body: { audience: 'ks2', content: { ...(await ks2Content()), title: `Our rules ${n}` }, publish: true },
    }),
    read: () => get(trustAdmin, '/api/aup/documents'),
  },
  {
    route: 'POST /api/aup/documents/:id/publish',
    roles: ['admin', 'dsl'],
    write: async (n) => {
      const draft = await trustAdmin.client.json<AupDocument>('POST', '/api/aup/documents', {
        audience: 'ks1',
        content: { ...(await ks2Content()), title: `Draft ${n}` },
      });
      expect(draft.status, JSON.stringify(draft.body)).toBe(201);
      return { method: 'POST', url: `/api/aup/documents/${draft.body.id}/publish`, body: {} };
    },
    read: () => get(trustAdmin, '/api/aup/documents'),
  },
  {
    route: 'PUT /api/aup/settings',
    roles: ['admin', 'dsl'],
    write: async (n) => {
      const current = (await get(trustAdmin, '/api/aup/settings')) as Record<string, unknown>;
      return {
        method: 'PUT',
        url: '/api/aup/settings',
        body: {
          ...current,
          rules: [{ kind: 'username', pattern: `pupil${n}*`, audience: 'ks1' }],
          expiryDay: (n % 28) + 1,
        },
      };
    },
    read: () => get(trustAdmin, '/api/aup/settings'),
  },
  {
    route: 'PATCH /api/supervision-settings',
    roles: ['admin', 'dsl'],
    write: async (n) => {
      const current = (await get(trustAdmin, '/api/supervision-settings')) as { thumbnailsEnabled: boolean };
      return {
        method: 'PATCH',
        url: '/api/supervision-settings',
        body: { thumbnailsEnabled: !current.thumbnailsEnabled, thumbnailIntervalSeconds: 2 + (n % 50) },
      };
    },
    read: () => get(trustAdmin, '/api/supervision-settings'),
  },
  {
    route: 'PUT /api/activity/settings',
    roles: ['admin', 'dsl'],
    write: async (n) => {
      const current = (await get(trustAdmin, '/api/activity/settings')) as Record<string, unknown>;
      return {
        method: 'PUT',
        url: '/api/activity/settings',
        body: { ...current, retentionDays: 40 + n, repeatMinutes: 1 + (n % 600) },
      };
    },
    read: () => get(trustAdmin, '/api/activity/settings'),
  },
  {
    route: 'POST /api/watchlists/entries',
    roles: ['admin', 'dsl'],
    write: (n) => ({
      method: 'POST',
      url: '/api/watchlists/entries',
      body: { kind: 'keyword', pattern: `Danger ${n}`, category: 'violence', severity: 'high' },
    }),
    read: () => get(trustAdmin, '/api/watchlists'),
  },
  {
    route: 'PUT /api/watchlists/entries/:id',
    roles: ['admin', 'dsl'],
    write: async (n) => ({
      method: 'PUT',
      url: `/api/watchlists/entries/${await newWatchEntry(n)}`,
      body: { kind: 'keyword', pattern: `Changed ${n}`, category: 'gambling', severity: 'low' },
    }),
    read: () => get(trustAdmin, '/api/watchlists'),
  },
  {
    route: 'DELETE /api/watchlists/entries/:id',
    roles: ['admin', 'dsl'],
    write: async (n) => ({ method: 'DELETE', url: `/api/watchlists/entries/${await newWatchEntry(n)}` }),
    read: () => get(trustAdmin, '/api/watchlists'),
  },
  {
    route: 'POST /api/watchlists/import',
    roles: ['admin', 'dsl'],
    write: (n) => ({
      method: 'POST',
      url: '/api/watchlists/import',
      body: {
        csv: `kind,pattern,category,severity,note\nkeyword,Imported ${n},violence,high,\n`,
        replace: false,
      },
    }),
    read: () => get(trustAdmin, '/api/watchlists'),
  },
  {
    route: 'PATCH /api/identity/settings',
    roles: ['admin'],
    write: async () => {
      // Every account here has a second factor, so requiring one of everyone locks no one out.
      const current = (await get(trustAdmin, '/api/identity/settings')) as {
        secondFactorForEveryone: boolean;
      };
      return {
        method: 'PATCH',
        url: '/api/identity/settings',
        body: { secondFactorForEveryone: !current.secondFactorForEveryone },
      };
    },
    read: () => get(trustAdmin, '/api/identity/settings'),
  },
  {
    route: 'PUT /api/identity/sso',
    roles: ['admin'],
    write: (n) => {
      secrets.push(`sso client secret ${n}`);
      return {
        method: 'PUT',
        url: '/api/identity/sso',
        body: {
          enabled: false,
          preset: 'oidc',
          issuer: `https://idp${n}.trust.test`,
          clientId: `harbour-${n}`,
          clientSecret: `sso client secret ${n}`,
          createAccounts: true,
          roles: [{ kind: 'domain', value: `school${n}.test`, role: 'admin' }],
        },
      };
    },
    read: () => get(trustAdmin, '/api/identity/sso'),
  },
];

/** One school's own values: `school` is the school the write names. */
interface SchoolCase {
  route: string;
  write(n: number, school: number): Write;
  read(school: number): Promise<unknown>;
}
const schoolRows = (id: number) =>
  harbour.db.selectFrom('school_settings').selectAll().where('school_id', '=', id).orderBy('key').execute();
const schoolCases: SchoolCase[] = [
  {
    route: 'PATCH /api/safeguarding/schools/:id/settings',
    write: (n, id) => {
      secrets.push(`school smtp secret ${n}`);
      return {
        method: 'PATCH',
        url: `/api/safeguarding/schools/${id}/settings`,
        body: {
          smtp: {
            host: `smtp${n}.school.test`,
            username: `school${n}`,
            password: `school smtp secret ${n}`,
            from: 'harbour@school.test',
            to: [`dsl${n}@school.test`],
          },
          pupilsMayRelease: n % 2 === 0,
        },
      };
    },
    read: schoolRows,
  },
  {
    route: 'PUT /api/safeguarding/schools/:id/staff-pin',
    write: (n, id) => ({
      method: 'PUT',
      url: `/api/safeguarding/schools/${id}/staff-pin`,
      body: { pin: String(200000 + n) },
    }),
    read: schoolRows,
  },
  {
    route: 'DELETE /api/safeguarding/schools/:id/staff-pin',
    write: (_n, id) => ({ method: 'DELETE', url: `/api/safeguarding/schools/${id}/staff-pin` }),
    read: schoolRows,
  },
];

async function send(who: Person, write: Write) {
  return who.client.json<{ error?: { code: string; message: string } }>(write.method, write.url, write.body);
}

const lastAuditId = async () =>
  (await harbour.db.selectFrom('audit_log').select('id').orderBy('id', 'desc').limit(1).executeTakeFirst())
    ?.id ?? 0;

const auditedSince = (since: number, actors: string[]) =>
  harbour.db
    .selectFrom('audit_log')
    .select(['actor', 'action'])
    .where('id', '>', since)
    .where('actor', 'in', actors)
    .execute();

/** The write as `who` succeeds: the setting changed and the change is audited in their name. */
async function changes(who: Person, c: Case): Promise<void> {
  const write = await c.write(++counter);
  const before = JSON.stringify(await c.read());
  const since = await lastAuditId();
  const r = await send(who, write);
  expect(r.status, `${c.route} as ${who.role}: ${JSON.stringify(r.body)}`).toBeLessThan(300);
  expect(JSON.stringify(await c.read()), c.route).not.toBe(before);
  expect((await auditedSince(since, [who.id])).length, `${c.route} audited`).toBeGreaterThan(0);
}

beforeAll(async () => {
  harbour = await startInProcess();
  const admin = new ApiClient(harbour.url);
  await admin.login(adminEmail, password);
  await admin.enrolSecondFactor();
  const me = await admin.json<{ user: { id: string; schoolId: number | null } }>('GET', '/api/auth/me');
  expect(me.body.user.schoolId).toBeNull();
  trustAdmin = { id: me.body.user.id, role: 'admin', client: admin };
  const schools = await admin.json<{ schools: { id: number }[] }>('GET', '/api/schools');
  expect(schools.body.schools).toHaveLength(1);
  school.a = schools.body.schools[0]!.id;
  trustDsl = await make('dsl.trust@trust.test', 'dsl', null);
  staff.adminA = await make('admin.a@trust.test', 'admin', school.a);
  staff.dslA = await make('dsl.a@trust.test', 'dsl', school.a);
});
afterAll(() => harbour?.close());

describe('every trust-wide setting route is marked', () => {
  it('the cases below cover exactly the routes marked trust-wide', () => {
    const marked = harbour.routes.filter((r) => r.trustWide).map((r) => `${r.method} ${r.url}`);
    expect(marked.sort()).toEqual(cases.map((c) => c.route).sort());
  });

  it('the school cases cover exactly the state-changing routes marked per-school', () => {
    const marked = harbour.routes
      .filter((r) => r.perSchool && stateChanging.has(r.method))
      .map((r) => `${r.method} ${r.url}`);
    expect(marked.sort()).toEqual(schoolCases.map((c) => c.route).sort());
  });

  it('every state-changing route that looks like a setting is marked (a new one cannot forget it)', () => {
    const settingsLike =
      /settings|\/sso\b|staff-pin|\/watchlists\/|\/aup\/(audiences|documents|settings)|supervision-settings/;
    const looking = harbour.routes.filter((r) => stateChanging.has(r.method) && settingsLike.test(r.url));
    expect(looking.length).toBeGreaterThanOrEqual(cases.length + schoolCases.length);
    // Trust-wide, or one school's own: never neither, never both.
    for (const r of looking) expect(r.trustWide !== r.perSchool, `${r.method} ${r.url}`).toBe(true);
    // Reads stay open to a school's staff (they are the settings that apply to them).
    for (const r of harbour.routes.filter((x) => !stateChanging.has(x.method)))
      expect(r.trustWide, `${r.method} ${r.url}`).toBe(false);
  });
});

/** What /api/auth/me tells the web app: whether to show the trust's settings read-only. */
async function readOnlyFor(who: Person): Promise<boolean | undefined> {
  const me = await who.client.json<{ session: { trustSettingsReadOnly?: boolean } }>('GET', '/api/auth/me');
  expect(me.status).toBe(200);
  return me.body.session.trustSettingsReadOnly;
}

describe('a trust of one school: its admin and DSL keep full control', () => {
  it('the web app is told the settings are editable', async () => {
    for (const who of [staff.adminA, staff.dslA, trustAdmin, trustDsl])
      expect(await readOnlyFor(who)).toBe(false);
  });

  for (const c of cases) {
    for (const role of c.roles) {
      it(`${c.route} as the school's ${role}: changed and audited`, async () => {
        await changes(role === 'admin' ? staff.adminA : staff.dslA, c);
      });
    }
  }
});

describe('a trust of several schools: only trust-level staff change them', () => {
  beforeAll(async () => {
    const b = await trustAdmin.client.json<{ id: number }>('POST', '/api/schools', {
      name: 'Brook Primary',
      code: 'brook',
    });
    expect(b.status, JSON.stringify(b.body)).toBe(201);
    school.b = b.body.id;
    staff.adminB = await make('admin.b@trust.test', 'admin', school.b);
    staff.dslB = await make('dsl.b@trust.test', 'dsl', school.b);
  });

  for (const c of cases) {
    it(`${c.route}: school B's and school A's admin and DSL are refused, nothing written or audited`, async () => {
      const attackers = [staff.adminB, staff.dslB, staff.adminA, staff.dslA];
      for (const who of attackers) {
        const write = await c.write(++counter);
        const before = JSON.stringify(await c.read());
        const since = await lastAuditId();
        const r = await send(who, write);
        expect(r.status, `${c.route} as ${who.role}: ${JSON.stringify(r.body)}`).toBe(403);
        expect(r.body.error?.code).toBe('forbidden');
        if (c.roles.includes(who.role)) expect(r.body.error?.message).toBe(refusal);
        // The same write by another spelling of the address reaches no handler either.
        for (const url of [`${write.url}/`, write.url.toUpperCase(), write.url.replace('/api/', '/api//')]) {
          const other = await send(who, { ...write, url });
          expect(other.status, `${write.method} ${url}`).toBeGreaterThanOrEqual(400);
        }
        expect(JSON.stringify(await c.read()), `${c.route} unchanged`).toBe(before);
        expect(
          await auditedSince(
            since,
            attackers.map((p) => p.id),
          ),
        ).toEqual([]);
      }
    });

    for (const role of c.roles) {
      it(`${c.route} as a trust-level ${role}: changed and audited`, async () => {
        await changes(trustOf(role), c);
      });
    }
  }

  for (const c of schoolCases) {
    it(`${c.route}: each school’s DSL changes their own school’s (audited), never the other’s`, async () => {
      for (const [who, own, other] of [
        [staff.dslA, school.a, school.b],
        [staff.dslB, school.b, school.a],
      ] as const) {
        // The PIN is set first, so that clearing it changes something.
        if (c.route.startsWith('DELETE'))
          await send(trustDsl, {
            method: 'PUT',
            url: `/api/safeguarding/schools/${own}/staff-pin`,
            body: { pin: '4321' },
          });
        const beforeOwn = JSON.stringify(await c.read(own));
        let since = await lastAuditId();
        const r = await send(who, c.write(++counter, own));
        expect(r.status, `${c.route} own: ${JSON.stringify(r.body)}`).toBeLessThan(300);
        expect(JSON.stringify(await c.read(own))).not.toBe(beforeOwn);
        expect((await auditedSince(since, [who.id])).length).toBeGreaterThan(0);

        if (c.route.startsWith('DELETE'))
          await send(trustDsl, {
            method: 'PUT',
            url: `/api/safeguarding/schools/${other}/staff-pin`,
            body: { pin: '4321' },
          });
        const beforeOther = JSON.stringify(await c.read(other));
        since = await lastAuditId();
        const refused = await send(who, c.write(++counter, other));
        expect(refused.status, `${c.route} other: ${JSON.stringify(refused.body)}`).toBe(403);
        expect(JSON.stringify(await c.read(other))).toBe(beforeOther);
        expect(await auditedSince(since, [who.id])).toEqual([]);
      }
    });

    it(`${c.route} as a trust-level DSL, for either school: changed and audited`, async () => {
      for (const id of [school.a, school.b]) {
        if (c.route.startsWith('DELETE'))
          await send(trustDsl, {
            method: 'PUT',
            url: `/api/safeguarding/schools/${id}/staff-pin`,
            body: { pin: '4321' },
          });
        const before = JSON.stringify(await c.read(id));
        const since = await lastAuditId();
        const r = await send(trustDsl, c.write(++counter, id));
        expect(r.status, `${c.route}: ${JSON.stringify(r.body)}`).toBeLessThan(300);
        expect(JSON.stringify(await c.read(id))).not.toBe(before);
        expect((await auditedSince(since, [trustDsl.id])).length).toBeGreaterThan(0);
      }
    });
  }

  it('the web app is told the settings are read-only to a school’s staff only', async () => {
    for (const who of [staff.adminA, staff.dslA, staff.adminB, staff.dslB])
      expect(await readOnlyFor(who)).toBe(true);
    for (const who of [trustAdmin, trustDsl]) expect(await readOnlyFor(who)).toBe(false);
  });

  it('a school’s staff still read the settings that apply to them, with no secret in them', async () => {
    const reads: Record<Role, string[]> = {
      admin: [
        '/api/aup/overview',
        '/api/aup/documents',
        '/api/aup/settings',
        '/api/supervision-settings',
        '/api/activity/settings',
        '/api/watchlists',
        '/api/identity/settings',
        '/api/identity/sso',
      ],
      dsl: [
        '/api/safeguarding/settings',
        '/api/aup/overview',
        '/api/aup/settings',
        '/api/supervision-settings',
        '/api/activity/settings',
        '/api/watchlists',
      ],
    };
    expect(secrets.length).toBeGreaterThan(0);
    reads.dsl.push(`/api/safeguarding/schools/${school.b}/settings`);
    for (const who of [staff.adminB, staff.dslB]) {
      for (const url of reads[who.role]) {
        const text = JSON.stringify(await get(who, url));
        for (const secret of secrets) expect(text, url).not.toContain(secret);
      }
    }
  });
});
