import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Flag, Incident } from '@harbour/shared';
import type { Harbour } from '../../dashboard/src/server/app.js';
import type { ApiClient } from '../support/api.js';
import { staffClients, startInProcess, type Caller } from '../support/harbour.js';
import { connected, dashboardSocket } from '../support/sockets.js';
import { enrolTestDevice, sendEvent, uniquePng, uploadPng, type TestDevice } from '../support/tell.js';
import { waitFor } from '../support/wait.js';

// One concern, one incident (issue 15 item 2): repeat hits join the first flag as
// occurrences with their screenshots, with no new incident and no new alert; the DSL
// dismisses a flag as a false positive (who and why), escalates it, or links it to another
// incident. The real server on a real database file, a real device socket.

let harbour: Harbour;
let clients: Record<Caller, ApiClient>;
let roomId: string;
let device: TestDevice;
const keywordEntry = randomUUID();

beforeAll(async () => {
  harbour = await startInProcess();
  clients = await staffClients(harbour);
  roomId = (await clients.admin.createRoom('Year 6 Oak')).id;
  device = await enrolTestDevice(harbour.url, clients.admin, roomId, 'OAK-PC-01');
});
afterAll(async () => {
  device.socket.close();
  await harbour.close();
});

async function hit(
  over: { user?: string | null; entryId?: string; at?: Date; search?: string } = {},
): Promise<string> {
  const ref = await uploadPng(device, uniquePng());
  const search = over.search ?? 'zzbombmaking instructions';
  const event = {
    type: 'activity.flag',
    user: over.user === null ? null : { username: over.user ?? 'pupil7' },
    window: {
      app: 'chromium',
      title: `${search} - Search`,
      exePath: null,
      url: `https://www.google.com/search?q=${encodeURIComponent(search)}`,
      domain: 'google.com',
      private: false,
    },
    match: {
      entryId: over.entryId ?? keywordEntry,
      kind: 'keyword',
      pattern: 'zzbombmaking',
      category: 'violence',
      severity: 'high',
      where: 'search',
      matched: search,
    },
    evidence: [ref],
  };
  const id = randomUUID();
  const ack = await sendEvent(device, event, id, over.at);
  expect(ack, JSON.stringify(ack)).toMatchObject({ ok: true });
  return id;
}

const flagsOf = async (user: string) =>
  (await clients.dsl.json<{ flags: Flag[] }>('GET', `/api/flags?roomId=${roomId}`)).body.flags.filter(
    (f) => f.user === user,
  );
const incidentsOfFlag = (flagId: string) =>
  harbour.db.selectFrom('incidents').selectAll().where('source_ref', '=', flagId).execute();

describe('repeat hits', () => {
  it('leaving and coming back three times: one flag with four occurrences, one incident, one alert', async () => {
    const dslSocket = await connected(dashboardSocket(harbour.url, clients.dsl.cookieHeader));
    const alerts: string[] = [];
    dslSocket.on('incident:created', (i) => alerts.push(i.id));
    try {
      const start = Date.now() - 10 * 60_000;
      for (let i = 0; i < 4; i++) await hit({ user: 'pupil-a', at: new Date(start + i * 60_000) });
      const flags = await flagsOf('pupil-a');
      expect(flags).toHaveLength(1);
      const [flag] = flags as [Flag];
      expect(flag.occurrences).toBe(4);
      expect(flag.status).toBe('open');
      const one = await clients.dsl.json<Flag>('GET', `/api/flags/${flag.id}`);
      expect(one.body.repeats).toHaveLength(3);
      const incidents = await incidentsOfFlag(flag.id);
      expect(incidents).toHaveLength(1);
      // Every occurrence's screenshot is evidence in that one incident.
      const evidence = await harbour.db
        .selectFrom('incident_evidence')
        .select('sha256')
        .where('incident_id', '=', incidents[0]!.id)
        .execute();
      expect(evidence).toHaveLength(4);
      // The summary names the watched term alone, not the whole search (item 6).
      expect(incidents[0]!.summary).toContain('“zzbombmaking”');
      expect(incidents[0]!.summary).not.toContain('instructions');
      await new Promise((r) => setTimeout(r, 300));
      expect(alerts.filter((id) => id === incidents[0]!.id)).toHaveLength(1);
      expect(alerts).toHaveLength(1);
    } finally {
      dslSocket.close();
    }
  });

  it('after the period, another pupil, or another entry: a new flag', async () => {
    const long = new Date(Date.now() - 2 * 3600_000);
    await hit({ user: 'pupil-b', at: long });
    await hit({ user: 'pupil-b' }); // 2 hours later: past the 30 minutes
    await hit({ user: 'pupil-c' });
    await hit({ user: 'pupil-c', entryId: randomUUID() });
    expect(await flagsOf('pupil-b')).toHaveLength(2);
    expect(await flagsOf('pupil-c')).toHaveLength(2);
  });

  it('a period the DSL sets is used for the next flags', async () => {
    const settings = await clients.dsl.json<Record<string, unknown>>('GET', '/api/activity/settings');
    const put = await clients.dsl.json('PUT', '/api/activity/settings', {
      ...settings.body,
      repeatMinutes: 1,
    });
    expect(put.status).toBe(200);
    const at = Date.now() - 10 * 60_000;
    await hit({ user: 'pupil-d', at: new Date(at) });
    await hit({ user: 'pupil-d', at: new Date(at + 2 * 60_000) });
    expect(await flagsOf('pupil-d')).toHaveLength(2);
    await clients.dsl.json('PUT', '/api/activity/settings', { ...settings.body, repeatMinutes: 30 });
  });
});

