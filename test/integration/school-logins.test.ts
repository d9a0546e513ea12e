/**
 * Issue 18 item 4: a computer login is unique within a school, not across the trust. Two schools
 * on one real server (SQLite, or PostgreSQL in integration-pg) each import a pupil whose login is
 * `jsmith` (two different children); both imports succeed. Whatever happens on a school's
 * computer signed in as `jsmith` (a report, activity, an AUP decision, the tile) is that school's
 * child's, never the other's: in their chronology only, unseen by the other school's staff, and
 * a trust-level DSL sees the two children apart. A login that only school A has, used on a school
 * B computer, is nobody's (it must not file B's activity in A's child's record). An import from
 * one school never changes the other's logins. An install upgraded from 0017 keeps its logins.
 */
import { randomUUID } from 'node:crypto';
import { Migrator } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveAudience, type AupBundle, type Device, type Pupil } from '@harbour/shared';
import type { Harbour } from '../../dashboard/src/server/app.js';
import { migrations } from '../../dashboard/src/server/db/migrations/index.js';
import { ApiClient } from '../support/api.js';
import { databaseAtMigration } from '../support/database.js';
import { adminEmail, password, startInProcess } from '../support/harbour.js';
import { tempDir } from '../support/paths.js';
import { rosterFiles, uploadRoster, type RosterSpec } from '../support/roster.js';
import { enrolTestDevice, sendEvent, tellBody, type TestDevice } from '../support/tell.js';

let harbour: Harbour;
let admin: ApiClient;
const school = { a: 0, b: 0 };
const room = { a: '', b: '' };
const device = {} as Record<'a' | 'b', TestDevice>;
const staff = {} as Record<'dslA' | 'dslB' | 'trustDsl', ApiClient>;
/** Each school's child whose login is jsmith (A's in Year 2, B's in Year 5). */
const jsmith = { a: '', b: '' };
/** Reports made on each school's computer: as jsmith, and as A's `aonly` on B's computer. */
const tell = { a: '', b: '', aonlyOnB: '', aonlyOnA: '' };

/** One school's export: a jsmith of its own, and (school A only) a login no other school has. */
function spec(k: 'a' | 'b'): RosterSpec {
  const pupils =
    k === 'a'
      ? [
          { id: 'p-1', given: 'Jack', family: 'Smith', grades: '2', username: 'jsmith' },
          { id: 'p-2', given: 'Alys', family: 'Only', grades: '2', username: 'aonly' },
        ]
      : [{ id: 'p-1', given: 'Jade', family: 'Smith', grades: '5', username: 'jsmith' }];
  return {
    pupils,
    teachers: [{ id: 't-1', given: 'Tess', family: 'Teacher', email: `teacher.${k}@trust.test` }],
    classes: [
      { id: 'c-1', title: k === 'a' ? 'Year 2 Robins' : 'Year 5 Owls', grades: k === 'a' ? '2' : '5' },
    ],
    enrolments: [
      ...pupils.map((p) => ['c-1', p.id, 'student'] as [string, string, 'student']),
      ['c-1', 't-1', 'teacher'],
    ],
  };
}

async function reportFrom(d: TestDevice, username: string): Promise<string> {
  const body = tellBody({ user: { username, domain: 'SCHOOL' } });
  expect(await sendEvent(d, body)).toMatchObject({ ok: true });
  const row = await harbour.db
    .selectFrom('incidents')
    .select('id')
    .where('tell_id', '=', body.tellId)
    .executeTakeFirstOrThrow();
  return row.id;
}

const loginsOf = async (schoolId: number) =>
  (
    await harbour.db
      .selectFrom('roster_logins')
      .innerJoin('roster_pupils', 'roster_pupils.id', 'roster_logins.pupil_id')
      .select(['roster_logins.login', 'roster_logins.pupil_id'])
      .where('roster_pupils.school_id', '=', schoolId)
      .orderBy('roster_logins.login')
      .execute()
  ).map((r) => `${r.login}:${r.pupil_id}`);

