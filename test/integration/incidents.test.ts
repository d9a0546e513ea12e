import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Incident, IncidentSummary } from '@harbour/shared';
import type { Harbour } from '../../dashboard/src/server/app.js';
import type { ApiClient } from '../support/api.js';
import { outsideQuery } from '../support/database.js';
import { staffClients, startInProcess, type Caller } from '../support/harbour.js';
import { connected, dashboardSocket } from '../support/sockets.js';
import {
  enrolTestDevice,
  sendEvent,
  tellBody,
  uniquePng,
  uploadPng,
  type TestDevice,
} from '../support/tell.js';
import { waitFor } from '../support/wait.js';

let harbour: Harbour;
let clients: Record<Caller, ApiClient>;
let dsl: ApiClient;
let teacher: ApiClient;
let roomId: string;
let device: TestDevice;

const hostile = [
  '<script>alert(1)</script><img src=x onerror=alert(2)>',
  "'; DROP TABLE incidents; --",
  '=HYPERLINK("http://evil.test","click")',
  'Zoë 👩🏽‍🏫 ناصر 山田 ' + 'x'.repeat(300),
];

beforeAll(async () => {
  harbour = await startInProcess();
  clients = await staffClients(harbour);
  dsl = clients.dsl;
  teacher = clients.teacher;
  roomId = (await clients.admin.createRoom('Year 4')).id;
  device = await enrolTestDevice(harbour.url, clients.admin, roomId, 'Y4-PC-01');
});
afterAll(async () => {
  device.socket.close();
  await harbour.close();
});

async function reportIncident(over: Parameters<typeof tellBody>[0] = {}): Promise<IncidentSummary> {
  const body = tellBody(over);
  const ack = await sendEvent(device, body);
  expect(ack).toMatchObject({ ok: true, data: { duplicate: false } });
  const list = await dsl.json<{ incidents: IncidentSummary[] }>('GET', '/api/incidents');
  const found = list.body.incidents.find(
    (i) => i.id && i.source === 'report' && i.summary.includes('Y4-PC-01'),
  );
  const row = await harbour.db
    .selectFrom('incidents')
    .select('id')
    .where('tell_id', '=', body.tellId)
    .executeTakeFirstOrThrow();
  expect(found).toBeDefined();
  return list.body.incidents.find((i) => i.id === row.id)!;
}

const get = (client: ApiClient, id: string) => client.json<Incident>('GET', `/api/incidents/${id}`);

