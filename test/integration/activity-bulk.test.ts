/**
 * Many computers' window changes arriving together are stored by the group commit's bulk
 * path (db/group-commit.ts, activity.ts's recordActivityChanges): a few statements for the
 * whole batch instead of three per change. Whatever else is in the batch, each change gets
 * exactly the outcome it would have had alone: a redelivered event is a duplicate, a change
 * arriving after a later one takes its place in the past, a time from a clock far ahead is
 * kept at the time it was received, a
 * device's two changes keep their order, a plain "off" closes the open interval. Real server,
 * real socket.io agents, on SQLite and PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentEvent } from '@harbour/shared';
import type { Harbour } from '../../dashboard/src/server/app.js';
import type { ApiClient } from '../support/api.js';
import { staffClients, startInProcess } from '../support/harbour.js';
import { enrolTestDevice, type TestDevice } from '../support/tell.js';

let harbour: Harbour;
let admin: ApiClient;
const agents: TestDevice[] = [];

beforeAll(async () => {
  harbour = await startInProcess();
  admin = (await staffClients(harbour)).admin;
  const roomId = (await admin.createRoom('Year 6')).id;
  for (let i = 0; i < 40; i++) agents.push(await enrolTestDevice(harbour.url, admin, roomId, `PC-${i}`));
});
afterAll(async () => {
  for (const a of agents) a.socket.close();
  await harbour.close();
});

const change = (at: number, title: string, state: 'active' | 'off' = 'active'): AgentEvent => ({
  id: randomUUID(),
  occurredAt: new Date(at).toISOString(),
  body:
    state === 'off'
      ? { type: 'activity.changed', state: 'off', user: null, window: null }
      : {
          type: 'activity.changed',
          state,
          user: { username: 'pupil' },
          window: { app: 'Browser', title, exePath: null, url: null, domain: null, private: false },
        },
});

const send = (i: number, event: AgentEvent) => agents[i]!.socket.emitWithAck('agent:event', event);

const timeline = async (deviceId: string) =>
  (
    await harbour.db
      .selectFrom('activity_intervals')
      .select(['title', 'started_at', 'ended_at'])
      .where('device_id', '=', deviceId)
      .orderBy('started_at')
      .execute()
  ).map((r) => [r.title, r.started_at, r.ended_at]);

const iso = (t: number) => new Date(t).toISOString();

describe('window changes of many computers at once', () => {
  const t0 = Date.now() - 600_000;
  const first = new Map<number, AgentEvent>();

  it('are all stored, each device with its open interval, as if they had come one by one', async () => {
    // Every agent's first change, all sent before any is acknowledged.
    const acks = await Promise.all(
      agents.map((_, i) => {
        const event = change(t0 + i, `first ${i}`);
        first.set(i, event);
        return send(i, event);
      }),
    );
    expect(acks.every((a) => a.ok && !a.data.duplicate)).toBe(true);
    // And a second change each, together again: every open interval is closed at it.
    const second = await Promise.all(agents.map((_, i) => send(i, change(t0 + 60_000 + i, `second ${i}`))));
    expect(second.every((a) => a.ok)).toBe(true);
    for (const [i, a] of agents.entries()) {
      expect(await timeline(a.deviceId)).toEqual([
        [`first ${i}`, iso(t0 + i), iso(t0 + 60_000 + i)],
        [`second ${i}`, iso(t0 + 60_000 + i), null],
      ]);
    }
  });

  it('give each odd one in the batch its own outcome and store the others', async () => {
    const t1 = t0 + 120_000;
    const sends = agents.map((_, i) => {
      if (i === 30) return [send(i, first.get(i)!)]; // delivered again
      if (i === 31) return [send(i, change(t0 + 30_000 + i, `late ${i}`))]; // before "second"
      // A clock an hour fast: kept, at the time it was received (its health says the clock is wrong).
      if (i === 32) return [send(i, change(Date.now() + 3_600_000, 'tomorrow'))];
      if (i === 33) return [send(i, change(t1 + i, `a ${i}`)), send(i, change(t1 + 1000 + i, `b ${i}`))];
      if (i === 34) return [send(i, change(t1 + i, '', 'off'))];
      return [send(i, change(t1 + i, `third ${i}`))];
    });
    const acks = await Promise.all(sends.map((s) => Promise.all(s)));
    expect(acks[30]).toEqual([{ ok: true, data: { duplicate: true } }]);
    for (const [i, a] of acks.entries())
      expect(
        a.every((r) => r.ok),
        `agent ${i}`,
      ).toBe(true);

    const tl = (i: number) => timeline(agents[i]!.deviceId);
    const stored = (i: number) => [
      [`first ${i}`, iso(t0 + i), iso(t0 + 60_000 + i)],
      [`second ${i}`, iso(t0 + 60_000 + i), iso(t1 + i)],
      [`third ${i}`, iso(t1 + i), null],
    ];
    expect(await tl(30)).toEqual([
      [`first 30`, iso(t0 + 30), iso(t0 + 60_030)],
      [`second 30`, iso(t0 + 60_030), null],
    ]);
    expect(await tl(31)).toEqual([
      [`first 31`, iso(t0 + 31), iso(t0 + 30_031)],
      [`late 31`, iso(t0 + 30_031), iso(t0 + 60_031)],
      [`second 31`, iso(t0 + 60_031), null],
    ]);
    const skewed = await tl(32);
    expect(skewed.map((r) => r[0])).toEqual(['first 32', 'second 32', 'tomorrow']);
    expect(skewed[1]![2]).toBe(skewed[2]![1]);
    expect(Date.parse(skewed[2]![1]!)).toBeLessThanOrEqual(Date.now());
    expect(skewed[2]![2]).toBeNull();
    expect(await tl(33)).toEqual([
      [`first 33`, iso(t0 + 33), iso(t0 + 60_033)],
      [`second 33`, iso(t0 + 60_033), iso(t1 + 33)],
      [`a 33`, iso(t1 + 33), iso(t1 + 1033)],
      [`b 33`, iso(t1 + 1033), null],
    ]);
    expect(await tl(34)).toEqual([
      [`first 34`, iso(t0 + 34), iso(t0 + 60_034)],
      [`second 34`, iso(t0 + 60_034), iso(t1 + 34)],
    ]);
    for (const i of [0, 1, 2, 29, 35, 39]) expect(await tl(i), `agent ${i}`).toEqual(stored(i));
    // Every acknowledged event is in the outbox's record once.
    const events = await harbour.db.selectFrom('agent_events').select('event_id').execute();
    expect(new Set(events.map((e) => e.event_id)).size).toBe(events.length);
  });
});