const chronology = (client: ApiClient, query: string) =>
  client.json<{ entries: { incidentId: string }[]; error?: { message: string } }>(
    'GET',
    `/api/chronology?${query}`,
  );
const schoolName = async (id: number) =>
  (await harbour.db.selectFrom('schools').select('name').where('id', '=', id).executeTakeFirstOrThrow()).name;
const idsIn = (r: { body: { entries: { incidentId: string }[] } }) =>
  [...new Set(r.body.entries.map((e) => e.incidentId))].sort();

beforeAll(async () => {
  harbour = await startInProcess();
  admin = new ApiClient(harbour.url);
  await admin.login(adminEmail, password);
  await admin.enrolSecondFactor();
  school.a = (await admin.json<{ schools: { id: number }[] }>('GET', '/api/schools')).body.schools[0]!.id;
  const b = await admin.json<{ id: number }>('POST', '/api/schools', {
    name: 'Brook Primary',
    code: 'brook',
  });
  expect(b.status, JSON.stringify(b.body)).toBe(201);
  school.b = b.body.id;
  for (const k of ['a', 'b'] as const) {
    const r = await admin.json<{ id: string }>('POST', '/api/rooms', {
      name: `ICT ${k}`,
      schoolId: school[k],
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    room[k] = r.body.id;
    device[k] = await enrolTestDevice(harbour.url, admin, room[k], `pc-${k}`);
  }
  staff.dslA = (await admin.createStaff('dsl.a@trust.test', 'dsl', password, school.a)).client;
  staff.dslB = (await admin.createStaff('dsl.b@trust.test', 'dsl', password, school.b)).client;
  staff.trustDsl = (await admin.createStaff('dsl.trust@trust.test', 'dsl', password, null)).client;
});

afterAll(async () => {
  for (const d of Object.values(device)) d.socket.close();
  await harbour?.close();
});

describe('two schools each with a pupil whose login is jsmith', () => {
  it('both imports succeed, and neither changes the other school’s logins', async () => {
    const a = await uploadRoster(admin, rosterFiles(spec('a')), `?school=${school.a}`);
    expect(a.status, JSON.stringify(a.body)).toBe(200);
    const aLogins = await loginsOf(school.a);
    const b = await uploadRoster(admin, rosterFiles(spec('b')), `?school=${school.b}`);
    expect(b.status, JSON.stringify(b.body)).toBe(200);
    expect(await loginsOf(school.a)).toEqual(aLogins);
    const bLogins = await loginsOf(school.b);
    expect(bLogins.map((l) => l.split(':')[0])).toEqual(['jsmith']);
    // A again (a changed export): B's logins are as they were.
    const again = spec('a');
    again.pupils[1]!.username = 'alys2';
    expect((await uploadRoster(admin, rosterFiles(again), `?school=${school.a}`)).status).toBe(200);
    expect(await loginsOf(school.b)).toEqual(bLogins);
    expect((await uploadRoster(admin, rosterFiles(spec('a')), `?school=${school.a}`)).status).toBe(200);
    expect(await loginsOf(school.a)).toEqual(aLogins);

    const pupils = async (client: ApiClient) =>
      (await client.json<{ pupils: Pupil[] }>('GET', '/api/pupils?q=smith')).body.pupils;
    const [jack] = await pupils(staff.dslA);
    const [jade] = await pupils(staff.dslB);
    expect(jack).toMatchObject({ name: 'Jack Smith', logins: ['jsmith'] });
    expect(jade).toMatchObject({ name: 'Jade Smith', logins: ['jsmith'] });
    jsmith.a = jack!.id;
    jsmith.b = jade!.id;
    expect((await pupils(staff.trustDsl)).map((p) => p.id).sort()).toEqual([jack!.id, jade!.id].sort());
  });

  it('inside one school a login given to two pupils is still refused, and nothing is stored', async () => {
    const twice = spec('b');
    twice.pupils.push({ id: 'p-9', given: 'Jo', family: 'Smith', grades: '5', username: 'jsmith' });
    const before = await loginsOf(school.b);
    const r = await uploadRoster(admin, rosterFiles(twice), `?school=${school.b}`);
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body.problems)).toContain('jsmith');
    expect(await loginsOf(school.b)).toEqual(before);
  });

  it('a report from each school’s computer is that school’s child’s; A’s login on B’s computer is nobody’s', async () => {
    tell.a = await reportFrom(device.a, 'jsmith');
    tell.b = await reportFrom(device.b, 'jsmith');
    tell.aonlyOnB = await reportFrom(device.b, 'aonly');
    tell.aonlyOnA = await reportFrom(device.a, 'aonly');
    const subject = async (client: ApiClient, id: string) =>
      (
        await client.json<{ subject: { pupilId: string | null; name: string | null } }>(
          'GET',
          `/api/incidents/${id}`,
        )
      ).body.subject;
    expect(await subject(staff.dslA, tell.a)).toMatchObject({ pupilId: jsmith.a, name: 'Jack Smith' });
    expect(await subject(staff.dslB, tell.b)).toMatchObject({ pupilId: jsmith.b, name: 'Jade Smith' });
    expect(await subject(staff.dslB, tell.aonlyOnB)).toMatchObject({ pupilId: null });
    expect((await staff.dslB.json('GET', `/api/incidents/${tell.a}`)).status).toBe(404);
  });

  it('each school’s chronology of jsmith is its own child’s; the trust-level DSL names the school or the child', async () => {
    expect(idsIn(await chronology(staff.dslA, 'pupil=jsmith'))).toEqual([tell.a]);
    expect(idsIn(await chronology(staff.dslA, `pupil=${jsmith.a}`))).toEqual([tell.a]);
    expect(idsIn(await chronology(staff.dslB, 'pupil=jsmith'))).toEqual([tell.b]);
    // B's staff asking for A's child by id: nothing of A's.
    expect(idsIn(await chronology(staff.dslB, `pupil=${jsmith.a}`))).toEqual([]);
    // Trust-level: jsmith is two children, so which is asked; never the two merged.
    const ambiguous = await chronology(staff.trustDsl, 'pupil=jsmith');
    expect(ambiguous.status).toBe(400);
    expect(ambiguous.body.error?.message).toMatch(/school/i);
    expect(idsIn(await chronology(staff.trustDsl, `pupil=jsmith&school=${school.a}`))).toEqual([tell.a]);
    expect(idsIn(await chronology(staff.trustDsl, `pupil=jsmith&school=${school.b}`))).toEqual([tell.b]);
    expect(idsIn(await chronology(staff.trustDsl, `pupil=${jsmith.a}`))).toEqual([tell.a]);
    expect(idsIn(await chronology(staff.trustDsl, `pupil=${jsmith.b}`))).toEqual([tell.b]);
    // A's aonly: their report on A's computer, not the one made on B's as aonly.
    expect(idsIn(await chronology(staff.trustDsl, 'pupil=aonly'))).toEqual([tell.aonlyOnA]);
    const bad = await chronology(staff.trustDsl, 'pupil=jsmith&school=nope');
    expect(bad.status).toBe(400);
    // Subject access follows the same rule.
    const sar = await staff.trustDsl.json<{ incidents: { id: string }[] }>(
      'GET',
      `/api/subject-access?pupil=jsmith&school=${school.b}`,
    );
    expect(sar.status).toBe(200);
    expect(sar.body.incidents.map((i) => i.id)).toEqual([tell.b]);
    expect((await staff.trustDsl.json('GET', '/api/subject-access?pupil=jsmith')).status).toBe(400);
  });

  it('activity and the tile name the child of the computer’s school', async () => {
    const window = {
      app: 'Chromium',
      title: 'Games',
      exePath: null,
      url: 'https://games.example/',
      domain: 'games.example',
      private: false,
    };
    const start = Date.now() - 30_000;
    for (const k of ['a', 'b'] as const) {
      expect(
        await sendEvent(
          device[k],
          { type: 'activity.changed', state: 'active', user: { username: 'jsmith' }, window },
          randomUUID(),
          new Date(start),
        ),
      ).toMatchObject({ ok: true });
      await device[k].socket.emitWithAck('agent:presence', { user: { username: 'jsmith' }, locked: false });
    }
    await sendEvent(
      device.b,
      { type: 'activity.changed', state: 'active', user: { username: 'aonly' }, window },
      randomUUID(),
      new Date(start + 5_000),
    );
    const range = `from=${new Date(start - 60_000).toISOString()}&to=${new Date(Date.now() + 60_000).toISOString()}`;
    const names = async (client: ApiClient, k: 'a' | 'b') => {
      const r = await client.json<{ intervals: { user: string; person?: { name: string | null } | null }[] }>(
        'GET',
        `/api/activity?deviceId=${device[k].deviceId}&${range}`,
      );
      expect(r.status).toBe(200);
      return r.body.intervals.map((i) => `${i.user}=${i.person?.name ?? null}`).sort();
    };
    expect(await names(staff.dslA, 'a')).toEqual(['jsmith=Jack Smith']);
    expect(await names(staff.dslB, 'b')).toEqual(['aonly=null', 'jsmith=Jade Smith']);
    expect(await names(staff.trustDsl, 'b')).toEqual(['aonly=null', 'jsmith=Jade Smith']);
    const tile = async (k: 'a' | 'b') =>
      (await staff.trustDsl.json<{ devices: Device[] }>('GET', `/api/devices?roomId=${room[k]}`)).body
        .devices[0]?.person?.name;
    expect(await tile('a')).toBe('Jack Smith');
    expect(await tile('b')).toBe('Jade Smith');
  });

  it('the AUP: each computer’s rules follow its school’s jsmith, and the register names that child', async () => {
    const bundle = async (k: 'a' | 'b') =>
      ((await device[k].socket.emitWithAck('aup:bundle', {})) as { ok: boolean; data: AupBundle }).data;
    const a = await bundle('a');
    const b = await bundle('b');
    const audience = (set: AupBundle, k: 'a' | 'b') =>
      resolveAudience(set.settings, { username: 'jsmith', groups: [], roomId: room[k] });
    expect(audience(a, 'a')).toBe('ks1');
    expect(audience(b, 'b')).toBe('ks2');
    // A's computer's rules say nothing of B's pupils (nor B's of A's aonly).
    expect(JSON.stringify(b.settings.rules)).not.toContain('aonly');
    const ks1 = a.documents.find((d) => d.audience === 'ks1')!;
    expect(
      await sendEvent(device.a, {
        type: 'aup.decision',
        user: { username: 'jsmith', domain: 'SCHOOL' },
        audience: 'ks1',
        documentId: ks1.id,
        version: ks1.version,
        textHash: ks1.textHash,
        decision: 'accepted',
        source: 'server',
      }),
    ).toMatchObject({ ok: true });
    const register = async (client: ApiClient) =>
      (
        await client.json<{
          entries: { username: string; roomId: string | null; person?: { pupilId: string | null } | null }[];
        }>('GET', '/api/aup/register')
      ).body.entries.filter((e) => e.username.toLowerCase().endsWith('jsmith'));
    expect((await register(staff.dslA)).map((e) => e.person?.pupilId)).toEqual([jsmith.a]);
    expect(await register(staff.dslB)).toEqual([]);
    expect((await register(staff.trustDsl)).map((e) => e.person?.pupilId)).toEqual([jsmith.a]);
  });
});