describe('a pupil’s report becomes an incident', () => {
  it('with its evidence, device, room, pupil and window; listed newest first with the stable fields', async () => {
    const png = uniquePng();
    const ref = await uploadPng(device, png);
    const incident = await reportIncident({ evidence: [ref] });
    expect(incident).toMatchObject({
      source: 'report',
      category: 'unsorted',
      state: 'new',
      deviceId: device.deviceId,
      deviceName: 'Y4-PC-01',
      deviceSerial: 'SN-Y4-PC-01',
      roomName: 'Year 4',
      subject: { username: 'SCHOOL\\pupil7', name: 'Pupil Seven' },
      tellStatus: 'covered',
      evidence: [{ sha256: ref.sha256, received: true, suspectedIllegal: false }],
    });
    expect(incident.createdAt).toMatch(/^\d{4}-/);
    const full = await get(dsl, incident.id);
    expect(full.body.window).toEqual({ title: 'A page', app: 'chromium', url: 'https://example.test/page' });
    expect(full.body.assignedTo?.name).toBe('A dsl');

    const second = await reportIncident();
    const list = await dsl.json<{ incidents: IncidentSummary[] }>('GET', '/api/incidents');
    expect(list.body.incidents[0]?.id).toBe(second.id);
  });

  it('is stored once when the event is replayed, and once when the same report comes under a new event id', async () => {
    const body = tellBody();
    const id = randomUUID();
    expect(await sendEvent(device, body, id)).toMatchObject({ ok: true, data: { duplicate: false } });
    expect(await sendEvent(device, body, id)).toMatchObject({ ok: true, data: { duplicate: true } });
    expect(await sendEvent(device, body)).toMatchObject({ ok: true, data: { duplicate: false } });
    const rows = await harbour.db
      .selectFrom('incidents')
      .select('id')
      .where('tell_id', '=', body.tellId)
      .execute();
    expect(rows).toHaveLength(1);
  });

  it('keeps the report when its screenshot never arrives, and says so', async () => {
    const missing = { sha256: 'b'.repeat(64), mime: 'image/png' as const, bytes: 100 };
    const incident = await reportIncident({ evidence: [missing], captureError: null });
    expect(incident.evidence).toEqual([expect.objectContaining({ sha256: missing.sha256, received: false })]);
    const res = await dsl.request('GET', `/api/incidents/${incident.id}/evidence/${missing.sha256}`);
    expect(res.status).toBe(404);
    expect(await res.text()).toMatch(/not reached the server/);
  });

  it('keeps the report when capture failed on the computer', async () => {
    const incident = await reportIncident({ evidence: [], captureError: 'no display' });
    const full = await get(dsl, incident.id);
    expect(full.body.details.observed).toMatch(/could not be captured: no display/);
  });

  it('refuses a malformed report with a clear error and stores nothing', async () => {
    const before = (await harbour.db.selectFrom('incidents').select('id').execute()).length;
    const ack = await sendEvent(device, {
      ...tellBody(),
      evidence: [{ sha256: 'nope', mime: 'image/gif', bytes: 0 }],
    });
    expect(ack).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    expect((await harbour.db.selectFrom('incidents').select('id').execute()).length).toBe(before);
  });

  it('records what the pupil added on the cover page', async () => {
    const body = tellBody();
    await sendEvent(device, body);
    await sendEvent(device, {
      type: 'tell.details',
      tellId: body.tellId,
      choice: 'unkind',
      words: hostile[0],
    });
    const row = await harbour.db
      .selectFrom('incidents')
      .select('id')
      .where('tell_id', '=', body.tellId)
      .executeTakeFirstOrThrow();
    const full = await get(dsl, row.id);
    expect(full.body.pupilChoice).toBe('unkind');
    expect(full.body.details.pupilWords).toBe(hostile[0]);
  });
});

describe('watch-list flags', () => {
  it('each flag becomes one incident (source "flag") with its screenshot, and reaches the DSL live', async () => {
    const dslSocket = await connected(dashboardSocket(harbour.url, dsl.cookieHeader));
    const created: string[] = [];
    dslSocket.on('incident:created', (i) => created.push(i.source));
    try {
      const ref = await uploadPng(device, uniquePng());
      const event = {
        type: 'activity.flag',
        user: { username: 'pupil9' },
        window: {
          app: 'chromium',
          title: 'Forum',
          exePath: null,
          url: 'https://forum.example/',
          domain: 'forum.example',
          private: false,
        },
        match: {
          entryId: randomUUID(),
          kind: 'domain',
          pattern: 'forum.example',
          category: 'extremism',
          severity: 'high',
          where: 'domain',
          matched: 'forum.example',
        },
        evidence: [ref],
      };
      const id = randomUUID();
      const first = await sendEvent(device, event, id);
      expect(first, JSON.stringify(first)).toMatchObject({ ok: true, data: { duplicate: false } });
      expect(await sendEvent(device, event, id)).toMatchObject({ ok: true, data: { duplicate: true } });
      const flag = await harbour.db
        .selectFrom('flags')
        .select('id')
        .where('event_id', '=', id)
        .executeTakeFirstOrThrow();
      const rows = await harbour.db
        .selectFrom('incidents')
        .selectAll()
        .where('source_ref', '=', flag.id)
        .execute();
      expect(rows).toHaveLength(1);
      const incident = (await get(dsl, rows[0]!.id)).body;
      expect(incident).toMatchObject({
        source: 'flag',
        category: 'extremism',
        subject: { username: 'pupil9' },
        window: { url: 'https://forum.example/' },
        evidence: [{ sha256: ref.sha256, received: true }],
      });
      await waitFor(() => created.includes('flag'), { what: 'the DSL told live' });
    } finally {
      dslSocket.close();
    }
  });
});

