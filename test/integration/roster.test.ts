import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  resolveAudience,
  type AupBundle,
  type Device,
  type Pupil,
  type RosterImportResult,
} from '@harbour/shared';
import type { Harbour } from '../../dashboard/src/server/app.js';
import { startHarbour } from '../../dashboard/src/server/app.js';
import pino from 'pino';
import type { ApiClient } from '../support/api.js';
import { adminEmail, password, staffClients, startInProcess, type Caller } from '../support/harbour.js';
import { tempDir } from '../support/paths.js';
import { rosterFiles, sampleRoster, uploadRoster, type RosterSpec } from '../support/roster.js';
import { enrolTestDevice, sendEvent, tellBody } from '../support/tell.js';
import { makeZip } from '../support/zip.js';

let harbour: Harbour;
let clients: Record<Caller, ApiClient>;

beforeAll(async () => {
  harbour = await startInProcess();
  clients = await staffClients(harbour);
});
afterAll(() => harbour.close());

const pupils = async (client: ApiClient, q = '') =>
  (await client.json<{ pupils: Pupil[] }>('GET', `/api/pupils${q ? `?q=${encodeURIComponent(q)}` : ''}`)).body
    .pupils;
const names = (list: Pupil[]) => list.map((p) => p.name).sort();

describe('importing a OneRoster export', () => {
  it('the five files make pupils, classes and staff, and answer the counts', async () => {
    const res = await uploadRoster(clients.admin, rosterFiles(sampleRoster()));
    expect(res.status).toBe(200);
    const body = res.body as unknown as RosterImportResult;
    expect({ pupils: body.pupils, classes: body.classes, staff: body.staff, errors: body.errors }).toEqual({
      pupils: 4,
      classes: 2,
      staff: 2,
      errors: 0,
    });
    expect(body.changes?.pupils).toEqual({ added: 4, updated: 0, left: 0 });
    const all = await pupils(clients.dsl);
    const ada = all.find((p) => p.name === 'Ada Lovelace');
    expect(ada).toMatchObject({ yearGroup: 'Y2', keyStage: 'KS1', classes: [{ name: 'Year 2 Robins' }] });
    // The username and the Windows id (without its domain), lower case.
    expect(ada?.logins).toEqual(['ada01', 'alovelace']);
    expect(all.find((p) => p.name === 'Dylan Thomas')).toMatchObject({ yearGroup: 'Y5', keyStage: 'KS2' });
  });

  it('the same export in a zip (in a folder inside it) gives the same roster, and nothing changes', async () => {
    const files = rosterFiles(sampleRoster());
    const zip = makeZip(
      Object.entries(files).map(([name, text]) => ({ name: `export/${name}`, data: Buffer.from(text) })),
    );
    const res = await uploadRoster(clients.admin, { 'roster.zip': zip });
    expect(res.status).toBe(200);
    const body = res.body as unknown as RosterImportResult;
    expect(body.pupils).toBe(4);
    expect(body.changes?.pupils).toEqual({ added: 0, updated: 0, left: 0 });
  });

  it('a pupil who leaves is no longer listed, and one renamed is updated; both are reported', async () => {
    const spec = sampleRoster();
    spec.pupils = spec.pupils.filter((p) => p.id !== 'p-2');
    spec.enrolments = spec.enrolments.filter(([, u]) => u !== 'p-2');
    spec.pupils[0]!.family = 'King';
    const res = await uploadRoster(clients.admin, rosterFiles(spec));
    expect(res.status).toBe(200);
    const body = res.body as unknown as RosterImportResult;
    expect(body.changes?.pupils).toEqual({ added: 0, updated: 1, left: 1 });
    expect(body.left).toEqual(['Brian Jones']);
    expect(names(await pupils(clients.dsl))).toEqual(['Ada King', 'Cerys Evans', 'Dylan Thomas']);
    // Kept for the records: the row is still there, marked as left.
    const kept = await harbour.db
      .selectFrom('roster_pupils')
      .select(['left_at'])
      .where('sourced_id', '=', 'p-2')
      .executeTakeFirst();
    expect(kept?.left_at).toBeTruthy();
    // Back again next import.
    expect((await uploadRoster(clients.admin, rosterFiles(sampleRoster()))).status).toBe(200);
    expect(names(await pupils(clients.dsl))).toContain('Brian Jones');
  });
});