describe('the AUP register keeps two schools’ jsmith apart (issue 18 review, item 1)', () => {
  it('the status is one entry per school’s jsmith, each with its own decision; a school sees its own', async () => {
    // B's jsmith declines on B's computer after A's jsmith agreed on A's (the test above).
    const b = ((await device.b.socket.emitWithAck('aup:bundle', {})) as { data: AupBundle }).data;
    const ks2 = b.documents.find((d) => d.audience === 'ks2')!;
    expect(
      await sendEvent(device.b, {
        type: 'aup.decision',
        user: { username: 'jsmith', domain: 'SCHOOL' },
        audience: 'ks2',
        documentId: ks2.id,
        version: ks2.version,
        textHash: ks2.textHash,
        decision: 'declined',
        source: 'server',
      }),
    ).toMatchObject({ ok: true });
    type Status = {
      username: string;
      status: string;
      audience: string | null;
      schoolId: number | null;
      schoolName: string | null;
      lastRoomId: string | null;
      person?: { pupilId: string | null } | null;
    };
    const status = async (client: ApiClient, query = '') => {
      const r = await client.json<{ users: Status[] }>(
        'GET',
        `/api/aup/status?username=${encodeURIComponent('SCHOOL\\jsmith')}${query}`,
      );
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return r.body.users.map((u) => ({
        school: u.schoolId,
        status: u.status,
        audience: u.audience,
        room: u.lastRoomId,
        pupil: u.person?.pupilId ?? null,
      }));
    };
    const aRow = { school: school.a, status: 'current', audience: 'ks1', room: room.a, pupil: jsmith.a };
    const bRow = { school: school.b, status: 'declined', audience: 'ks2', room: room.b, pupil: jsmith.b };
    const trust = await status(staff.trustDsl);
    expect(trust).toHaveLength(2);
    expect(trust).toEqual(expect.arrayContaining([aRow, bRow]));
    const named = await staff.trustDsl.json<{ users: Status[] }>('GET', '/api/aup/status');
    expect(named.body.users.find((u) => u.schoolId === school.b)?.schoolName).toBe('Brook Primary');
    // A's DSL: A's child agreed; B's decline is not theirs to see, nor is it A's child's standing.
    expect(await status(staff.dslA)).toEqual([aRow]);
    expect(await status(staff.dslB)).toEqual([bRow]);
    // The filters work within each school's entries.
    expect(await status(staff.trustDsl, '&status=declined')).toEqual([bRow]);
    expect(await status(staff.trustDsl, `&roomId=${room.a}`)).toEqual([aRow]);
  });

  it('the register and its CSV say which school each decision is', async () => {
    const entries = (
      await staff.trustDsl.json<{
        entries: { username: string; schoolId: number | null; decision: string }[];
      }>('GET', `/api/aup/register?username=${encodeURIComponent('SCHOOL\\jsmith')}`)
    ).body.entries.map((e) => `${e.schoolId}:${e.decision}`);
    expect(entries.sort()).toEqual([`${school.a}:accepted`, `${school.b}:declined`].sort());
    const csv = (await (await staff.trustDsl.request('GET', '/api/aup/register.csv')).text())
      .trim()
      .split(/\r\n/);
    expect(csv[0]).toBe(
      'user,display_name,audience,version,text_hash,decision,time,device,room,source,school',
    );
    const jsmithRows = csv.filter((l) => l.startsWith('SCHOOL\\jsmith,'));
    expect(jsmithRows.map((l) => l.split(',').slice(-2).join(',')).sort()).toEqual(
      ['server,Brook Primary', `server,${await schoolName(school.a)}`].sort(),
    );
    const aCsv = (await (await staff.dslA.request('GET', '/api/aup/register.csv')).text())
      .trim()
      .split(/\r\n/);
    expect(aCsv.filter((l) => l.startsWith('SCHOOL\\jsmith,'))).toHaveLength(1);
  });
  it('a computer’s tile counts the decisions of its own school’s jsmith only', async () => {
    // A's jsmith now agrees to B's audience's policy too, on A's computer, after B's declined it.
    const b = ((await device.b.socket.emitWithAck('aup:bundle', {})) as { data: AupBundle }).data;
    const ks2 = b.documents.find((d) => d.audience === 'ks2')!;
    expect(
      await sendEvent(device.a, {
        type: 'aup.decision',
        user: { username: 'jsmith', domain: 'SCHOOL' },
        audience: 'ks2',
        documentId: ks2.id,
        version: ks2.version,
        textHash: ks2.textHash,
        decision: 'accepted',
        source: 'server',
      }),
    ).toMatchObject({ ok: true });
    for (const k of ['a', 'b'] as const)
      await device[k].socket.emitWithAck('agent:presence', {
        user: { username: 'jsmith', domain: 'SCHOOL' },
        locked: false,
      });
    const tile = async (k: 'a' | 'b') =>
      (await staff.trustDsl.json<{ devices: Device[] }>('GET', `/api/devices?roomId=${room[k]}`)).body
        .devices[0]?.aup as unknown;
    expect(await tile('a')).toEqual({ state: 'current', label: 'Agreed' });
    // B's jsmith declined; A's child agreeing is not B's child agreeing.
    expect(await tile('b')).toEqual({ state: 'declined', label: 'Did not agree' });
  });
});