describe('live alerts and the teacher', () => {
  it('reaches the DSL and the teacher watching the room; acknowledging and releasing reach the computer', async () => {
    // A teacher watches live only the rooms they are assigned to (issue 14).
    const me = await teacher.json<{ user: { id: string } }>('GET', '/api/auth/me');
    expect(
      (await clients.admin.json('PUT', `/api/rooms/${roomId}/staff`, { userIds: [me.body.user.id] })).status,
    ).toBe(200);
    const dslSocket = await connected(dashboardSocket(harbour.url, dsl.cookieHeader));
    const teacherSocket = await connected(dashboardSocket(harbour.url, teacher.cookieHeader));
    const techSocket = await connected(dashboardSocket(harbour.url, clients.technician.cookieHeader));
    try {
      for (const s of [teacherSocket, techSocket]) {
        expect(await s.emitWithAck('room:watch', { roomId })).toMatchObject({ ok: true });
      }
      const seen = { dsl: [] as string[], teacher: [] as string[], tech: 0, created: 0 };
      dslSocket.on('tell:alert', (a) => seen.dsl.push(a.status));
      dslSocket.on('incident:created', () => seen.created++);
      teacherSocket.on('tell:alert', (a) => seen.teacher.push(a.status));
      techSocket.onAny(() => seen.tech++);
      const updates: string[] = [];
      device.socket.on('server:tell-update', (u) => updates.push(`${u.status}:${u.by}`));

      const body = tellBody();
      await sendEvent(device, body);
      await waitFor(() => seen.dsl.length === 1 && seen.teacher.length === 1 && seen.created === 1, {
        what: 'alerts',
      });
      const row = await harbour.db
        .selectFrom('incidents')
        .select('id')
        .where('tell_id', '=', body.tellId)
        .executeTakeFirstOrThrow();

      // The teacher who was supervising may now see it (without evidence) and acknowledge it.
      expect((await get(teacher, row.id)).status).toBe(200);
      const alerts = await teacher.json<{ alerts: { incidentId: string }[] }>('GET', '/api/tell/alerts');
      expect(alerts.body.alerts.map((a) => a.incidentId)).toContain(row.id);
      expect((await teacher.json('POST', `/api/tell/${row.id}/acknowledge`, {})).status).toBe(200);
      await waitFor(() => updates.includes('acknowledged:A teacher'), {
        what: 'the acknowledgement on the computer',
      });
      expect((await teacher.json('POST', `/api/tell/${row.id}/release`, {})).status).toBe(200);
      await waitFor(() => updates.includes('released:A teacher'), { what: 'the release on the computer' });
      await waitFor(() => seen.teacher.includes('released') && seen.dsl.includes('released'), {
        what: 'updates',
      });
      expect(seen.tech).toBe(0);
      expect(await device.socket.emitWithAck('agent:tell-status', { tellId: body.tellId })).toMatchObject({
        ok: true,
        data: { status: 'released' },
      });
    } finally {
      dslSocket.close();
      teacherSocket.close();
      techSocket.close();
      device.socket.off('server:tell-update');
    }
  });

  it('an adult’s PIN releases at the computer; a pupil alone cannot unless the school allows it', async () => {
    const body = tellBody();
    await sendEvent(device, body);
    const release = (pin?: string) =>
      device.socket.emitWithAck('agent:tell-release', { tellId: body.tellId, pin });
    expect(await release()).toMatchObject({ ok: true, data: { released: false } });
    expect(await release('1234')).toMatchObject({
      ok: true,
      data: { released: false, message: /No staff PIN/ },
    });
    expect((await dsl.json('PUT', '/api/safeguarding/staff-pin', { pin: '12a4' })).status).toBe(400);
    expect((await dsl.json('PUT', '/api/safeguarding/staff-pin', { pin: '482913' })).status).toBe(200);
    const stored = await harbour.db
      .selectFrom('safeguarding_settings')
      .select('value')
      .where('key', '=', 'staffPinHash')
      .executeTakeFirstOrThrow();
    expect(stored.value).toMatch(/argon2id/);
    expect(stored.value).not.toContain('482913');
    expect(await release('000000')).toMatchObject({
      ok: true,
      data: { released: false, message: /not right/ },
    });
    expect(await release('482913')).toMatchObject({ ok: true, data: { released: true } });

    const other = tellBody();
    await sendEvent(device, other);
    expect((await dsl.json('PATCH', '/api/safeguarding/settings', { pupilsMayRelease: true })).status).toBe(
      200,
    );
    expect(await device.socket.emitWithAck('agent:tell-release', { tellId: other.tellId })).toMatchObject({
      ok: true,
      data: { released: true },
    });
    await dsl.json('PATCH', '/api/safeguarding/settings', { pupilsMayRelease: false });
  });
});

