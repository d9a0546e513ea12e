/**
 * Issue 14, "How to prove it": a property-based fuzz test of every zod schema on both socket
 * namespaces. For every agent request (an enrolled device on /agent) and every dashboard
 * request (a signed-in administrator on /dashboard), fast-check builds payloads that the
 * event's own schema refuses: random JSON, and objects shaped like the schema (its own keys,
 * its discriminator values, nested objects of the same kind) holding wrong, absurd or hostile
 * values. Each is sent to the real server; each must be answered with a clear refusal on that
 * connection, the server must still answer its health check, and no row may be written.
 *
 * Bounded: a fixed seed and a fixed number of runs per event (about 1,000 frames in all), so it
 * runs in seconds and a failure reproduces. FUZZ_RUNS=<n> runs more, e.g. before a release.
 */
import fc from 'fast-check';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { agentRequests, dashboardRequests } from '@harbour/shared';
import { startHarbour } from '../../dashboard/src/server/app.js';
import { adminEmail, password } from '../support/harbour.js';
import { tempDir } from '../support/paths.js';
import type { AgentSocket, DashboardSocket } from '../support/sockets.js';
import { buildWorld, connectDevice, connectStaff, rowCounts, stillHealthy, type World } from './world.js';

const runs = Number(process.env.FUZZ_RUNS ?? 40);
const seed = Number(process.env.FUZZ_SEED ?? 20261201);

let world: World;
beforeAll(async () => {
  // The rate limits stay on in every other test; here they would only stop the fuzzing early.
  const harbour = await startHarbour(
    {
      port: 0,
      host: '127.0.0.1',
      dataDir: tempDir('fuzz'),
      logLevel: 'silent',
      loginRateLimit: 1000,
      enrolRateLimit: 1000,
      bootstrapAdmin: { email: adminEmail, password },
      rateLimits: { deviceSocket: 1_000_000, deviceUpload: 1_000_000, staffSocket: 1_000_000 },
    },
    { logger: pino({ level: 'silent' }) },
  );
  world = await buildWorld(harbour);
});
afterAll(() => world.close());

// ---- payloads the schema refuses -----------------------------------------------------

const hostileStrings = fc.constantFrom(
  '',
  ' ',
  'x'.repeat(5000),
  '\u202E\u0000\uFFFF',
  '0001-01-01T00:00:00.000Z',
  '9999-12-31T23:59:59.999Z',
  'not-a-uuid',
  '00000000-0000-0000-0000-000000000000',
  '__proto__',
  '{"$gt":""}',
  "'; drop table devices; --",
  '<img src=x onerror=alert(1)>',
  'data:image/png;base64,AAAA',
);
const leaf: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  hostileStrings,
  fc.string({ maxLength: 40 }),
  fc.uuid(),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom(-1, 0, 1, 2 ** 53, -(2 ** 53), 1e308, 0.5, true, false, null),
  fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 5 }),
);

/** The object shapes a schema accepts (an object's keys; each option of a union), one level. */
function shapesOf(schema: z.ZodType): { shape: Record<string, z.ZodType> }[] {
  const def = (schema as unknown as { def?: { type?: string; options?: z.ZodType[]; innerType?: z.ZodType } })
    .def;
  if (!def) return [];
  if (def.type === 'object') return [{ shape: (schema as z.ZodObject).shape }];
  if (def.type === 'union' && def.options) return def.options.flatMap(shapesOf);
  if ((def.type === 'optional' || def.type === 'nullable' || def.type === 'default') && def.innerType)
    return shapesOf(def.innerType);
  return [];
}

interface Def {
  type?: string;
  format?: string;
  values?: unknown[];
  entries?: object;
  element?: z.ZodType;
  innerType?: z.ZodType;
}
const defOf = (schema: z.ZodType) => (schema as unknown as { def?: Def }).def ?? {};

/** A value the field would likely accept (a UUID for an id, a time for a time...), so the other fields get tested. */
function plausible(schema: z.ZodType, depth: number): fc.Arbitrary<unknown> {
  const def = defOf(schema);
  switch (def.type) {
    case 'string':
      if (def.format === 'uuid') return fc.uuid({ version: 4 });
      if (def.format === 'datetime') return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
      return fc.string({ minLength: 1, maxLength: 20 });
    case 'number':
      return fc.integer({ min: 0, max: 1000 });
    case 'boolean':
      return fc.boolean();
    case 'literal':
      return fc.constantFrom(...(def.values ?? [null]));
    case 'enum':
      return fc.constantFrom(...(Object.values(def.entries ?? { x: null }) as unknown[]));
    case 'array':
      return def.element ? fc.array(plausible(def.element, depth - 1), { maxLength: 3 }) : leaf;
    case 'nullable':
    case 'optional':
    case 'default':
      return def.innerType ? fc.oneof(plausible(def.innerType, depth), fc.constant(null)) : leaf;
    default:
      return shapesOf(schema).length > 0 && depth > 0 ? shaped(schema, depth - 1) : leaf;
  }
}

