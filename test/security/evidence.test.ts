/**
 * Issue 14 items 4, 8 (evidence belongs to its device) and 12: every route that returns an
 * evidence file goes through the same rules, whatever the route; a teacher sees nothing of
 * a record they may not open.
 */
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentSocket } from '../support/sockets.js';
import {
  buildWorld,
  connectDevice,
  everyStaff,
  hostile,
  type EnrolledDevice,
  type Staff,
  type World,
} from './world.js';

const tinyPng = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
const sha256Of = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let world: World;
let agentA: AgentSocket;
let agentB: AgentSocket;

type State = 'normal' | 'not shared' | 'suspected illegal';
const states: State[] = ['normal', 'not shared', 'suspected illegal'];
/** Per state: a pupil's report (incident) and a flag, each with its own screenshot. */
const cases = {} as Record<
  State,
  { incidentId: string; incidentSha: string; flagId: string; flagSha: string }
>;

async function upload(device: EnrolledDevice, bytes: Buffer) {
  const res = await fetch(`${world.harbour.url}/api/agent/evidence?sha256=${sha256Of(bytes)}`, {
    method: 'POST',
    headers: { 'content-type': 'image/png', authorization: `Device ${device.deviceId}:${device.credential}` },
    body: new Uint8Array(bytes),
  });
  expect([200, 201]).toContain(res.status);
  return { sha256: sha256Of(bytes), mime: 'image/png' as const, bytes: bytes.length };
}
const uniquePng = () => Buffer.concat([tinyPng, Buffer.from(randomUUID())]);

async function event(socket: AgentSocket, body: Record<string, unknown>) {
  return socket.emitWithAck('agent:event', {
    id: randomUUID(),
    occurredAt: new Date().toISOString(),
    body: body as never,
  });
}
const window = {
  app: 'Chromium',
  title: 'Page',
  exePath: null,
  url: 'https://example.org/',
  domain: 'example.org',
  private: false,
};
const flagBody = (evidence: unknown[]) => ({
  type: 'activity.flag',
  user: { username: 'pupil' },
  window,
  match: {
    entryId: randomUUID(),
    kind: 'domain',
    pattern: 'example.org',
    category: 'games',
    severity: 'low',
    where: 'domain',
    matched: 'example.org',
  },
  evidence,
});
const tellBody = (evidence: unknown[]) => ({
  type: 'tell.reported',
  tellId: randomUUID(),
  user: { username: 'pupil', displayName: 'A pupil' },
  evidence,
  displays: [],
  window: null,
  captureError: null,
});

/** Every incident holding `sha` (a flag's screenshot is also its incident's evidence). */
const incidentsHolding = async (sha: string) =>
  (
    await world.harbour.db
      .selectFrom('incident_evidence')
      .select('incident_id')
      .where('sha256', '=', sha)
      .execute()
  ).map((r) => r.incident_id);

beforeAll(async () => {
  world = await buildWorld();
  agentA = await connectDevice(world.harbour, world.deviceA);
  agentB = await connectDevice(world.harbour, world.deviceB);
  // Teacher A supervises room A, so every record from there is one they may open.
  expect((await world.staff.teacherA.json('POST', '/api/supervision', { roomId: world.roomA })).status).toBe(
    201,
  );
  for (const state of states) {
    const incidentRef = await upload(world.deviceA, uniquePng());
    const report = tellBody([incidentRef]);
    expect(await event(agentA, report)).toMatchObject({ ok: true });
    const incident = await world.harbour.db
      .selectFrom('incidents')
      .select('id')
      .where('tell_id', '=', report.tellId as string)
      .executeTakeFirstOrThrow();
    const flagRef = await upload(world.deviceA, uniquePng());
    expect(await event(agentA, flagBody([flagRef]))).toMatchObject({ ok: true });
    const flag = await world.harbour.db
      .selectFrom('flags')
      .select('id')
      .where('evidence', 'like', `%${flagRef.sha256}%`)
      .executeTakeFirstOrThrow();
    cases[state] = {
      incidentId: incident.id,
      incidentSha: incidentRef.sha256,
      flagId: flag.id,
      flagSha: flagRef.sha256,
    };
    for (const sha of [incidentRef.sha256, flagRef.sha256]) {
      for (const id of await incidentsHolding(sha)) {
        if (state === 'normal') {
          const r = await world.staff.dsl.json('POST', `/api/incidents/${id}/share-evidence`, {
            shared: true,
          });
          expect(r.status).toBe(200);
        }
        if (state === 'suspected illegal') {
          const r = await world.staff.dsl.json(
            'POST',
            `/api/incidents/${id}/evidence/${sha}/suspected-illegal`,
            {},
          );
          expect(r.status).toBe(200);
        }
      }
    }
  }
});
afterAll(async () => {
  agentA.close();
  agentB.close();
  await world.close();
});