describe('a bad export is refused whole, each bad row named', () => {
  const refused = async (spec: RosterSpec, edit?: (files: Record<string, string>) => void) => {
    const before = names(await pupils(clients.dsl));
    const files = rosterFiles(spec);
    edit?.(files);
    const res = await uploadRoster(clients.admin, files);
    expect(res.status).toBe(400);
    expect(res.body.pupils).toBe(0);
    expect((res.body as { error?: { code: string } }).error?.code).toBe('validation_failed');
    expect(names(await pupils(clients.dsl))).toEqual(before);
    return res.body.problems ?? [];
  };

  it('duplicate ids, a pupil in an unknown class, bad dates and a login claimed twice', async () => {
    const spec = sampleRoster();
    spec.pupils.push({ id: 'p-1', given: 'Again', family: 'Duplicate', grades: '3', username: 'again' });
    spec.pupils.push({ id: 'p-9', given: 'Same', family: 'Login', grades: '3', username: 'CEVANS' });
    spec.enrolments.push(['c-404', 'p-3', 'student']);
    const problems = await refused(spec, (files) => {
      files['academicSessions.csv'] = files['academicSessions.csv']!.replace('2026-12-18', '2026-02-30');
      files['enrollments.csv'] = files['enrollments.csv']!.replace(
        'enr-1,c-2,org-1,p-1,student,active,2026-09-01T08:00:00Z,false,2026-09-01',
        'enr-1,c-2,org-1,p-1,student,active,yesterday,false,2026-09-01',
      );
    });
    const where = problems.map((p) => `${p.file}:${p.line}:${p.field}`);
    expect(where).toEqual(
      expect.arrayContaining([
        'academicSessions.csv:2:endDate',
        'users.csv:6:sourcedId',
        'users.csv:7:username',
        'enrollments.csv:2:dateLastModified',
        'enrollments.csv:8:classSourcedId',
      ]),
    );
    expect(problems.find((p) => p.field === 'username')?.message).toMatch(
      /"cevans" is already the pupil's on line 4/,
    );
    expect(problems.find((p) => p.field === 'classSourcedId')?.message).toMatch(/No class "c-404"/);
  });

  it('the school’s own term dates come with the roster; a bad session changes nothing; a new export replaces them', async () => {
    const withCalendar = (extra: string) => {
      const files = rosterFiles(sampleRoster());
      files['academicSessions.csv'] += extra;
      return files;
    };
    const m = '2026-09-01T08:00:00Z';
    const calendar = [
      `year-1,active,${m},2026 to 2027,schoolYear,2026-09-01,2027-07-21,,2027`,
      `term-2,active,${m},Spring 2027,TERM,2027-01-05,2027-03-26,year-1,2027`,
      `term-old,tobedeleted,${m},Summer 2026,term,2026-04-13,2026-07-22,,2026`,
    ].join('\n');
    expect((await uploadRoster(clients.admin, withCalendar(`${calendar}\n`))).status).toBe(200);
    const terms = async (client: ApiClient) =>
      (
        await client.json<{ sessions: { id: string; type: string; startDate: string; endDate: string }[] }>(
          'GET',
          '/api/terms',
        )
      ).body.sessions;
    const expected = [
      { id: 'term-1', title: 'Autumn 2026', type: 'term', startDate: '2026-09-01', endDate: '2026-12-18' },
      {
        id: 'year-1',
        title: '2026 to 2027',
        type: 'schoolYear',
        startDate: '2026-09-01',
        endDate: '2027-07-21',
      },
      // Exports vary in case: the type is stored as OneRoster spells it.
      { id: 'term-2', title: 'Spring 2027', type: 'term', startDate: '2027-01-05', endDate: '2027-03-26' },
    ];
    expect(await terms(clients.teacher)).toEqual(expected);
    expect(await terms(clients.technician)).toEqual(expected);

    // An unknown session type or a spreadsheet-sized title: the whole import is refused, the calendar kept.
    const bad = await uploadRoster(
      clients.admin,
      withCalendar(
        `term-3,active,${m},Holidays,vacation,2027-04-01,2027-04-12,,2027\nterm-4,active,${m},${'x'.repeat(300)},term,2027-04-13,2027-07-21,,2027\n`,
      ),
    );
    expect(bad.status).toBe(400);
    const where = (
      (bad.body as { problems?: { file: string; line: number; field: string }[] }).problems ?? []
    ).map((p) => `${p.file}:${p.line}:${p.field}`);
    expect(where).toEqual(['academicSessions.csv:3:type', 'academicSessions.csv:4:title']);
    expect(await terms(clients.dsl)).toEqual(expected);

    // The next export is the calendar: term-2 and the year are gone, as the school's MIS says.
    expect((await uploadRoster(clients.admin, rosterFiles(sampleRoster()))).status).toBe(200);
    expect((await terms(clients.dsl)).map((t) => t.id)).toEqual(['term-1']);
  });

  it('a pupil given the login root or Administrator is refused', async () => {
    const spec = sampleRoster();
    spec.pupils[0]!.username = 'root';
    spec.pupils[1]!.userIds = '{Windows:SCHOOL\\Administrator}';
    const problems = await refused(spec);
    expect(problems.map((p) => `${p.line}:${p.field}`)).toEqual(['2:username', '3:userIds']);
    expect(problems[0]?.message).toMatch(/computer's own accounts/);
  });

  it('a missing file, a missing column, a year that is not primary, and text that is not CSV', async () => {
    const spec = sampleRoster();
    spec.pupils[3]!.grades = '9';
    expect((await refused(spec)).map((p) => `${p.file}:${p.field}`)).toEqual(['users.csv:grades']);
    const noOrgs = await refused(sampleRoster(), (files) => delete files['orgs.csv']);
    expect(noOrgs[0]).toMatchObject({ file: 'orgs.csv', line: 0 });
    const noColumn = await refused(sampleRoster(), (files) => {
      files['users.csv'] = files['users.csv']!.replace('givenName', 'firstName');
    });
    expect(noColumn[0]).toMatchObject({ file: 'users.csv', line: 1, field: 'givenName' });
    const notCsv = await refused(sampleRoster(), (files) => {
      files['classes.csv'] = 'sourcedId,title\n"unterminated,quote\n';
    });
    expect(notCsv[0]?.file).toBe('classes.csv');
  });

  it('a name that is a spreadsheet formula is stored as given, never run', async () => {
    const spec = sampleRoster();
    spec.pupils[2]!.given = '=HYPERLINK("http://evil.example","Cerys")';
    expect((await uploadRoster(clients.admin, rosterFiles(spec))).status).toBe(200);
    const found = await pupils(clients.dsl, 'hyperlink');
    expect(found.map((p) => p.name)).toEqual(['=HYPERLINK("http://evil.example","Cerys") Evans']);
    expect((await uploadRoster(clients.admin, rosterFiles(sampleRoster()))).status).toBe(200);
  });
});

describe('hostile archives and sizes', () => {
  const files = () =>
    Object.entries(rosterFiles(sampleRoster())).map(([name, text]) => ({ name, data: Buffer.from(text) }));

  it('a zip bomb whose headers lie about its size is refused, and the server carries on', async () => {
    const bomb = makeZip([
      ...files(),
      { name: 'extra.csv', data: Buffer.alloc(40 * 1024 * 1024), declaredSize: 100 },
    ]);
    expect(bomb.length).toBeLessThan(200_000);
    const res = await uploadRoster(clients.admin, { 'roster.zip': bomb });
    expect(res.status).toBe(400);
    expect(res.body.problems?.[0]?.message).toMatch(/extra.csv does not inflate to the size its header says/);
    expect((await clients.admin.json('GET', '/api/health')).status).toBe(200);
  });

  it('a zip that declares a huge file, or holds thousands of entries, is refused before inflating', async () => {
    const big = makeZip([...files(), { name: 'users2.csv', data: Buffer.alloc(20 * 1024 * 1024) }]);
    const res = await uploadRoster(clients.admin, { 'roster.zip': big });
    expect(res.status).toBe(400);
    expect(res.body.problems?.[0]?.message).toMatch(/larger than 16 MiB/);
    const many = makeZip(
      Array.from({ length: 5000 }, (_, i) => ({ name: `f${i}.csv`, data: Buffer.from('a') })),
    );
    const res2 = await uploadRoster(clients.admin, { 'roster.zip': many });
    expect(res2.status).toBe(400);
    expect(res2.body.problems?.[0]?.message).toMatch(/5000 entries/);
  });

  it('a users.csv of 200,000 rows is refused with a clear message, quickly', async () => {
    const header = rosterFiles(sampleRoster())['users.csv']!.split('\n')[0]!;
    const rows = Array.from(
      { length: 200_000 },
      (_, i) => `u${i},active,,true,org-1,student,u${i},,A,B,,,,,,,3,`,
    ).join('\n');
    const started = Date.now();
    const res = await uploadRoster(clients.admin, {
      ...rosterFiles(sampleRoster()),
      'users.csv': `${header}\n${rows}\n`,
    });
    expect(res.status).toBe(400);
    expect(res.body.problems?.[0]).toMatchObject({ file: 'users.csv', line: 0 });
    expect(res.body.problems?.[0]?.message).toMatch(/more than 100000 rows/);
    // Not a timing assertion of the product: a guard that the refusal did not import row by row.
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('a file larger than the limit is refused as too large', async () => {
    const res = await uploadRoster(clients.admin, { 'users.csv': Buffer.alloc(17 * 1024 * 1024, 'a') });
    expect(res.status).toBe(413);
  });

  it('JSON, or no files at all, is not an import', async () => {
    const json = await clients.admin.json('POST', '/api/roster/import', {});
    expect(json.status).toBe(415);
    const none = await uploadRoster(clients.admin, {});
    expect(none.status).toBe(400);
    expect(none.body.errors).toBe(5);
  });
});

describe('who may import and see pupils', () => {
  it('only an admin imports: a teacher, the DSL and a technician are refused, and nothing changes', async () => {
    const spec = sampleRoster();
    spec.pupils.push({ id: 'p-x', given: 'Sneaky', family: 'Addition', grades: '5', username: 'sneaky' });
    for (const who of ['teacher', 'dsl', 'technician'] as const) {
      const res = await uploadRoster(clients[who], rosterFiles(spec));
      expect(res.status).toBe(403);
    }
    expect(names(await pupils(clients.dsl))).not.toContain('Sneaky Addition');
  });

  it('an admin’s browser on a page of another site cannot post a roster (its Origin is refused)', async () => {
    const form = new FormData();
    for (const [name, text] of Object.entries(rosterFiles({ ...sampleRoster(), pupils: [] })))
      form.append('files', new Blob([text]), name);
    const res = await fetch(`${harbour.url}/api/roster/import`, {
      method: 'POST',
      headers: { cookie: clients.admin.cookieHeader, origin: 'http://evil.example' },
      body: form,
    });
    expect(res.status).toBe(403);
    expect((await pupils(clients.dsl)).length).toBeGreaterThan(0);
  });

  it('a teacher sees only their classes’ pupils; the DSL all; a technician none', async () => {
    expect(names(await pupils(clients.teacher))).toEqual(['Cerys Evans', 'Dylan Thomas']);
    expect(await pupils(clients.teacher, 'ada')).toEqual([]);
    expect(names(await pupils(clients.dsl, 'ada'))).toEqual(['Ada Lovelace']);
    // By login name too.
    expect(names(await pupils(clients.dsl, 'bjones'))).toEqual(['Brian Jones']);
    // LIKE's wildcards are matched as themselves.
    expect(await pupils(clients.dsl, '%')).toEqual([]);
    const tech = await clients.technician.json('GET', '/api/pupils');
    expect(tech.status).toBe(403);
    const classes = await clients.teacher.json<{ classes: { name: string }[] }>('GET', '/api/classes');
    expect(classes.body.classes.map((c) => c.name)).toEqual(['Year 5 Owls']);
  });
});

describe('the person at the computer', () => {
  it('a tile shows the pupil behind the login, and an unknown login as unknown', async () => {
    const room = await clients.admin.createRoom('Roster room');
    const a = await enrolTestDevice(harbour.url, clients.admin, room.id, 'PC-ROSTER-1');
    const b = await enrolTestDevice(harbour.url, clients.admin, room.id, 'PC-ROSTER-2');
    await a.socket.emitWithAck('agent:presence', {
      user: { username: 'ADA01', domain: 'SCHOOL' },
      locked: false,
    });
    await b.socket.emitWithAck('agent:presence', { user: { username: 'guest7' }, locked: false });
    const list = (await clients.dsl.json<{ devices: Device[] }>('GET', `/api/devices?roomId=${room.id}`)).body
      .devices;
    const byName = new Map(list.map((d) => [d.hostname, d]));
    expect(byName.get('PC-ROSTER-1')?.person).toMatchObject({
      known: true,
      name: 'Ada Lovelace',
      yearGroup: 'Y2',
      keyStage: 'KS1',
      className: 'Year 2 Robins',
    });
    expect(byName.get('PC-ROSTER-2')?.person).toMatchObject({ known: false, name: null });
    a.socket.close();
    b.socket.close();
  });

  it('the activity timeline and the flags list name the pupil; an unknown login is marked unknown', async () => {
    const room = await clients.admin.createRoom('Roster activity room');
    const device = await enrolTestDevice(harbour.url, clients.admin, room.id, 'PC-ROSTER-3');
    const window = {
      app: 'Chromium',
      title: 'Games',
      exePath: null,
      url: 'https://games.example/',
      domain: 'games.example',
      private: false,
    };
    const start = Date.now() - 60_000;
    for (const [i, user] of [{ username: 'bjones' }, { username: 'jdoe' }].entries()) {
      const at = new Date(start + i * 10_000);
      expect(
        await sendEvent(
          device,
          { type: 'activity.changed', state: 'active', user, window },
          randomUUID(),
          at,
        ),
      ).toMatchObject({ ok: true });
      expect(
        await sendEvent(
          device,
          {
            type: 'activity.flag',
            user,
            window,
            match: {
              entryId: randomUUID(),
              kind: 'domain',
              pattern: `games${i}.example`,
              category: 'games',
              severity: 'low',
              where: 'domain',
              matched: 'games.example',
            },
            evidence: [],
          },
          randomUUID(),
          at,
        ),
      ).toMatchObject({ ok: true });
    }
    const range = `from=${new Date(start - 60_000).toISOString()}&to=${new Date(Date.now() + 60_000).toISOString()}`;
    const timeline = await clients.dsl.json<{
      intervals: {
        user: string | null;
        person?: { known: boolean; name: string | null; className: string | null } | null;
      }[];
    }>('GET', `/api/activity?deviceId=${device.deviceId}&${range}`);
    expect(timeline.status).toBe(200);
    const byUser = new Map(timeline.body.intervals.map((i) => [i.user, i.person]));
    expect(byUser.get('bjones')).toMatchObject({ known: true, name: 'Brian Jones' });
    expect(byUser.get('jdoe')).toMatchObject({ known: false, name: null });
    const flags = await clients.dsl.json<{
      flags: { user: string | null; person?: { known: boolean; name: string | null } | null }[];
    }>('GET', `/api/flags?deviceId=${device.deviceId}`);
    expect(flags.status).toBe(200);
    const flagged = new Map(flags.body.flags.map((f) => [f.user, f.person]));
    expect(flagged.get('bjones')).toMatchObject({ known: true, name: 'Brian Jones' });
    expect(flagged.get('jdoe')).toMatchObject({ known: false, name: null });
    device.socket.close();
  });
});

describe('the AUP audience follows the year group', () => {
  it('the agent’s rules send a KS1 pupil to ks1 and a KS2 pupil to ks2, and a new roster tells agents', async () => {
    const room = await clients.admin.createRoom('AUP room');
    const device = await enrolTestDevice(harbour.url, clients.admin, room.id, 'PC-AUP');
    const ack = (await device.socket.emitWithAck('aup:bundle', {})) as { ok: boolean; data: AupBundle };
    expect(ack.ok).toBe(true);
    const audience = (username: string) =>
      resolveAudience(ack.data.settings, { username, groups: [], roomId: room.id });
    expect(audience('alovelace')).toBe('ks1');
    expect(audience('ADA01')).toBe('ks1');
    expect(audience('cevans')).toBe('ks2');
    const changed = new Promise<unknown>((resolve) => device.socket.once('aup:changed', resolve));
    expect((await uploadRoster(clients.admin, rosterFiles(sampleRoster()))).status).toBe(200);
    await expect(changed).resolves.toEqual({ showNow: false });
    // A decision in the register names the pupil.
    const ks1 = ack.data.documents.find((d) => d.audience === 'ks1')!;
    const ackDecision = await sendEvent(device, {
      type: 'aup.decision',
      user: { username: 'ada01', domain: 'SCHOOL' },
      audience: 'ks1',
      documentId: ks1.id,
      version: ks1.version,
      textHash: ks1.textHash,
      decision: 'accepted',
      source: 'server',
    });
    expect(ackDecision).toMatchObject({ ok: true });
    const register = await clients.dsl.json<{
      entries: { username: string; person?: { name: string | null } }[];
    }>('GET', '/api/aup/register');
    expect(register.body.entries.find((e) => e.username === 'SCHOOL\\ada01')?.person?.name).toBe(
      'Ada Lovelace',
    );
    device.socket.close();
  });
});

describe('records name the pupil', () => {
  it('a pupil’s report names them, their year group and class; one chronology whichever login they used', async () => {
    const room = await clients.admin.createRoom('Records room');
    const device = await enrolTestDevice(harbour.url, clients.admin, room.id, 'PC-RECORDS');
    const made: string[] = [];
    for (const user of [
      { username: 'ada01', domain: 'SCHOOL' },
      { username: 'alovelace' },
      { username: 'stranger1' },
    ]) {
      const body = tellBody({ user });
      const ack = await sendEvent(device, body);
      expect(ack).toMatchObject({ ok: true });
      const row = await harbour.db
        .selectFrom('incidents')
        .select('id')
        .where('tell_id', '=', body.tellId)
        .executeTakeFirstOrThrow();
      made.push(row.id);
    }
    device.socket.close();
    const first = await clients.dsl.json<{ subject: Record<string, unknown> }>(
      'GET',
      `/api/incidents/${made[0]}`,
    );
    expect(first.body.subject).toMatchObject({
      username: 'SCHOOL\\ada01',
      name: 'Ada Lovelace',
      yearGroup: 'Y2',
      className: 'Year 2 Robins',
    });
    const unknown = await clients.dsl.json<{ subject: Record<string, unknown> }>(
      'GET',
      `/api/incidents/${made[2]}`,
    );
    expect(unknown.body.subject).toMatchObject({
      username: 'stranger1',
      pupilId: null,
      yearGroup: 'unknown',
    });
    // Asked by either login, or by the pupil's id: both of Ada's reports, not the stranger's.
    const ada = (await pupils(clients.dsl, 'ada lovelace'))[0]!;
    for (const key of ['alovelace', 'SCHOOL\\ada01', ada.id]) {
      const chronology = await clients.dsl.json<{ entries: { incidentId: string }[] }>(
        'GET',
        `/api/chronology?pupil=${encodeURIComponent(key)}`,
      );
      expect(new Set(chronology.body.entries.map((e) => e.incidentId))).toEqual(new Set(made.slice(0, 2)));
    }
  });
});

describe('rooms through classes', () => {
  it('a teacher may supervise the room their class is taught in, and start a session for the class', async () => {
    const { body } = await clients.dsl.json<{ classes: { id: string; name: string }[] }>(
      'GET',
      '/api/classes',
    );
    const owls = body.classes.find((c) => c.name === 'Year 5 Owls')!;
    const robins = body.classes.find((c) => c.name === 'Year 2 Robins')!;
    const owlsRoom = await clients.admin.createRoom('Owls classroom');
    const robinsRoom = await clients.admin.createRoom('Robins classroom');
    // Before the class has a room, the teacher is nobody's in this room.
    expect((await clients.teacher.json('POST', '/api/supervision', { roomId: owlsRoom.id })).status).toBe(
      403,
    );
    expect((await clients.teacher.json('POST', '/api/supervision', { classId: owls.id })).status).toBe(409);
    expect(
      (await clients.teacher.json('PUT', `/api/classes/${owls.id}/room`, { roomId: owlsRoom.id })).status,
    ).toBe(403);
    for (const [c, r] of [
      [owls, owlsRoom],
      [robins, robinsRoom],
    ] as const)
      expect((await clients.dsl.json('PUT', `/api/classes/${c.id}/room`, { roomId: r.id })).status).toBe(200);
    const started = await clients.teacher.json<{ id: string; roomId: string }>('POST', '/api/supervision', {
      classId: owls.id,
      durationMinutes: 30,
    });
    expect(started.status).toBe(201);
    expect(started.body.roomId).toBe(owlsRoom.id);
    expect((await clients.teacher.json('POST', `/api/supervision/${started.body.id}/end`)).status).toBe(200);
    // Another teacher's class: its room is not this teacher's.
    expect((await clients.teacher.json('POST', '/api/supervision', { classId: robins.id })).status).toBe(403);
    expect(
      (await clients.teacher.json('POST', '/api/supervision', { roomId: robinsRoom.id, classId: robins.id }))
        .status,
    ).toBe(400);
  });
});

/** A server of its own that imports the roster from `dir` (HARBOUR_ROSTER_DIR), looking hourly. */
const startWithRosterFolder = (dir: string) =>
  startHarbour(
    {
      port: 0,
      host: '127.0.0.1',
      dataDir: tempDir('server'),
      logLevel: 'silent',
      loginRateLimit: 1000,
      enrolRateLimit: 1000,
      bootstrapAdmin: { email: adminEmail, password },
      rosterDir: dir,
      rosterIntervalMinutes: 60,
    },
    { logger: pino({ level: 'silent' }) },
  );

describe('the scheduled import from a folder', () => {
  it('a trust of several schools: each school’s folder, named by its code, goes to that school alone', async () => {
    const dir = tempDir('roster-trust-folder');
    const write = (folder: string, files: Record<string, string>) => {
      fs.mkdirSync(path.join(dir, folder), { recursive: true });
      for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, folder, name), text);
    };
    // Oak's pupils: their own MIS ids may repeat Harbour Primary's (and, below, their logins).
    const oakSpec = sampleRoster();
    oakSpec.pupils = oakSpec.pupils.map((p) => ({ ...p, username: `oak-${p.username}`, userIds: undefined }));
    oakSpec.teachers = oakSpec.teachers.map((t) => ({ ...t, email: `oak-${t.email}` }));
    const server = await startWithRosterFolder(dir);
    try {
      const db = server.db;
      const first = await db.selectFrom('schools').select(['id', 'code']).executeTakeFirstOrThrow();
      const oak = await db
        .insertInto('schools')
        .values({ name: 'Oak Academy', code: 'OAK', created_at: new Date().toISOString() })
        .returning('id')
        .executeTakeFirstOrThrow();
      const pupilsOf = async (schoolId: number) =>
        (
          await db
            .selectFrom('roster_pupils')
            .select('given_name')
            .where('school_id', '=', schoolId)
            .where('left_at', 'is', null)
            .execute()
        ).length;
      const imports = () =>
        db.selectFrom('roster_imports').select(['ok', 'school_id', 'result']).orderBy('at').execute();

      // An export in the folder itself is one school's: with two schools it is refused, once.
      for (const [name, text] of Object.entries(rosterFiles(sampleRoster())))
        fs.writeFileSync(path.join(dir, name), text);
      expect(await server.features.roster.importFolderNow()).toBe('refused');
      expect(await server.features.roster.importFolderNow()).toBe('refused');
      expect(await imports()).toMatchObject([{ ok: 0, school_id: null }]);
      expect(await pupilsOf(first.id)).toBe(0);
      for (const name of Object.keys(rosterFiles(sampleRoster()))) fs.rmSync(path.join(dir, name));

      // One folder per school by its code (Oak's typed in another case), and one naming no school.
      write(first.code, rosterFiles(sampleRoster()));
      write('oak', rosterFiles(oakSpec));
      write('elm', rosterFiles(oakSpec));
      expect(await server.features.roster.importFolderNow()).toBe('refused');
      expect(await pupilsOf(first.id)).toBe(4);
      expect(await pupilsOf(oak.id)).toBe(4);
      const oakLogins = await db
        .selectFrom('roster_logins')
        .innerJoin('roster_pupils', 'roster_pupils.id', 'roster_logins.pupil_id')
        .select('roster_logins.login')
        .where('roster_pupils.school_id', '=', oak.id)
        .execute();
      expect(oakLogins.map((l) => l.login).sort()).toEqual([
        'oak-alovelace',
        'oak-bjones',
        'oak-cevans',
        'oak-dthomas',
      ]);
      const afterFirst = await imports();
      expect(
        afterFirst
          .slice(1)
          .map((r) => [r.ok, r.school_id])
          .sort(),
      ).toEqual(
        [
          [0, null],
          [1, first.id],
          [1, oak.id],
        ].sort(),
      );
      expect(
        afterFirst.find(
          (r) => r.ok === 0 && r.result.includes('elm') && r.result.includes('not the code of any'),
        ),
      ).toBeDefined();

      // Looked at again: nothing changed, nothing recorded (the folder naming no school included).
      expect(await server.features.roster.importFolderNow()).toBe('refused');
      expect(await imports()).toHaveLength(afterFirst.length);

      // Oak's export turns bad (a login that is the computer's own account): Oak's is refused and
      // kept as it was; Harbour Primary's, unchanged, is not imported again.
      fs.rmSync(path.join(dir, 'elm'), { recursive: true });
      fs.writeFileSync(
        path.join(dir, 'oak', 'users.csv'),
        rosterFiles(oakSpec)['users.csv']!.replace('oak-alovelace', 'root'),
      );
      expect(await server.features.roster.importFolderNow()).toBe('refused');
      expect(await pupilsOf(oak.id)).toBe(4);
      const latest = (await imports()).slice(afterFirst.length);
      expect(latest.map((r) => [r.ok, r.school_id])).toEqual([[0, oak.id]]);

      // Oak's export giving its pupil a login Harbour Primary's pupil has too: two children, each
      // school's own (migration 0019). Oak's is imported; Harbour Primary's bjones is as it was.
      const primaryBjones = await db
        .selectFrom('roster_logins')
        .select(['pupil_id', 'school_id'])
        .where('login', '=', 'bjones')
        .execute();
      expect(primaryBjones).toMatchObject([{ school_id: first.id }]);
      fs.writeFileSync(
        path.join(dir, 'oak', 'users.csv'),
        rosterFiles(oakSpec)['users.csv']!.replace('oak-bjones', 'bjones'),
      );
      expect(await server.features.roster.importFolderNow()).toBe('imported');
      const bjones = await db
        .selectFrom('roster_logins')
        .innerJoin('roster_pupils', 'roster_pupils.id', 'roster_logins.pupil_id')
        .select(['roster_logins.pupil_id', 'roster_pupils.school_id', 'roster_pupils.given_name'])
        .where('roster_logins.login', '=', 'bjones')
        .orderBy('roster_pupils.school_id')
        .execute();
      expect(bjones).toHaveLength(2);
      expect(bjones[0]).toMatchObject({ pupil_id: primaryBjones[0]!.pupil_id, school_id: first.id });
      expect(bjones[1]).toMatchObject({ school_id: oak.id });
      expect(bjones[1]!.pupil_id).not.toBe(bjones[0]!.pupil_id);
    } finally {
      await server.close();
    }
  });

  it('imports the export in HARBOUR_ROSTER_DIR, skips it unchanged, and keeps the roster when it turns bad', async () => {
    const dir = tempDir('roster-folder');
    const files = rosterFiles(sampleRoster());
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    const server = await startWithRosterFolder(dir);
    try {
      const roster = server.features.roster;
      // The first look runs at start; it may still be running, and runs at most once at a time.
      await expect
        .poll(async () => (await server.db.selectFrom('roster_pupils').select('id').execute()).length)
        .toBe(4);
      expect(await roster.importFolderNow()).toBe('unchanged');
      fs.writeFileSync(path.join(dir, 'users.csv'), files['users.csv']!.replace('alovelace', 'root'));
      expect(await roster.importFolderNow()).toBe('refused');
      const logins = await server.db.selectFrom('roster_logins').select('login').execute();
      expect(logins.map((l) => l.login)).toContain('alovelace');
      const imports = await server.db
        .selectFrom('roster_imports')
        .select(['source', 'ok'])
        .orderBy('at')
        .execute();
      expect(imports).toEqual([
        { source: 'folder', ok: 1 },
        { source: 'folder', ok: 0 },
      ]);
    } finally {
      await server.close();
    }
  });
});
