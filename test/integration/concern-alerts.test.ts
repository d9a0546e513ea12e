/**
 * Issue 16 item 1, the server's side: every new concern reaches the DSL live and no one
 * else; the DSL's dashboard reads the waiting ones when it (re)connects; the person who
 * recorded it is told when a DSL's dashboard showed it and who acknowledged it, once,
 * however many tabs or deputies there are.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConcernAlert, ConcernReceipt, DashboardServerToClient } from '@harbour/shared';
import type { Harbour } from '../../dashboard/src/server/app.js';
import { ApiClient } from '../support/api.js';
import { adminEmail, password, startInProcess } from '../support/harbour.js';
import { connected, dashboardSocket, type DashboardSocket } from '../support/sockets.js';
import { waitFor } from '../support/wait.js';

type Event = keyof DashboardServerToClient;
const concernEvents: Event[] = ['concern:new', 'concern:settled', 'concern:receipt', 'incident:created'];

type Staff = 'admin' | 'technician' | 'dsl' | 'teacherA' | 'teacherB';
const everyStaff: Staff[] = ['admin', 'technician', 'dsl', 'teacherA', 'teacherB'];
let world: { harbour: Harbour; staff: Record<Staff, ApiClient>; close(): Promise<void> };
const sockets: DashboardSocket[] = [];
/** What each member of staff's live connection received, in order. */
const heard = {} as Record<Staff, { event: Event; payload: Record<string, unknown> }[]>;

async function listen(who: Staff, into = heard[who]): Promise<DashboardSocket> {
  const socket = await connected(dashboardSocket(world.harbour.url, world.staff[who].cookieHeader));
  sockets.push(socket);
  for (const event of concernEvents) {
    socket.on(event, (payload: unknown) => into.push({ event, payload: payload as Record<string, unknown> }));
  }
  return socket;
}

const settle = () => new Promise((r) => setTimeout(r, 300));