/** The GET routes of the OpenAPI document, with `{param}` placeholders. */
async function openApiGets(): Promise<string[]> {
  const doc = (await (await fetch(`${world.harbour.url}/api/openapi.json`)).json()) as {
    paths: Record<string, Record<string, unknown>>;
  };
  return Object.entries(doc.paths)
    .filter(([, ops]) => 'get' in ops)
    .map(([p]) => p);
}

/** Fills a route's placeholders for one case: ids of the flag and the incident, the screenshot. */
function fill(route: string, c: (typeof cases)[State], which: 'incident' | 'flag'): string {
  return route
    .replace('{id}', which === 'incident' ? c.incidentId : c.flagId)
    .replace('{sha256}', which === 'incident' ? c.incidentSha : c.flagSha);
}

// Who may see an image, written out by hand from the rules: the DSL sees every record's
// evidence except a suspected illegal image, which nobody sees; a teacher only what the DSL
// shared, in records they may open (teacher A: room A; teacher B: none of these); admins
// see flags' screenshots (not records); technicians nothing of pupils.
const expected: Record<string, Record<State, Staff[]>> = {
  '/api/incidents/{id}/evidence/{sha256}': {
    normal: ['dsl', 'teacherA'],
    'not shared': ['dsl'],
    'suspected illegal': [],
  },
  // The admin of this world has no second factor, and evidence opens only after one (issue 17):
  // an admin who has enrolled one sees flag evidence as the DSL does.
  '/api/flags/{id}/evidence/{sha256}': {
    normal: ['dsl', 'teacherA'],
    'not shared': ['dsl'],
    'suspected illegal': [],
  },
};

describe('item 4: every route that returns image bytes follows the evidence rules', () => {
  it('finds the image routes in the OpenAPI document by what they answer', async () => {
    const imageRoutes: string[] = [];
    for (const route of await openApiGets()) {
      if (!route.includes('{')) continue;
      for (const which of ['incident', 'flag'] as const) {
        const res = await world.staff.dsl.request(
          'GET',
          fill(route, cases.normal, which).replace(/\{[^}]+\}/g, randomUUID()),
        );
        if (res.headers.get('content-type')?.startsWith('image/')) imageRoutes.push(route);
        await res.arrayBuffer();
      }
    }
    // A new route that returns images must be added to `expected` (and so be proved below).
    expect([...new Set(imageRoutes)].sort()).toEqual(Object.keys(expected).sort());
  });

  for (const [route, byState] of Object.entries(expected)) {
    for (const state of states) {
      it(`${route}, ${state}: only ${byState[state].join(', ') || 'nobody'}`, async () => {
        const which = route.startsWith('/api/incidents') ? 'incident' : 'flag';
        const allowed: Staff[] = [];
        for (const who of everyStaff) {
          const res = await hostile(
            world.harbour,
            () => world.staff[who].request('GET', fill(route, cases[state], which)),
            ['audit_log'],
          );
          const body = Buffer.from(await res.arrayBuffer());
          if (res.status === 200) {
            expect(res.headers.get('content-type')).toBe('image/png');
            expect(sha256Of(body)).toBe(
              which === 'incident' ? cases[state].incidentSha : cases[state].flagSha,
            );
            allowed.push(who);
          } else {
            expect([403, 404], `${who}: ${res.status}`).toContain(res.status);
            expect(body.toString()).not.toContain('PNG');
          }
        }
        expect(allowed).toEqual(byState[state]);
      });
    }
  }

  it('revealing (un-blurring) follows the same rules', async () => {
    const reveal = (who: Staff, state: State) =>
      world.staff[who].json(
        'POST',
        `/api/incidents/${cases[state].incidentId}/evidence/${cases[state].incidentSha}/reveal`,
      );
    expect((await reveal('teacherA', 'normal')).status).toBe(200);
    expect((await reveal('teacherA', 'not shared')).status).toBe(403);
    expect((await reveal('dsl', 'suspected illegal')).status).toBe(403);
  });
});

