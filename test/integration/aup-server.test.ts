import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplePolicies, type AupDocument } from '@harbour/shared';
import type { Harbour } from '../../dashboard/src/server/app.js';
import { hashAupContent } from '../../dashboard/src/server/features/aup/index.js';
import type { ApiClient } from '../support/api.js';
import { staffClients, startInProcess } from '../support/harbour.js';
import { agentSocket, connected, dashboardSocket, type AgentSocket } from '../support/sockets.js';

let harbour: Harbour;
let admin: ApiClient;
let dsl: ApiClient;
let roomId: string;
const ks2 = samplePolicies.ks2;
if (!ks2) throw new Error('no sample');

async function device(): Promise<{ socket: AgentSocket; deviceId: string }> {
  const { token } = await admin.createToken(roomId);
  const enrolled = await admin.json<{ deviceId: string; credential: string }>('POST', '/api/agent/enrol', {
    token,
    hostname: 'PC-AUP',
    os: 'Linux test',
    serial: null,
    agentVersion: '0.1.0',
  });
  const { deviceId, credential } = enrolled.body;
  const socket = await connected(agentSocket(harbour.url, { deviceId, credential, agentVersion: '0.1.0' }));
  return { socket, deviceId };
}

const decision = (doc: { id: string | null; version: number; textHash: string }, username = 'pupil1') => ({
  id: randomUUID(),
  occurredAt: new Date().toISOString(),
  body: {
    type: 'aup.decision' as const,
    user: { username },
    audience: 'ks2',
    documentId: doc.id,
    version: doc.version,
    textHash: doc.textHash,
    decision: 'accepted' as const,
    source: 'server' as const,
  },
});

const decisionsStored = async () =>
  (await harbour.db.selectFrom('aup_decisions').selectAll().execute()).length;

beforeAll(async () => {
  harbour = await startInProcess();
  const clients = await staffClients(harbour);
  admin = clients.admin;
  dsl = clients.dsl;
  roomId = (await admin.createRoom('Year 2 Elm')).id;
});
afterAll(() => harbour.close());