describe('the DSL works an incident', () => {
  it('from new to closed, with an action and an escalation; every change on the record', async () => {
    const { id } = await reportIncident();
    const step = async (method: string, url: string, body: unknown) => {
      const r = await dsl.json<Incident>(method, url, body);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return r.body;
    };
    await step('POST', `/api/incidents/${id}/state`, { state: 'acknowledged' });
    await step('PATCH', `/api/incidents/${id}`, {
      category: 'cyberbullying',
      subject: { yearGroup: 'Y4', dateOfBirth: '2016-05-01' },
      details: { concern: 'Unkind messages in a game chat', websites: 'game.example' },
    });
    await step('POST', `/api/incidents/${id}/state`, { state: 'under_review' });
    let incident = await step('POST', `/api/incidents/${id}/actions`, {
      what: 'Talk to the pupil’s parents',
      who: 'DSL',
      due: '2030-01-31',
    });
    const actionId = incident.actions[0]!.id;
    await step('PATCH', `/api/incidents/${id}/actions/${actionId}`, {
      done: true,
      outcome: 'Parents informed',
    });
    await step('POST', `/api/incidents/${id}/escalations`, { route: 'senior_leaders', note: 'Same day' });
    await step('POST', `/api/incidents/${id}/people`, {
      name: 'Other Pupil',
      username: 'pupil8',
      yearGroup: 'Y4',
      role: 'sender',
    });
    expect((await dsl.json('POST', `/api/incidents/${id}/state`, { state: 'closed' })).status).toBe(400);
    incident = await step('POST', `/api/incidents/${id}/state`, {
      state: 'closed',
      outcome: 'parents_informed',
    });
    expect(incident).toMatchObject({
      state: 'closed',
      outcome: 'parents_informed',
      category: 'cyberbullying',
    });
    expect(incident.actions[0]).toMatchObject({ done: true, outcome: 'Parents informed' });
    expect(incident.escalations[0]).toMatchObject({ route: 'senior_leaders', by: 'A dsl' });
    const actions = incident.history.map((h) => h.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'incident.create',
        'incident.state',
        'incident.update',
        'incident.action_add',
        'incident.action_update',
        'incident.escalate',
        'incident.view',
      ]),
    );
    const update = incident.history.find((h) => h.action === 'incident.update');
    expect(update?.detail).toMatchObject({
      changes: { category: { from: 'unsorted', to: 'cyberbullying' } },
    });

    // Closed: no silent changes, no silent reopening.
    for (const [method, url, body] of [
      ['POST', `/api/incidents/${id}/state`, { state: 'under_review' }],
      ['PATCH', `/api/incidents/${id}`, { summary: 'changed' }],
      ['POST', `/api/incidents/${id}/actions`, { what: 'x', who: 'y' }],
    ] as const) {
      const r = await dsl.json<{ error: { code: string; message: string } }>(method, url, body);
      expect(r.status).toBe(409);
      expect(r.body.error.message).toMatch(/closed.*Reopen/);
    }
    incident = await step('POST', `/api/incidents/${id}/reopen`, {
      reason: 'New information from the parents',
    });
    expect(incident.state).toBe('under_review');
    expect(incident.history.find((h) => h.action === 'incident.reopen')?.detail).toMatchObject({
      reason: 'New information from the parents',
    });

    // The chronologies of the pupil and of the other pupil involved.
    const chron = await dsl.json<{ entries: { incidentId: string; kind: string; involvement: string }[] }>(
      'GET',
      '/api/chronology?pupil=SCHOOL%5Cpupil7',
    );
    const mine = chron.body.entries.filter((e) => e.incidentId === id);
    expect(mine.map((e) => e.kind)).toEqual(
      expect.arrayContaining(['incident', 'state', 'escalate', 'action_add', 'reopen']),
    );
    const atTimes = chron.body.entries.map((e) => (e as unknown as { at: string }).at);
    expect([...atTimes].sort()).toEqual(atTimes);
    const other = await dsl.json<{ entries: { incidentId: string; involvement: string }[] }>(
      'GET',
      '/api/chronology?pupil=pupil8',
    );
    expect(other.body.entries[0]).toMatchObject({ incidentId: id, involvement: 'involved' });
  });

  it('links incidents, assigns only to the DSL, and refuses an unknown category', async () => {
    const a = await reportIncident();
    const b = await reportIncident();
    const linked = await dsl.json<Incident>('POST', `/api/incidents/${a.id}/links`, { incidentId: b.id });
    expect(linked.body.links.map((l) => l.id)).toEqual([b.id]);
    expect((await get(dsl, b.id)).body.links.map((l) => l.id)).toEqual([a.id]);
    const teacherId = (await teacher.json<{ user: { id: string } }>('GET', '/api/auth/me')).body.user.id;
    expect((await dsl.json('POST', `/api/incidents/${a.id}/assign`, { userId: teacherId })).status).toBe(400);
    const bad = await dsl.json<{ error: { message: string } }>('PATCH', `/api/incidents/${a.id}`, {
      category: 'nonsense',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/not one of the school's incident categories/);
  });

  it('stores hostile text in every field exactly as given', async () => {
    for (const text of hostile) {
      const r = await teacher.json<Incident>('POST', '/api/incidents', {
        summary: text.slice(0, 200),
        category: 'other',
        subject: { name: text.slice(0, 120), username: text.slice(0, 256) },
        details: Object.fromEntries(
          [
            'location',
            'pupilWords',
            'concern',
            'observed',
            'websites',
            'onlineNames',
            'heardAndTold',
            'othersPresent',
            'recorderName',
            'recorderPosition',
          ].map((f) => [f, text.slice(0, 120)]),
        ),
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      expect(r.body.summary).toBe(text.slice(0, 200).trim());
      expect(r.body.details.concern).toBe(text.slice(0, 120).trim());
      expect(r.body.source).toBe('manual');
    }
    const csv = await dsl.request('GET', '/api/incidents/export.csv');
    expect(csv.status).toBe(200);
    const text = await csv.text();
    expect(text).toContain(`"'=HYPERLINK(""http://evil.test"",""click"")"`);
    expect(text).toContain('<script>alert(1)</script>');
    expect((await harbour.db.selectFrom('incidents').select('id').execute()).length).toBeGreaterThan(4);
  });
});

describe('who sees what (row level)', () => {
  it('a teacher sees incidents they raised, not others’; technicians and admins see none', async () => {
    const own = await teacher.json<Incident>('POST', '/api/incidents', {
      summary: 'A disclosure at break',
      category: 'other',
    });
    const dslOwn = await dsl.json<Incident>('POST', '/api/incidents', {
      summary: 'DSL only',
      category: 'other',
    });
    const report = await reportIncident();
    const list = await teacher.json<{ incidents: IncidentSummary[] }>('GET', '/api/incidents');
    const ids = list.body.incidents.map((i) => i.id);
    expect(ids).toContain(own.body.id);
    expect(ids).not.toContain(dslOwn.body.id);
    expect(ids).not.toContain(report.id); // nobody was watching the room when this one came in
    expect((await get(teacher, dslOwn.body.id)).status).toBe(404);
    expect(
      (await teacher.json('POST', `/api/incidents/${dslOwn.body.id}/notes`, { text: 'hi' })).status,
    ).toBe(404);
    expect((await teacher.json('POST', `/api/tell/${report.id}/acknowledge`, {})).status).toBe(404);
    for (const who of ['admin', 'technician'] as const) {
      expect((await clients[who].json('GET', `/api/incidents/${own.body.id}`)).status).toBe(403);
    }
  });

  it('a teacher supervising the room (supervised session) is alerted and sees its reports; not before, not other rooms', async () => {
    const teacherId = (await teacher.json<{ user: { id: string } }>('GET', '/api/auth/me')).body.user.id;
    const otherRoom = (await clients.admin.createRoom(`Other ${randomUUID()}`)).id;
    const otherDevice = await enrolTestDevice(harbour.url, clients.admin, otherRoom, 'OTHER-PC');
    try {
      const before = await reportIncident();
      expect(
        (await clients.admin.json('PUT', `/api/rooms/${roomId}/staff`, { userIds: [teacherId] })).status,
      ).toBe(200);
      const started = await teacher.json<{ id: string }>('POST', '/api/supervision', {
        roomId,
        durationMinutes: 30,
      });
      expect(started.status, JSON.stringify(started.body)).toBe(201);
      const socket = await connected(dashboardSocket(harbour.url, teacher.cookieHeader));
      const alerts: string[] = [];
      socket.on('tell:alert', (a) => alerts.push(a.incidentId));
      try {
        const during = await reportIncident();
        const elsewhere = tellBody();
        await sendEvent(otherDevice, elsewhere);
        await waitFor(() => alerts.includes(during.id), { what: 'the supervising teacher’s alert' });
        const ids = (
          await teacher.json<{ incidents: IncidentSummary[] }>('GET', '/api/incidents')
        ).body.incidents.map((i) => i.id);
        expect(ids).toContain(during.id);
        expect(ids).not.toContain(before.id);
        expect((await get(teacher, during.id)).status).toBe(200);
        expect((await get(teacher, before.id)).status).toBe(404);
        const other = await harbour.db
          .selectFrom('incidents')
          .select('id')
          .where('tell_id', '=', elsewhere.tellId)
          .executeTakeFirstOrThrow();
        expect(ids).not.toContain(other.id);
        expect(alerts).not.toContain(other.id);
      } finally {
        socket.close();
        await teacher.json('POST', `/api/supervision/${started.body.id}/end`, {});
      }
    } finally {
      otherDevice.socket.close();
    }
  });

  it('teachers get no evidence until the DSL shares it; every read and reveal is recorded', async () => {
    const teacherSocket = await connected(dashboardSocket(harbour.url, teacher.cookieHeader));
    await teacherSocket.emitWithAck('room:watch', { roomId });
    const png = uniquePng();
    const ref = await uploadPng(device, png);
    const body = tellBody({ evidence: [ref] });
    await sendEvent(device, body);
    const row = await harbour.db
      .selectFrom('incidents')
      .select('id')
      .where('tell_id', '=', body.tellId)
      .executeTakeFirstOrThrow();
    await waitFor(async () => (await get(teacher, row.id)).status === 200, { what: 'teacher access' });
    teacherSocket.close();
    const seen = (await get(teacher, row.id)).body;
    expect(seen.evidence).toEqual([]);
    expect(seen.evidenceWithheld).toBe(1);
    expect((await teacher.request('GET', `/api/incidents/${row.id}/evidence/${ref.sha256}`)).status).toBe(
      403,
    );

    const view = await dsl.request('GET', `/api/incidents/${row.id}/evidence/${ref.sha256}`);
    expect(view.status).toBe(200);
    expect(view.headers.get('x-harbour-sha256')).toBe(ref.sha256);
    expect(Buffer.from(await view.arrayBuffer()).equals(png)).toBe(true);
    expect(
      (await dsl.json('POST', `/api/incidents/${row.id}/evidence/${ref.sha256}/reveal`, {})).status,
    ).toBe(200);

    await dsl.json('POST', `/api/incidents/${row.id}/share-evidence`, { shared: true });
    expect((await teacher.request('GET', `/api/incidents/${row.id}/evidence/${ref.sha256}`)).status).toBe(
      200,
    );
    const trail = await harbour.db
      .selectFrom('audit_log')
      .select(['action', 'actor'])
      .where('subject', '=', row.id)
      .execute();
    const actions = trail.map((t) => t.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'incident.view',
        'evidence.view',
        'evidence.reveal',
        'evidence.view_refused',
        'evidence.share',
      ]),
    );
  });
});

