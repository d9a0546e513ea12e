import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { limits } from '@harbour/shared';
import type { Harbour } from '../../dashboard/src/server/app.js';
import type { ApiClient } from '../support/api.js';
import { staffClients, startInProcess } from '../support/harbour.js';

let harbour: Harbour;
let admin: ApiClient;

beforeAll(async () => {
  harbour = await startInProcess();
  admin = (await staffClients(harbour)).admin;
});
afterAll(() => harbour.close());

/** Row counts of every table, to prove a refused request changed nothing. */
async function snapshot(): Promise<Record<string, number>> {
  const tables = [
    'users',
    'rooms',
    'enrolment_tokens',
    'devices',
    'agent_events',
    'device_sessions',
  ] as const;
  const out: Record<string, number> = {};
  for (const t of tables) {
    const row = await harbour.db
      .selectFrom(t)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    out[t] = Number(row.n);
  }
  return out;
}

async function refused(
  method: string,
  path: string,
  body: unknown,
  status: number,
  code: string,
  message?: RegExp,
  init?: RequestInit,
) {
  const before = await snapshot();
  const res = await admin.request(method, path, body, init);
  const json = (await res.json()) as {
    error: { code: string; message: string; issues?: { path: string }[] };
  };
  expect(res.status).toBe(status);
  expect(json.error.code).toBe(code);
  expect(json.error.message.length).toBeGreaterThan(5);
  if (message) expect(json.error.message).toMatch(message);
  expect(await snapshot()).toEqual(before);
  return json.error;
}

describe('REST bad input: a clear error, and nothing changes', () => {
  it('malformed JSON', async () => {
    await refused('POST', '/api/rooms', '{"name": "Year 3"', 400, 'bad_request', /not valid JSON/);
  });

  it('a body that is not JSON at all', async () => {
    await refused('POST', '/api/rooms', 'name=Year3', 415, 'unsupported_media_type', /JSON/, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  });

  it('wrong types, with the failing path named', async () => {
    const error = await refused('POST', '/api/rooms', { name: 42 }, 400, 'validation_failed', /body\.name/);
    expect(error.issues?.[0]?.path).toBe('body.name');
  });

  it('unknown fields', async () => {
    await refused('POST', '/api/rooms', { name: 'Year 4', colour: 'red' }, 400, 'validation_failed');
  });

  it('an oversized body', async () => {
    const huge = { name: 'x'.repeat(limits.maxJsonBodyBytes + 10) };
    await refused('POST', '/api/rooms', huge, 413, 'payload_too_large');
  });

  it('a name that is too long', async () => {
    await refused(
      'POST',
      '/api/rooms',
      { name: 'y'.repeat(limits.name + 1) },
      400,
      'validation_failed',
      /at most 120/,
    );
  });

  it.each([
    ['a right-to-left override', 'Year 3\u202Egnp.exe'],
    ['a control character', 'Year\u0007 3'],
    ['a lone surrogate', 'Year \uD800 3'],
    ['a line break', 'Year\n3'],
    ['only spaces', '    '],
  ])('a name with %s', async (_what, name) => {
    await refused('POST', '/api/rooms', { name }, 400, 'validation_failed');
  });

  it('an invalid id in the path', async () => {
    await refused(
      'POST',
      '/api/devices/not-a-uuid/revoke',
      undefined,
      400,
      'validation_failed',
      /params\.id/,
    );
  });

  it('an unknown route', async () => {
    const res = await admin.request('GET', '/api/nothing-here');
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it('a weak password for a new account', async () => {
    await refused(
      'POST',
      '/api/users',
      { email: 'new@school.test', displayName: 'New', role: 'teacher', password: 'short' },
      400,
      'validation_failed',
      /at least 12/,
    );
  });

  it('a duplicate room name is a conflict, not a crash', async () => {
    await admin.createRoom('Library');
    await refused('POST', '/api/rooms', { name: 'Library' }, 409, 'conflict', /already a room/);
  });

  it('setup cannot run twice', async () => {
    await refused(
      'POST',
      '/api/setup',
      { email: 'intruder@evil.test', displayName: 'Intruder', password: 'a long enough password' },
      409,
      'conflict',
    );
  });

  it('wrong password: a clear error, no session', async () => {
    const res = await admin.request('POST', '/api/auth/login', {
      email: 'admin@school.test',
      password: 'wrong password!!',
    });
    expect(res.status).toBe(401);
    expect(res.headers.getSetCookie()).toEqual([]);
  });
});

describe('hostile strings are stored as given and returned as text', () => {
  it.each([
    ['markup', '<script>alert("x")</script><img src=x onerror=alert(1)>'],
    ['SQL', "Robert'); DROP TABLE rooms;--"],
    ['unusual Unicode', 'Ysgol Gymraeg 🏫 Zoë Ørsted ﷽ 𝕳𝖆𝖗𝖇𝖔𝖚𝖗'],
    ['decomposed accents (normalised to NFC)', 'Sia\u0302n'],
  ])('%s', async (_what, name) => {
    const room = await admin.createRoom(name);
    expect(room.name).toBe(name.normalize('NFC'));
    const { body } = await admin.json<{ rooms: { name: string }[] }>('GET', '/api/rooms');
    expect(body.rooms.map((r) => r.name)).toContain(name.normalize('NFC'));
    // The tables are all still there.
    expect((await snapshot()).rooms).toBeGreaterThan(0);
  });
});