describe('triage', () => {
  it('the DSL dismisses a false positive: who and why are recorded, audited, and its incident is closed as unfounded', async () => {
    await hit({ user: 'pupil-e' });
    const [flag] = (await flagsOf('pupil-e')) as [Flag];
    const bad = await clients.dsl.json('POST', `/api/flags/${flag.id}/dismiss`, { reason: '' });
    expect(bad.status).toBe(400);
    const res = await clients.dsl.json<{ flag: Flag }>('POST', `/api/flags/${flag.id}/dismiss`, {
      reason: 'A history lesson about the Gunpowder Plot',
    });
    expect(res.status).toBe(200);
    expect(res.body.flag).toMatchObject({
      status: 'dismissed',
      triage: { reason: 'A history lesson about the Gunpowder Plot' },
    });
    expect(res.body.flag.triage?.byName).toBeTruthy();
    const [incident] = await incidentsOfFlag(flag.id);
    expect(incident).toMatchObject({ state: 'closed', outcome: 'unfounded' });
    const audit = await harbour.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'flag.dismiss')
      .where('subject', '=', flag.id)
      .execute();
    expect(audit).toHaveLength(1);
    // Counted no longer as waiting.
    const open = await clients.dsl.json<Flag[]>('GET', `/api/flags?roomId=${roomId}&status=open`);
    expect((open.body as unknown as { flags: Flag[] }).flags.some((f) => f.id === flag.id)).toBe(false);
  });

  it('linking to an existing incident records the flag there (its screenshots too) and closes its own', async () => {
    await hit({ user: 'pupil-f', entryId: randomUUID() });
    await hit({ user: 'pupil-f', entryId: randomUUID() });
    const [second, first] = (await flagsOf('pupil-f')) as [Flag, Flag];
    const [target] = await incidentsOfFlag(first.id);
    const ref = `INC-${String(target!.seq).padStart(4, '0')}`;
    const missing = await clients.dsl.json('POST', `/api/flags/${second.id}/link`, { incident: 'INC-9999' });
    expect(missing.status).toBe(404);
    const res = await clients.dsl.json<{ flag: Flag }>('POST', `/api/flags/${second.id}/link`, {
      incident: ref,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.flag).toMatchObject({ status: 'linked', incidentId: target!.id });
    const full = await clients.dsl.json<Incident>('GET', `/api/incidents/${target!.id}`);
    expect(full.body.evidence.map((e) => e.sha256)).toEqual(
      expect.arrayContaining(second.evidence.map((e) => e.sha256)),
    );
    const [own] = await incidentsOfFlag(second.id);
    expect(own).toMatchObject({ state: 'closed' });
  });

  it('escalating takes the flag’s incident up', async () => {
    await hit({ user: 'pupil-g' });
    const [flag] = (await flagsOf('pupil-g')) as [Flag];
    const res = await clients.dsl.json<{ flag: Flag }>('POST', `/api/flags/${flag.id}/escalate`, {});
    expect(res.status).toBe(200);
    const [incident] = await incidentsOfFlag(flag.id);
    expect(res.body.flag).toMatchObject({ status: 'escalated', incidentId: incident!.id });
    expect(incident!.state).toBe('acknowledged');
  });

  it('only the DSL triages; teachers and admins may read the count', async () => {
    await hit({ user: 'pupil-h' });
    const [flag] = (await flagsOf('pupil-h')) as [Flag];
    for (const who of ['teacher', 'admin', 'technician'] as const) {
      const res = await clients[who].json('POST', `/api/flags/${flag.id}/dismiss`, { reason: 'not mine' });
      expect(res.status, who).toBe(403);
    }
    const count = await clients.dsl.json<{ open: number }>('GET', '/api/flags/counts');
    expect(count.body.open).toBeGreaterThan(0);
    await waitFor(async () => (await clients.admin.json('GET', '/api/flags/counts')).status === 200);
    expect((await clients.technician.json('GET', '/api/flags/counts')).status).toBe(403);
  });
});