describe('evidence rules', () => {
  it('attachments of the wrong type or size are refused with a clear message', async () => {
    const { body } = await dsl.json<Incident>('POST', '/api/incidents', {
      summary: 'With attachments',
      category: 'other',
    });
    const attach = (data: Buffer | string, type: string) =>
      fetch(`${harbour.url}/api/incidents/${body.id}/attachments?label=photo`, {
        method: 'POST',
        headers: { 'content-type': type, cookie: dsl.cookieHeader },
        body: typeof data === 'string' ? data : new Uint8Array(data),
      });
    const wrongType = await attach('hello', 'text/plain');
    expect(wrongType.status).toBe(400);
    expect(await wrongType.text()).toMatch(/must be PNG or JPEG images/);
    const lying = await attach(Buffer.from('GIF89a....'), 'image/png');
    expect(lying.status).toBe(400);
    expect(await lying.text()).toMatch(/not really image\/png/);
    const tooBig = await attach(Buffer.concat([uniquePng(), Buffer.alloc(9 * 1024 * 1024)]), 'image/png');
    expect(tooBig.status).toBe(413);
    const ok = await attach(uniquePng(), 'image/png');
    expect(ok.status).toBe(201);
    const incident = (await ok.json()) as Incident;
    expect(incident.evidence).toEqual([
      expect.objectContaining({ kind: 'attachment', label: 'photo', received: true }),
    ]);
  });

  it('a suspected illegal image is never shown again, even to the DSL; only the sealed package leaves, and it verifies', async () => {
    const png = uniquePng();
    const ref = await uploadPng(device, png);
    const incident = await reportIncident({ evidence: [ref] });
    const marked = await dsl.json<Incident>(
      'POST',
      `/api/incidents/${incident.id}/evidence/${ref.sha256}/suspected-illegal`,
      { note: 'Police informed' },
    );
    expect(marked.body.evidence[0]?.suspectedIllegal).toBe(true);
    const refused = await dsl.request('GET', `/api/incidents/${incident.id}/evidence/${ref.sha256}`);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toMatch(/suspected illegal/);
    expect(
      (await dsl.json('POST', `/api/incidents/${incident.id}/evidence/${ref.sha256}/reveal`, {})).status,
    ).toBe(403);

    const pkg = await dsl.request('GET', `/api/incidents/${incident.id}/sealed-export`);
    expect(pkg.status).toBe(200);
    const { verifySealedPackage } = await import('../support/sealed.js');
    const result = verifySealedPackage(Buffer.from(await pkg.arrayBuffer()));
    expect(result.manifestSha256).toBe(pkg.headers.get('x-harbour-manifest-sha256'));
    expect(result.files.find((f) => f.path.startsWith('evidence/'))?.bytes).toEqual(png);
    expect(result.metadata).toMatchObject({ evidence: [{ sha256: ref.sha256, suspectedIllegal: true }] });
    const recorded = await harbour.db
      .selectFrom('audit_log')
      .select('detail')
      .where('subject', '=', incident.id)
      .where('action', '=', 'evidence.sealed_export')
      .executeTakeFirstOrThrow();
    expect(recorded.detail).toContain(result.manifestSha256);
  });
});