/**
 * Objects shaped like `schema`: its keys (some left out, one extra now and then), each value
 * mostly plausible for its field and otherwise wrong, absurd or hostile.
 */
function shaped(schema: z.ZodType, depth: number): fc.Arbitrary<unknown> {
  const shapes = shapesOf(schema);
  if (shapes.length === 0 || depth === 0) return leaf;
  return fc.oneof(
    ...shapes.map(({ shape }) => {
      const fields = Object.fromEntries(
        Object.entries(shape).map(([key, sub]) => [
          key,
          fc.oneof({ weight: 4, arbitrary: plausible(sub, depth) }, { weight: 1, arbitrary: leaf }),
        ]),
      );
      return fc
        .tuple(
          fc.record(fields, { requiredKeys: [] }),
          fc.option(fc.tuple(fc.constantFrom('extra', 'id', 'deviceId', 'role', 'userId'), leaf), {
            freq: 4,
          }),
        )
        .map(([record, extra]) => (extra ? { ...record, [extra[0]]: extra[1] } : record));
    }),
  );
}

/** Payloads `schema` refuses after the JSON round trip the socket makes. */
function refusedBy(schema: z.ZodType): fc.Arbitrary<unknown> {
  return fc
    .oneof(
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
      { weight: 4, arbitrary: shaped(schema, 3) },
    )
    .map((v) => JSON.parse(JSON.stringify(v ?? null)) as unknown)
    .filter((v) => !schema.safeParse(v).success);
}

// ---- the properties -------------------------------------------------------------------

interface Refusal {
  ok: boolean;
  error?: { code?: string; message?: string };
}

/** A socket as a hostile client uses it: any event name, any payload, an answer within 5 s. */
function untyped(socket: AgentSocket | DashboardSocket): {
  emitWithAck(event: string, payload: unknown): Promise<Refusal>;
} {
  return socket.timeout(5000);
}

async function fuzzEvent(
  send: (payload: unknown) => Promise<Refusal>,
  schema: z.ZodType,
  event: string,
): Promise<void> {
  const before = await rowCounts(world.harbour);
  await fc.assert(
    fc.asyncProperty(refusedBy(schema), async (payload) => {
      const answer = await send(payload);
      expect(answer.ok, `${event} accepted ${JSON.stringify(payload).slice(0, 300)}`).toBe(false);
      expect(typeof answer.error?.code, event).toBe('string');
      expect(answer.error?.message?.length ?? 0, event).toBeGreaterThan(0);
    }),
    { numRuns: runs, seed, endOnFailure: true },
  );
  await stillHealthy(world.harbour);
  expect(await rowCounts(world.harbour), `${event}: rows written for refused input`).toEqual(before);
}

describe('fuzzing every socket schema (issue 14)', () => {
  it('on /agent: every request refuses what its schema refuses, and writes nothing', async () => {
    let socket: AgentSocket = await connectDevice(world.harbour, world.deviceA);
    for (const [event, { request }] of Object.entries(agentRequests)) {
      await fuzzEvent(
        async (payload) => {
          if (!socket.connected) socket = await connectDevice(world.harbour, world.deviceA);
          return untyped(socket).emitWithAck(event, payload);
        },
        request as z.ZodType,
        event,
      );
    }
    // The connection that received all of it still works.
    const ack = await untyped(socket).emitWithAck('agent:heartbeat', { sentAt: new Date().toISOString() });
    expect(ack.ok).toBe(true);
    socket.close();
  }, 120_000);

  it('on /dashboard: every request refuses what its schema refuses, and writes nothing', async () => {
    let socket: DashboardSocket = await connectStaff(world.harbour, world.staff.admin);
    for (const [event, { request }] of Object.entries(dashboardRequests)) {
      await fuzzEvent(
        async (payload) => {
          if (!socket.connected) socket = await connectStaff(world.harbour, world.staff.admin);
          return untyped(socket).emitWithAck(event, payload);
        },
        request,
        event,
      );
    }
    const ack = await untyped(socket).emitWithAck('room:watch', { roomId: world.roomA });
    expect(ack.ok).toBe(true);
    socket.close();
  }, 120_000);

  it('the generator reaches past the outer checks: near-valid agent events are built', () => {
    // A fuzz test that only ever sends garbage proves little; show that most generated events
    // carry a real event type and a valid id, so the refusals come from the deeper fields.
    const samples = fc.sample(refusedBy(agentRequests['agent:event'].request), { numRuns: 200, seed });
    const typed = samples.filter(
      (s) =>
        typeof s === 'object' &&
        s !== null &&
        typeof (s as { body?: { type?: unknown } }).body?.type === 'string' &&
        z
          .string()
          .uuid()
          .safeParse((s as { id?: unknown }).id).success,
    );
    expect(typed.length).toBeGreaterThan(10);
  });
});
