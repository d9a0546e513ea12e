/**
 * Issue 16 item 9, the server's side of the incident list: the filters a DSL bookmarks
 * (status, category, assignee, pupil, class, dates, due actions, search) are done by the
 * server; a bad filter is refused in plain words and changes nothing; and no filter a
 * teacher puts in the address shows them a record they may not open.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentList } from '@harbour/shared';
import type { Harbour } from '../../dashboard/src/server/app.js';
import { ApiClient } from '../support/api.js';
import { adminEmail, password, startInProcess } from '../support/harbour.js';
import { rosterFiles, sampleRoster, uploadRoster } from '../support/roster.js';

type Staff = 'dsl' | 'teacherA' | 'teacherB';
let harbour: Harbour;
const staff = {} as Record<Staff, ApiClient>;
const ids = {} as Record<Staff, string>;
/** Incidents by what they are: teacher A's two, teacher B's one. */
const made = {} as Record<'adaBullying' | 'cerysOther' | 'bGrooming', string>;

async function record(who: Staff, body: Record<string, unknown>): Promise<string> {
  const r = await staff[who].json<{ id: string }>('POST', '/api/incidents', body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id;
}

const list = async (who: Staff, query: string) => {
  const r = await staff[who].json<IncidentList>('GET', `/api/incidents?${query}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
};
const listIds = async (who: Staff, query: string) => (await list(who, query)).incidents.map((i) => i.id);

beforeAll(async () => {
  harbour = await startInProcess();
  const admin = new ApiClient(harbour.url);
  await admin.login(adminEmail, password);
  expect((await uploadRoster(admin, rosterFiles(sampleRoster()))).status).toBe(200);
  for (const who of ['dsl', 'teacherA', 'teacherB'] as const) {
    const email = `${who.toLowerCase()}@list.test`;
    const r = await admin.json<{ id: string }>('POST', '/api/users', {
      email,
      displayName: `The ${who}`,
      role: who === 'dsl' ? 'dsl' : 'teacher',
      password,
      temporaryPassword: false,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    staff[who] = new ApiClient(harbour.url);
    await staff[who].login(email, password);
    await staff[who].enrolSecondFactor();
    ids[who] = (await staff[who].json<{ user: { id: string } }>('GET', '/api/auth/me')).body.user.id;
  }
  made.adaBullying = await record('teacherA', {
    summary: 'Unkind messages in the class chat',
    category: 'cyberbullying',
    occurredAt: '2026-10-05T10:00:00.000Z',
    subject: { username: 'alovelace' },
  });
  made.cerysOther = await record('teacherA', {
    summary: "Typed 100% o'clock_secret into a search",
    category: 'other',
    occurredAt: '2026-11-20T10:00:00.000Z',
    subject: { username: 'cevans' },
  });
  made.bGrooming = await record('teacherB', {
    summary: 'Online friend asked Ada for photos',
    category: 'grooming',
    occurredAt: '2026-11-21T10:00:00.000Z',
    subject: { username: 'alovelace' },
  });
}, 60_000);

afterAll(async () => {
  await harbour?.close();
});

describe('the incident list’s filters', () => {
  it('narrow by class, pupil, category, dates and status; "showing N of M" counts all that match', async () => {
    const everything = await list('dsl', '');
    expect(everything.total).toBe(3);
    expect(everything.classes).toEqual(['Year 2 Robins', 'Year 5 Owls']);
    expect(await listIds('dsl', 'className=Year%202%20Robins')).toEqual([made.bGrooming, made.adaBullying]);
    const ada = everything.incidents.find((i) => i.id === made.adaBullying)?.subject.pupilId ?? '';
    expect(ada).not.toBe('');
    expect(await listIds('dsl', `pupilId=${ada}`)).toEqual([made.bGrooming, made.adaBullying]);
    expect(await listIds('dsl', 'category=grooming')).toEqual([made.bGrooming]);
    expect(await listIds('dsl', 'from=2026-11-01&to=2026-11-20')).toEqual([made.cerysOther]);
    expect(await listIds('dsl', 'from=2026-11-21')).toEqual([made.bGrooming]);
    expect(await listIds('dsl', 'state=closed')).toEqual([]);
    const one = await list('dsl', 'limit=1');
    expect(one.incidents).toHaveLength(1);
    expect(one.total).toBe(3);
  });

  it('treat a search’s quotes and wildcards as text', async () => {
    expect(await listIds('dsl', `q=${encodeURIComponent("o'clock_secret")}`)).toEqual([made.cerysOther]);
    expect(await listIds('dsl', 'q=100%25')).toEqual([made.cerysOther]);
    expect(await listIds('dsl', 'q=%25')).toEqual([made.cerysOther]);
    expect(await listIds('dsl', 'q=_')).toEqual([made.cerysOther]);
    expect(await listIds('dsl', `q=${encodeURIComponent("' OR 1=1 --")}`)).toEqual([]);
    expect(await listIds('dsl', 'q=o_clock')).toEqual([]);
  });
});

describe('a bad filter', () => {
  it.each([
    ['state=lost', /status must be one of: new, acknowledged/],
    ['from=2026-12-01&to=2026-11-01', /“to” date is before the “from” date/],
    ['from=1%2F12%2F2026', /from must be a date, YYYY-MM-DD/],
    ['q=<10 kB>', /search must be at most 100 characters/],
    ['assignee=someone', /assignee must be a member of staff’s id or “nobody”/],
    ['limit=0', /limit must be at least 1/],
    ['limit=1001', /limit must be at most 1000/],
    ['colour=red', /unknown filter: colour/],
    ['due=soon', /due must be “overdue” or “week”/],
  ])('%s is refused in plain words', async (shown, said) => {
    const query = shown.replace('<10 kB>', 'a'.repeat(10_000));
    const before = await list('dsl', '');
    const r = await staff.dsl.json<{ error: { code: string; message: string } }>(
      'GET',
      `/api/incidents?${query}`,
    );
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('validation_failed');
    expect(r.body.error.message).toMatch(said);
    expect(r.body.error.message).not.toMatch(/querystring|Invalid/);
    // Nothing changed: the same records, in the same states.
    expect(await list('dsl', '')).toEqual(before);
  });
});

describe('a teacher’s filters never widen what they may see', () => {
  it('another teacher’s records stay hidden whatever the address asks for', async () => {
    expect(await listIds('teacherB', '')).toEqual([made.bGrooming]);
    const everything = await list('dsl', '');
    const ada = everything.incidents.find((i) => i.id === made.adaBullying)?.subject.pupilId ?? '';
    const cerys = everything.incidents.find((i) => i.id === made.cerysOther)?.subject.pupilId ?? '';
    for (const query of [
      `assignee=${ids.dsl}`,
      `assignee=${ids.teacherA}`,
      'assignee=nobody',
      `pupilId=${ada}`,
      `pupilId=${cerys}`,
      'pupil=alovelace',
      'className=Year%205%20Owls',
      'category=cyberbullying',
      'q=unkind',
      'q=%25',
      `q=${encodeURIComponent("' OR '1'='1")}`,
      'from=2000-01-01&to=2100-01-01',
      'state=new',
      'limit=1000',
    ]) {
      const seen = await list('teacherB', query);
      expect(
        seen.incidents.map((i) => i.id).filter((id) => id !== made.bGrooming),
        query,
      ).toEqual([]);
      expect(seen.total, query).toBeLessThanOrEqual(1);
      // Nor does the class list name the classes of records they may not open.
      expect(seen.classes, query).toEqual(['Year 2 Robins']);
    }
  });
});

describe('the governors’ report’s dates', () => {
  it('the wrong way round are refused in plain words', async () => {
    const r = await staff.dsl.json<{ error: { message: string } }>(
      'GET',
      '/api/reports/governors?from=2026-12-01&to=2026-09-01',
    );
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/“to” date is before the “from” date/);
    expect(r.body.error.message).not.toMatch(/querystring|Invalid/);
    const ok = await staff.dsl.json<{ total: number }>(
      'GET',
      '/api/reports/governors?from=2026-09-01&to=2026-12-31',
    );
    expect(ok.body.total).toBe(3);
  });
});