describe('reports', () => {
  it('the governors’ report counts incidents without naming anyone', async () => {
    const r = await dsl.json<{
      total: number;
      byCategory: { key: string; count: number }[];
      byMonth: { count: number }[];
    }>('GET', '/api/reports/governors');
    expect(r.status).toBe(200);
    expect(r.body.total).toBeGreaterThan(5);
    expect(r.body.byMonth.reduce((n, m) => n + m.count, 0)).toBe(r.body.total);
    const text = JSON.stringify(r.body);
    for (const secret of ['pupil7', 'Pupil Seven', 'Y4-PC-01', 'Year 4', '<script>'])
      expect(text).not.toContain(secret);
  });

  it('the governors’ report is kept between requests, and is fresh after any change to an incident', async () => {
    type Report = { total: number; byOutcome: { key: string; count: number }[] };
    const report = async () => (await dsl.json<Report>('GET', '/api/reports/governors')).body;
    const outcome = (r: Report, key: string) => r.byOutcome.find((o) => o.key === key)?.count ?? 0;
    const before = await report();
    expect(await report()).toEqual(before);

    // Written through the server: counted at once.
    const { body } = await dsl.json<Incident>('POST', '/api/incidents', {
      summary: 'Counted',
      category: 'other',
    });
    const added = await report();
    expect(added.total).toBe(before.total + 1);
    await dsl.json('POST', `/api/incidents/${body.id}/state`, {
      state: 'closed',
      outcome: 'no_further_action',
    });
    expect(outcome(await report(), 'no_further_action')).toBe(outcome(added, 'no_further_action') + 1);

    // Written by another connection to the database (an administrator's sqlite3 shell or psql): counted too.
    await outsideQuery(
      harbour,
      "update incidents set occurred_at = '2001-01-01T00:00:00.000Z' where id = ?",
      body.id,
    );
    expect((await report()).total).toBe(before.total);
  });

  it('the subject-access export holds the pupil’s incidents and evidence hashes', async () => {
    const r = await dsl.json<{ incidents: { subject_username: string }[]; evidence: { sha256: string }[] }>(
      'GET',
      '/api/subject-access?pupil=SCHOOL%5Cpupil7',
    );
    expect(r.status).toBe(200);
    expect(r.body.incidents.length).toBeGreaterThan(3);
    expect(r.body.incidents.every((i) => i.subject_username === 'SCHOOL\\pupil7')).toBe(true);
    expect(r.body.evidence.length).toBeGreaterThan(0);
  });

  it('retention purges old closed incidents and records what it purged', async () => {
    const { body } = await dsl.json<Incident>('POST', '/api/incidents', {
      summary: 'Old one',
      category: 'other',
    });
    await dsl.json('POST', `/api/incidents/${body.id}/state`, {
      state: 'closed',
      outcome: 'no_further_action',
    });
    await harbour.db
      .updateTable('incidents')
      .set({ closed_at: '2000-01-01T00:00:00.000Z' })
      .where('id', '=', body.id)
      .execute();
    const run = await dsl.json<{ incidents: number }>('POST', '/api/retention/run', {});
    expect(run.body.incidents).toBe(1);
    expect((await get(dsl, body.id)).status).toBe(404);
    const purges = await dsl.json<{ purges: { recordType: string; detail: string }[] }>(
      'GET',
      '/api/retention/purges',
    );
    expect(purges.body.purges[0]).toMatchObject({ recordType: 'incidents', detail: body.ref });
  });
});

describe('the tamper-evident trail', () => {
  it('verifies intact, and names the first entry edited directly in the database file', async () => {
    expect((await clients.admin.json('GET', '/api/audit/verify')).body).toMatchObject({ ok: true });
    const [target] = await outsideQuery<{ id: number }>(
      harbour,
      "select id from audit_log where action = 'incident.state' order by id limit 1",
    );
    if (!target) throw new Error('no incident.state entry to edit');
    await outsideQuery(
      harbour,
      "update audit_log set detail = replace(detail, 'acknowledged', 'closed') where id = ?",
      target.id,
    );
    const r = await dsl.json<{ ok: boolean; brokenAt: { id: number }; reason: string }>(
      'GET',
      '/api/audit/verify',
    );
    expect(r.body).toMatchObject({ ok: false, brokenAt: { id: target.id } });
    expect(r.body.reason).toMatch(/changed/);
  });
});