describe('policies and versions', () => {
  it('the samples are seeded as published version 1 of each audience', async () => {
    const { body } = await dsl.json<{ audiences: { id: string; published: AupDocument | null }[] }>(
      'GET',
      '/api/aup/overview',
    );
    expect(body.audiences.map((a) => [a.id, a.published?.version, a.published?.status])).toEqual([
      ['ks1', 1, 'published'],
      ['ks2', 1, 'published'],
      ['staff', 1, 'published'],
      ['visitors', 1, 'published'],
    ]);
    expect(body.audiences[1]?.published?.textHash).toBe(hashAupContent(ks2));
  });

  it('editing makes a new version; publishing one supersedes the last, which stays readable', async () => {
    const draft = await dsl.json<AupDocument>('POST', '/api/aup/documents', {
      audience: 'ks2',
      content: { ...ks2, title: 'Draft rules' },
    });
    expect(draft.body).toMatchObject({ version: 2, status: 'draft', publishedAt: null });
    const published = await dsl.json<AupDocument>('POST', `/api/aup/documents/${draft.body.id}/publish`, {});
    expect(published.body.status).toBe('published');
    const all = await dsl.json<{ documents: AupDocument[] }>('GET', '/api/aup/documents?audience=ks2');
    expect(all.body.documents.map((d) => [d.version, d.status])).toEqual([
      [2, 'published'],
      [1, 'superseded'],
    ]);
    const old = await dsl.json<AupDocument>('GET', `/api/aup/documents/${all.body.documents[1]?.id}`);
    expect(old.body.content.title).toBe(ks2.title);
  });

  it('hostile text is stored and returned exactly as written', async () => {
    const title = `<img src=x onerror=alert(1)> '; DROP TABLE aup_documents;-- ${'é'.normalize('NFD')} 🙂`;
    const res = await dsl.json<AupDocument>('POST', '/api/aup/documents', {
      audience: 'visitors',
      content: { ...ks2, layout: 'standard', title },
    });
    expect(res.status).toBe(201);
    expect(res.body.content.title).toBe(title.normalize('NFC'));
  });

  it('bad input is refused clearly and changes nothing', async () => {
    const before = (await dsl.json<{ documents: unknown[] }>('GET', '/api/aup/documents')).body.documents
      .length;
    const cases: [unknown, RegExp][] = [
      [{ audience: 'ks2', content: { ...ks2, rules: [] } }, /at least one rule/],
      [{ audience: 'ks2', content: { ...ks2, title: 'x'.repeat(500) } }, /at most 120/],
      [{ audience: 'ks2', content: { ...ks2, title: 'a\u202Eb' } }, /direction-override/],
      [{ audience: 'Not An Audience', content: ks2 }, /audience must be/],
    ];
    for (const [body, message] of cases) {
      const res = await dsl.json<{ error: { code: string; message: string } }>(
        'POST',
        '/api/aup/documents',
        body,
      );
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(message);
    }
    const missing = await dsl.json('POST', '/api/aup/documents', { audience: 'nursery', content: ks2 });
    expect(missing.status).toBe(404);
    const after = (await dsl.json<{ documents: unknown[] }>('GET', '/api/aup/documents')).body.documents
      .length;
    expect(after).toBe(before);
  });

  it('settings naming an unknown audience or room are refused; valid ones are saved', async () => {
    const bad = await dsl.json<{ error: { message: string } }>('PUT', '/api/aup/settings', {
      defaultAudience: 'ks2',
      rules: [{ kind: 'group', pattern: 'staff', audience: 'nope' }],
      expiryMonth: 9,
      expiryDay: 1,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/Unknown audience: nope/);
    const badRoom = await dsl.json('PUT', '/api/aup/settings', {
      defaultAudience: 'ks2',
      rules: [{ kind: 'room', pattern: randomUUID(), audience: 'ks1' }],
      expiryMonth: 9,
      expiryDay: 1,
    });
    expect(badRoom.status).toBe(400);
    expect((await dsl.json('GET', '/api/aup/settings')).body).toMatchObject({ rules: [] });
    const good = await dsl.json('PUT', '/api/aup/settings', {
      defaultAudience: 'ks2',
      rules: [{ kind: 'room', pattern: roomId, audience: 'ks1' }],
      expiryMonth: 8,
      expiryDay: 31,
    });
    expect(good.status).toBe(200);
  });

  it('audiences can be added', async () => {
    const res = await dsl.json('POST', '/api/aup/audiences', { id: 'wraparound', name: 'Breakfast club' });
    expect(res.status).toBe(201);
    const again = await dsl.json('POST', '/api/aup/audiences', { id: 'wraparound', name: 'Again' });
    expect(again.status).toBe(409);
  });
});

describe('decisions from agents', () => {
  it('acceptance of a version that was never published is refused, and nothing is stored', async () => {
    const draft = await dsl.json<AupDocument>('POST', '/api/aup/documents', {
      audience: 'ks2',
      content: { ...ks2, title: 'Never published' },
    });
    const { socket } = await device();
    const before = await decisionsStored();
    const result = await socket.emitWithAck('agent:event', decision(draft.body));
    expect(result).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    if (!result.ok) expect(result.error.message).toMatch(/never published/);
    // Nor a made-up hash for a published version.
    const published = (await dsl.json<{ documents: AupDocument[] }>('GET', '/api/aup/documents?audience=ks2'))
      .body.documents[1];
    if (!published) throw new Error('no published version');
    const forged = await socket.emitWithAck(
      'agent:event',
      decision({ ...published, textHash: 'a'.repeat(64) }),
    );
    expect(forged.ok).toBe(false);
    expect(await decisionsStored()).toBe(before);
    socket.close();
  });

  it('a decision is stored once however often it is delivered, and shows on the live device', async () => {
    // KS2 is the policy that applies in this room (an earlier test gave it KS1 by a room rule).
    const settings = await dsl.json<Record<string, unknown>>('GET', '/api/aup/settings');
    await dsl.json('PUT', '/api/aup/settings', { ...settings.body, defaultAudience: 'ks2', rules: [] });
    const { socket, deviceId } = await device();
    await socket.emitWithAck('agent:presence', { user: { username: 'pupil1' }, locked: false });
    const current = (
      await dsl.json<{ documents: AupDocument[] }>('GET', '/api/aup/documents?audience=ks2')
    ).body.documents.find((d) => d.status === 'published');
    if (!current) throw new Error('no published version');
    const live = await connected(dashboardSocket(harbour.url, admin.cookieHeader));
    const watched = await live.emitWithAck('room:watch', { roomId });
    expect(watched.ok && watched.data.devices.find((d) => d.id === deviceId)?.aup?.status).toBe('never');
    const changed = new Promise<{ aup?: { status: string } | null }>((resolve) =>
      live.on('device:changed', (d) => {
        if (d.id === deviceId && d.aup?.status === 'current') resolve(d);
      }),
    );
    const event = decision(current);
    expect(await socket.emitWithAck('agent:event', event)).toMatchObject({
      ok: true,
      data: { duplicate: false },
    });
    expect(await socket.emitWithAck('agent:event', event)).toMatchObject({
      ok: true,
      data: { duplicate: true },
    });
    await changed;
    const rows = await harbour.db
      .selectFrom('aup_decisions')
      .selectAll()
      .where('event_id', '=', event.id)
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ room_id: roomId, version: current.version, username: 'pupil1' });
    live.close();
    socket.close();
  });

  it('the built-in sample is matched to the published version with the same text', async () => {
    const { socket } = await device();
    const builtin = { id: null, version: 1, textHash: hashAupContent(ks2) };
    const result = await socket.emitWithAck('agent:event', {
      ...decision(builtin, 'pupil2'),
      body: { ...decision(builtin, 'pupil2').body, source: 'builtin' },
    });
    expect(result.ok).toBe(true);
    const { body } = await dsl.json<{ entries: { version: number; source: string }[] }>(
      'GET',
      '/api/aup/register?username=pupil2',
    );
    expect(body.entries).toMatchObject([{ version: 1, source: 'builtin' }]);
    const status = await dsl.json<{ users: { status: string }[] }>('GET', '/api/aup/status?username=pupil2');
    expect(status.body.users[0]?.status).toBe('outdated'); // version 2 is published now
    socket.close();
  });

  it('register views and exports are audited', async () => {
    await dsl.request('GET', '/api/aup/register.csv?decision=accepted');
    const rows = await harbour.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'aup.register.export')
      .execute();
    expect(rows.length).toBeGreaterThan(0);
  });

  it('CSV cells that a spreadsheet would run as formulas are defused', async () => {
    const { socket } = await device();
    const current = (
      await dsl.json<{ documents: AupDocument[] }>('GET', '/api/aup/documents?audience=ks2')
    ).body.documents.find((d) => d.status === 'published');
    if (!current) throw new Error('no published version');
    await socket.emitWithAck('agent:event', decision(current, '=HYPERLINK("http://x")'));
    const csv = await (await dsl.request('GET', '/api/aup/register.csv')).text();
    expect(csv).toContain(`"'=HYPERLINK(""http://x"")"`);
    socket.close();
  });
});