async function record(who: Staff, body: Record<string, unknown>): Promise<string> {
  const r = await world.staff[who].json<{ id: string }>('POST', '/api/incidents', body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id;
}

const grooming = {
  summary: 'Online friend asked for photos',
  category: 'grooming',
  subject: { name: 'Pupil Secretname' },
  details: { pupilWords: 'he said keep it a secret from mum' },
};

beforeAll(async () => {
  const harbour = await startInProcess();
  const admin = new ApiClient(harbour.url);
  await admin.login(adminEmail, password);
  const staff = { admin } as Record<Staff, ApiClient>;
  for (const who of everyStaff.filter((w) => w !== 'admin')) {
    const role = who.startsWith('teacher') ? 'teacher' : who;
    const email = `${who.toLowerCase()}@school.test`;
    const r = await admin.json('POST', '/api/users', {
      email,
      displayName: `The ${who}`,
      role,
      password,
      temporaryPassword: false,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    staff[who] = new ApiClient(harbour.url);
    await staff[who].login(email, password);
    if (role !== 'technician') await staff[who].enrolSecondFactor();
  }
  world = { harbour, staff, close: () => harbour.close() };
  for (const who of everyStaff) {
    heard[who] = [];
    await listen(who);
  }
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await world?.close();
});

describe('a teacher’s recorded concern', () => {
  let id: string;

  it('reaches every DSL connection at once, naming no pupil, and nobody else', async () => {
    id = await record('teacherA', grooming);
    const alert = await waitFor(
      () => heard.dsl.find((h) => h.event === 'concern:new' && h.payload.incidentId === id)?.payload,
      { what: 'the DSL’s concern:new' },
    );
    expect(alert).toMatchObject({
      source: 'manual',
      category: 'grooming',
      recordedBy: 'The teacherA',
      urgent: true,
    });
    // The banner is read over a shoulder: no pupil's name, no pupil's words.
    expect(JSON.stringify(alert)).not.toMatch(/Secretname|secret from mum|photos/);
    await settle();
    for (const who of ['admin', 'technician', 'teacherA', 'teacherB'] as const) {
      expect(
        heard[who].map((h) => h.event),
        who,
      ).toEqual([]);
    }
  });

  it('the recorder sees "sent, nobody has opened it yet"; another teacher cannot read the receipt', async () => {
    const mine = await world.staff.teacherA.json<ConcernReceipt>('GET', `/api/concerns/${id}/receipt`);
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({ incidentId: id, received: null, acknowledged: null });
    const other = await world.staff.teacherB.json('GET', `/api/concerns/${id}/receipt`);
    expect(other.status).toBe(404);
    const tech = await world.staff.technician.json('GET', `/api/concerns/${id}/receipt`);
    expect(tech.status).toBe(403);
  });

  it('only the DSL may read the waiting concerns or mark one received', async () => {
    const list = await world.staff.dsl.json<{ concerns: ConcernAlert[] }>('GET', '/api/concerns');
    expect(list.status).toBe(200);
    expect(list.body.concerns.map((c) => c.incidentId)).toContain(id);
    for (const who of ['admin', 'technician', 'teacherA', 'teacherB'] as const) {
      expect((await world.staff[who].json('GET', '/api/concerns')).status, who).toBe(403);
      expect((await world.staff[who].json('POST', `/api/concerns/${id}/received`)).status, who).toBe(403);
      expect((await world.staff[who].json('POST', `/api/concerns/${id}/acknowledge`)).status, who).toBe(403);
    }
    expect((await world.staff.dsl.json('POST', `/api/concerns/${randomUUID()}/received`)).status).toBe(404);
    expect((await world.staff.dsl.json('POST', '/api/concerns/not-an-id/received')).status).toBe(400);
  });

  it('two DSL tabs showing it record one receipt, and the recorder is told once, with the DSL’s name', async () => {
    const [a, b] = await Promise.all([
      world.staff.dsl.json<ConcernReceipt>('POST', `/api/concerns/${id}/received`),
      world.staff.dsl.json<ConcernReceipt>('POST', `/api/concerns/${id}/received`),
    ]);
    expect(a.status).toBe(200);
    expect(b.body.received).toEqual(a.body.received);
    expect(a.body.received?.by).toBe('The dsl');
    const receipt = await waitFor(
      () => heard.teacherA.find((h) => h.event === 'concern:receipt')?.payload as ConcernReceipt | undefined,
      { what: 'the teacher’s receipt' },
    );
    expect(receipt).toMatchObject({ incidentId: id, received: { by: 'The dsl' }, acknowledged: null });
    await settle();
    expect(heard.teacherA.filter((h) => h.event === 'concern:receipt')).toHaveLength(1);
    expect(heard.teacherB).toEqual([]);
    const entries = await world.harbour.db
      .selectFrom('audit_log')
      .select('id')
      .where('subject', '=', id)
      .where('action', '=', 'incident.received')
      .execute();
    expect(entries).toHaveLength(1);
  });

  it('acknowledging twice (two tabs) moves it on once; every DSL tab drops it; the recorder is told who', async () => {
    const secondTab: { event: Event; payload: Record<string, unknown> }[] = [];
    await listen('dsl', secondTab);
    // Both tabs at the same moment.
    const [first, again] = await Promise.all([
      world.staff.dsl.json<ConcernReceipt>('POST', `/api/concerns/${id}/acknowledge`),
      world.staff.dsl.json<ConcernReceipt>('POST', `/api/concerns/${id}/acknowledge`),
    ]);
    expect(first.status).toBe(200);
    expect(again.body.acknowledged).toEqual(first.body.acknowledged);
    await waitFor(() => secondTab.some((h) => h.event === 'concern:settled' && h.payload.incidentId === id), {
      what: 'the other tab told',
    });
    const told = await waitFor(
      () =>
        heard.teacherA.find((h) => h.event === 'concern:receipt' && h.payload.acknowledged)?.payload as
          ConcernReceipt | undefined,
      { what: 'the recorder told of the acknowledgement' },
    );
    expect(told.acknowledged?.by).toBe('The dsl');
    const states = await world.harbour.db
      .selectFrom('audit_log')
      .select('detail')
      .where('subject', '=', id)
      .where('action', '=', 'incident.state')
      .execute();
    expect(states).toHaveLength(1);
    const list = await world.staff.dsl.json<{ concerns: ConcernAlert[] }>('GET', '/api/concerns');
    expect(list.body.concerns.map((c) => c.incidentId)).not.toContain(id);
    const incident = await world.staff.teacherA.json<{ receipt: ConcernReceipt }>(
      'GET',
      `/api/incidents/${id}`,
    );
    expect(incident.body.receipt).toMatchObject({
      received: { by: 'The dsl' },
      acknowledged: { by: 'The dsl' },
    });
  });
});

describe('while no DSL is connected', () => {
  it('a concern recorded then is waiting for the DSL when they connect', async () => {
    const offline = await record('teacherB', {
      summary: 'Unkind messages in a game chat',
      category: 'cyberbullying',
    });
    const list = await world.staff.dsl.json<{ concerns: ConcernAlert[] }>('GET', '/api/concerns');
    expect(list.body.concerns.find((c) => c.incidentId === offline)).toMatchObject({
      category: 'cyberbullying',
      urgent: false,
      recordedBy: 'The teacherB',
    });
  });
});

describe('the category a teacher records under', () => {
  it('is one of the school’s active categories, which a teacher may list', async () => {
    const r = await world.staff.teacherA.json<{ categories: { id: string }[] }>(
      'GET',
      '/api/incidents/categories',
    );
    expect(r.status).toBe(200);
    const ids = r.body.categories.map((c) => c.id);
    expect(ids).toEqual(expect.arrayContaining(['grooming', 'cyberbullying', 'extremism', 'other']));
    expect((await world.staff.technician.json('GET', '/api/incidents/categories')).status).toBe(403);
    const bad = await world.staff.teacherA.json('POST', '/api/incidents', {
      summary: 'x',
      category: 'nonsense',
    });
    expect(bad.status).toBe(400);
  });
});

describe('the incident list’s filters and search (item 9)', () => {
  it('finds by words, reference, assignee and due action; a search’s wildcards are only text', async () => {
    const dsl = world.staff.dsl;
    const a = await record('teacherA', { summary: 'Shared a 50% off voucher link', category: 'other' });
    const b = await record('teacherA', { summary: 'Photos sent to an online friend', category: 'sexting' });
    const list = async (query: string) =>
      (await dsl.json<{ incidents: { id: string; ref: string }[] }>('GET', `/api/incidents?${query}`)).body
        .incidents;
    expect((await list('q=voucher')).map((i) => i.id)).toEqual([a]);
    expect((await list('q=50%25')).map((i) => i.id)).toEqual([a]);
    expect((await list('q=%25')).map((i) => i.id)).toEqual([a]);
    expect((await list('q=_')).map((i) => i.id)).toEqual([]);
    const refB = (await list('q=photos'))[0]?.ref ?? '';
    expect((await list(`q=${refB}`)).map((i) => i.id)).toEqual([b]);
    expect((await list('category=sexting')).map((i) => i.id)).toEqual([b]);
    const me = (await dsl.json<{ user: { id: string } }>('GET', '/api/auth/me')).body.user.id;
    expect((await list(`assignee=${me}`)).map((i) => i.id)).toContain(b);
    expect((await list('assignee=nobody')).map((i) => i.id)).not.toContain(b);
    const today = new Date().toISOString().slice(0, 10);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    await dsl.json('POST', `/api/incidents/${b}/actions`, {
      what: 'Call parents',
      who: 'DSL',
      due: yesterday,
    });
    expect((await list(`due=overdue&today=${today}`)).map((i) => i.id)).toEqual([b]);
    expect((await list(`due=week&today=${today}`)).map((i) => i.id)).toEqual([b]);
    const due = await dsl.json<{ actions: { incidentId: string; overdue: boolean }[] }>(
      'GET',
      `/api/actions/due?today=${today}`,
    );
    expect(due.body.actions).toEqual([expect.objectContaining({ incidentId: b, overdue: true })]);
    // A teacher's search never reaches another teacher's records.
    const other = await world.staff.teacherB.json<{ incidents: { id: string }[] }>(
      'GET',
      '/api/incidents?q=voucher',
    );
    expect(other.body.incidents).toEqual([]);
    expect((await dsl.json('GET', '/api/incidents?due=soon')).status).toBe(400);
  });
});

describe('the chronology and the printable log carry what was done (item 9)', () => {
  it('actions with who, when and outcome; notes given with a change of state', async () => {
    const dsl = world.staff.dsl;
    const id = await record('teacherA', {
      summary: 'Worried about messages',
      category: 'cyberbullying',
      subject: { name: 'Chrono Pupil' },
    });
    const added = await dsl.json<{ actions: { id: string }[] }>('POST', `/api/incidents/${id}/actions`, {
      what: 'Call parents',
      who: 'Mrs Head',
      due: '2030-01-02',
    });
    const actionId = added.body.actions[0]?.id ?? '';
    await dsl.json('PATCH', `/api/incidents/${id}/actions/${actionId}`, {
      done: true,
      outcome: 'Parents came in',
    });
    await dsl.json('POST', `/api/incidents/${id}/state`, {
      state: 'under_review',
      note: 'Talked to the class',
    });
    const chrono = await dsl.json<{ entries: { text: string }[] }>(
      'GET',
      '/api/chronology?pupil=Chrono%20Pupil',
    );
    const texts = chrono.body.entries.map((e) => e.text);
    expect(texts).toContainEqual(expect.stringContaining('Action: Call parents (Mrs Head, due 2030-01-02)'));
    expect(texts).toContainEqual(
      expect.stringContaining('Action done: Call parents — Parents came in · The dsl'),
    );
    expect(texts).toContainEqual(expect.stringContaining('State: under_review — Talked to the class'));
    const log = await dsl.json<{ actions: { incidentId: string; outcome: string | null }[] }>(
      'GET',
      '/api/actions',
    );
    expect(log.body.actions.filter((a) => a.incidentId === id)).toEqual([
      expect.objectContaining({ outcome: 'Parents came in' }),
    ]);
    expect((await world.staff.teacherA.json('GET', '/api/actions')).status).toBe(403);
  });
});