describe('a chronology or subject access naming a school (issue 18 review, item 2)', () => {
  const audits = async () =>
    Number(
      (
        await harbour.db
          .selectFrom('audit_log')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  it('a school that does not exist, or is not a number: 400 naming school, and nothing audited', async () => {
    for (const path of ['/api/chronology', '/api/subject-access']) {
      for (const named of ['999999', 'nope', '1.5', '-1']) {
        const before = await audits();
        const r = await staff.trustDsl.json<{ error?: { message: string } }>(
          'GET',
          `${path}?pupil=jsmith&school=${named}`,
        );
        expect(r.status, `${path} school=${named}: ${JSON.stringify(r.body)}`).toBe(400);
        expect(r.body.error?.message).toMatch(/school/);
        expect(await audits()).toBe(before);
      }
    }
  });

  it('a school’s staff naming another school: 403, and nothing audited', async () => {
    for (const path of ['/api/chronology', '/api/subject-access']) {
      const before = await audits();
      const r = await staff.dslA.json('GET', `${path}?pupil=jsmith&school=${school.b}`);
      expect(r.status, path).toBe(403);
      expect(await audits()).toBe(before);
      // Their own school named is as good as not naming it.
      const own = await staff.dslA.json('GET', `${path}?pupil=jsmith&school=${school.a}`);
      expect(own.status, path).toBe(200);
    }
  });
});

describe('upgrade from 0017', () => {
  it('keeps each login with its pupil, now in the pupil’s school', async () => {
    const dataDir = tempDir('school-logins-upgrade');
    const old = await databaseAtMigration(dataDir, '0017_retention_schools');
    const now = new Date().toISOString();
    const first = await old.selectFrom('schools').select('id').executeTakeFirstOrThrow();
    const pupilId = randomUUID();
    await old
      .insertInto('roster_pupils')
      .values({
        id: pupilId,
        sourced_id: 'p-1',
        given_name: 'Old',
        family_name: 'Pupil',
        year_group: 'Y3',
        created_at: now,
        updated_at: now,
        left_at: null,
        school_id: first.id,
      })
      .execute();
    await old.insertInto('roster_logins').values({ login: 'opupil', pupil_id: pupilId }).execute();
    await old.insertInto('roster_logins').values({ login: 'opupil2', pupil_id: pupilId }).execute();
    await old.destroy();

    const upgraded = await startInProcess(dataDir);
    try {
      const rows = await upgraded.db.selectFrom('roster_logins').selectAll().orderBy('login').execute();
      expect(rows).toEqual([
        { login: 'opupil', pupil_id: pupilId, school_id: first.id },
        { login: 'opupil2', pupil_id: pupilId, school_id: first.id },
      ]);
      // The pupil's logins still go with them (a pupil deleted takes their logins).
      const client = new ApiClient(upgraded.url);
      await client.login(adminEmail, password);
      const found = await client.json<{ pupils: Pupil[] }>('GET', '/api/pupils?q=opupil');
      expect(found.body.pupils.map((p) => p.logins)).toEqual([['opupil', 'opupil2']]);
      // The same login in the same school twice is refused by the database itself.
      await expect(
        upgraded.db
          .insertInto('roster_logins')
          .values({ login: 'opupil', pupil_id: pupilId, school_id: Number(first.id) })
          .execute(),
      ).rejects.toThrow();
    } finally {
      await upgraded.close();
    }
  });
});

describe('migration 0019 down (issue 18 review, item 3)', () => {
  it('refuses while two schools share a login, changing nothing; else goes back to the trust-wide key, and up again', async () => {
    const dataDir = tempDir('school-logins-down');
    const db = await databaseAtMigration(dataDir, '0019_school_logins');
    const migrator = new Migrator({ db, provider: { getMigrations: () => Promise.resolve(migrations) } });
    try {
      const now = new Date().toISOString();
      const first = Number((await db.selectFrom('schools').select('id').executeTakeFirstOrThrow()).id);
      const second = Number(
        (
          await db
            .insertInto('schools')
            .values({ name: 'Brook Primary', code: 'brook', created_at: now })
            .returning('id')
            .executeTakeFirstOrThrow()
        ).id,
      );
      const pupil = async (schoolId: number, sourcedId: string) => {
        const id = randomUUID();
        await db
          .insertInto('roster_pupils')
          .values({
            id,
            sourced_id: sourcedId,
            given_name: 'J',
            family_name: 'Smith',
            year_group: 'Y3',
            created_at: now,
            updated_at: now,
            left_at: null,
            school_id: schoolId,
          })
          .execute();
        return id;
      };
      const jack = await pupil(first, 'p-1');
      const jade = await pupil(second, 'p-1');
      await db
        .insertInto('roster_logins')
        .values([
          { login: 'jsmith', pupil_id: jack, school_id: first },
          { login: 'jack2', pupil_id: jack, school_id: first },
          { login: 'jsmith', pupil_id: jade, school_id: second },
        ])
        .execute();
      const rows = () =>
        db.selectFrom('roster_logins').selectAll().orderBy('login').orderBy('pupil_id').execute();
      const before = await rows();
      const applied = async () =>
        (await migrator.getMigrations())
          .filter((m) => m.executedAt !== undefined)
          .map((m) => m.name)
          .at(-1);

      // Two schools' jsmith: refused with the login named, and nothing changed (0019 still applied).
      const refused = await migrator.migrateDown();
      expect(refused.error).toBeInstanceOf(Error);
      expect(String((refused.error as Error).message)).toMatch(/jsmith.*more than one school/);
      expect(await rows()).toEqual(before);
      expect(await applied()).toBe('0019_school_logins');

      // Once the login is one school's only, down keeps every row, without its school, under the old key.
      await db.deleteFrom('roster_logins').where('pupil_id', '=', jade).execute();
      const down = await migrator.migrateDown();
      expect(down.error).toBeUndefined();
      expect(await applied()).toBe('0018_school_settings');
      expect(await rows()).toEqual([
        { login: 'jack2', pupil_id: jack },
        { login: 'jsmith', pupil_id: jack },
      ]);
      await expect(
        db.insertInto('roster_logins').values({ login: 'jsmith', pupil_id: jade }).execute(),
      ).rejects.toThrow();
      // A pupil removed still takes their logins (the reference was made again).
      const gone = await pupil(first, 'p-9');
      await db.insertInto('roster_logins').values({ login: 'gone', pupil_id: gone }).execute();
      await db.deleteFrom('roster_pupils').where('id', '=', gone).execute();
      expect((await rows()).map((r) => r.login)).toEqual(['jack2', 'jsmith']);

      // And up again: each login in its pupil's school.
      const up = await migrator.migrateUp();
      expect(up.error).toBeUndefined();
      expect(await applied()).toBe('0019_school_logins');
      expect(await rows()).toEqual([
        { login: 'jack2', pupil_id: jack, school_id: first },
        { login: 'jsmith', pupil_id: jack, school_id: first },
      ]);
      await db
        .insertInto('roster_logins')
        .values({ login: 'jsmith', pupil_id: jade, school_id: second })
        .execute();
    } finally {
      await db.destroy();
    }
  });
});