describe('standing per computer and user (issue 15 item 4)', () => {
  async function deviceIn(room: string, hostname: string, aupGate: boolean, username: string) {
    const { token } = await admin.createToken(room);
    const enrolled = await admin.json<{ deviceId: string; credential: string }>('POST', '/api/agent/enrol', {
      token,
      hostname,
      os: 'Linux test',
      serial: null,
      agentVersion: '0.1.0',
    });
    const { deviceId, credential } = enrolled.body;
    const socket = await connected(agentSocket(harbour.url, { deviceId, credential, agentVersion: '0.1.0' }));
    await socket.emitWithAck('agent:presence', { user: { username }, locked: false, aupGate });
    return { socket, deviceId };
  }
  const inRoom = async (room: string) => {
    const live = await connected(dashboardSocket(harbour.url, admin.cookieHeader));
    const watched = await live.emitWithAck('room:watch', { roomId: room });
    live.close();
    if (!watched.ok) throw new Error('room:watch refused');
    return watched.data.devices;
  };

  it('a computer without the gate says so and is not "agreed"; the policy of the computer’s room decides', async () => {
    const current = (
      await dsl.json<{ documents: AupDocument[] }>('GET', '/api/aup/documents?audience=ks2')
    ).body.documents.find((d) => d.status === 'published');
    if (!current) throw new Error('no published version');
    const otherRoom = (await admin.createRoom('Reception Oak')).id;
    const settings = await dsl.json<Record<string, unknown>>('GET', '/api/aup/settings');
    const put = await dsl.json('PUT', '/api/aup/settings', {
      ...settings.body,
      defaultAudience: 'ks2',
      rules: [{ kind: 'room', pattern: otherRoom, audience: 'ks1' }],
    });
    expect(put.status).toBe(200);

    const gated = await deviceIn(roomId, 'PC-GATE', true, 'pupil9');
    expect((await gated.socket.emitWithAck('agent:event', decision(current, 'pupil9'))).ok).toBe(true);
    const ungated = await deviceIn(roomId, 'PC-NOGATE', false, 'pupil9');
    const elsewhere = await deviceIn(otherRoom, 'PC-KS1', true, 'pupil9');

    const here = await inRoom(roomId);
    expect(here.find((d) => d.id === gated.deviceId)).toMatchObject({
      aupGate: true,
      aup: { status: 'current', audience: 'ks2' },
    });
    // The rules were never shown there: no standing, so no "Agreed" and no "not agreed".
    expect(here.find((d) => d.id === ungated.deviceId)).toMatchObject({ aupGate: false, aup: null });
    // In a room whose policy is KS1, agreeing to KS2 elsewhere is not agreeing.
    expect((await inRoom(otherRoom)).find((d) => d.id === elsewhere.deviceId)).toMatchObject({
      aup: { status: 'never', audience: 'ks1' },
    });
    const inventory = await admin.json<{ devices: { id: string; aup: { state: string } | null }[] }>(
      'GET',
      '/api/devices',
    );
    expect(inventory.body.devices.find((d) => d.id === ungated.deviceId)?.aup?.state).toBe('not_shown');
    expect(inventory.body.devices.find((d) => d.id === gated.deviceId)?.aup?.state).toBe('current');

    await dsl.json('PUT', '/api/aup/settings', settings.body);
    for (const d of [gated, ungated, elsewhere]) d.socket.close();
  });
});