describe('item 8: evidence belongs to the device that uploaded it', () => {
  it('a flag citing another device’s screenshot is refused; nothing is stored', async () => {
    const foreign = await upload(world.deviceA, uniquePng());
    const ack = await hostile(world.harbour, () => event(agentB, flagBody([foreign])), []);
    expect(ack).toMatchObject({ ok: false, error: { code: 'conflict' } });
  });

  it('a report citing another device’s screenshot is kept, without it, and says so', async () => {
    const foreign = await upload(world.deviceA, uniquePng());
    const report = tellBody([foreign]);
    expect(await event(agentB, report)).toMatchObject({ ok: true });
    const row = await world.harbour.db
      .selectFrom('incidents')
      .selectAll()
      .where('tell_id', '=', report.tellId as string)
      .executeTakeFirstOrThrow();
    expect(await incidentsHolding(foreign.sha256)).not.toContain(row.id);
    expect(row.details).toMatch(/not sent by this computer/);
  });

  it('the same picture uploaded by both devices may be cited by both', async () => {
    const bytes = uniquePng();
    const ref = await upload(world.deviceA, bytes);
    await upload(world.deviceB, bytes);
    expect(await event(agentB, flagBody([ref]))).toMatchObject({ ok: true });
  });
});

describe('item 12: a teacher sees nothing of a record they may not open', () => {
  it('links, escalation notes and the hashes of withheld evidence stay with the DSL', async () => {
    const own = cases['not shared'].incidentId;
    // A record teacher A may not open: recorded by the DSL about another room.
    const other = await world.staff.dsl.json<{ id: string }>('POST', '/api/incidents', {
      summary: 'Something about another class',
      category: 'grooming',
    });
    expect(other.status).toBe(201);
    expect(
      (await world.staff.dsl.json('POST', `/api/incidents/${own}/links`, { incidentId: other.body.id }))
        .status,
    ).toBe(200);
    expect(
      (
        await world.staff.dsl.json('POST', `/api/incidents/${own}/escalations`, {
          route: 'police',
          note: 'Spoke to PC Example about the older brother',
        })
      ).status,
    ).toBe(200);
    const asTeacher = await world.staff.teacherA.json<Record<string, unknown>>(
      'GET',
      `/api/incidents/${own}`,
    );
    expect(asTeacher.status).toBe(200);
    const text = JSON.stringify(asTeacher.body);
    expect(text).not.toContain(other.body.id);
    expect(text).not.toContain('grooming');
    expect(text).not.toContain('older brother');
    expect(text).not.toContain(cases['not shared'].incidentSha);
    const asDsl = JSON.stringify((await world.staff.dsl.json('GET', `/api/incidents/${own}`)).body);
    expect(asDsl).toContain(other.body.id);
    expect(asDsl).toContain('older brother');
    expect(asDsl).toContain(cases['not shared'].incidentSha);
  });
});
