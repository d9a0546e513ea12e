/**
 * Issue 14 items 1 and 2: no Origin and no nesting can stop the server. Each case attacks
 * the real server over loopback, then proves it still answers and wrote nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { agentRequests, dashboardRequests } from '@harbour/shared';
import { buildWorld, hostile, type World } from './world.js';
import { deepArray, deepObject, rawConnect, rawSocketUrl, wideObject } from './raw-socket.js';

let world: World;
beforeAll(async () => {
  world = await buildWorld();
});
afterAll(() => world.close());

const own = () => new URL(world.harbour.url);
const hostileOrigins = (): [string, string][] => [
  ['null (a sandboxed iframe)', 'null'],
  ['not a URL', 'garbage'],
  ['a URL with no host', 'file://'],
  ['another host', 'http://evil.example'],
  ['another port of the same host', `http://${own().hostname}:1`],
  ['another scheme', `https://${own().host}`],
  ['an IDN lookalike', `http://${own().hostname}.xn--80ak6aa92e.com:${own().port}`],
  ['the host as a prefix', `http://${own().host}.evil.example`],
  ['very long', `http://${'a'.repeat(8000)}.example`],
  ['two origins', `${world.harbour.url} http://evil.example`],
];

describe('item 1: hostile Origins on the socket endpoint', () => {
  it('the polling handshake refuses each with 403, never throws', async () => {
    for (const [what, origin] of hostileOrigins()) {
      const res = await hostile(world.harbour, () =>
        fetch(`${world.harbour.url}/socket.io/?EIO=4&transport=polling`, { headers: { origin } }),
      );
      expect(res.status, what).toBe(403);
      expect(await res.text(), what).toMatch(/another site/);
    }
  });

  it('the websocket upgrade refuses each (engine.io answers upgrades with 400), never throws', async () => {
    for (const [what, origin] of hostileOrigins()) {
      const answer = await hostile(
        world.harbour,
        () =>
          new Promise<{ status: number; body: string }>((resolve) => {
            const ws = new WebSocket(rawSocketUrl(world.harbour.url), { headers: { origin } });
            ws.on('unexpected-response', (_req, res) => {
              let body = '';
              res.on('data', (d: Buffer) => (body += d.toString()));
              res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
            });
            ws.on('open', () => {
              ws.close();
              resolve({ status: 101, body: '' });
            });
            ws.on('error', () => resolve({ status: -1, body: '' }));
          }),
      );
      expect(answer, what).toEqual({
        status: 400,
        body: 'This connection came from a page on another site.',
      });
    }
  });

  it('the server’s own origin and clients that send none (agents) still connect', async () => {
    const own = await fetch(`${world.harbour.url}/socket.io/?EIO=4&transport=polling`, {
      headers: { origin: world.harbour.url },
    });
    expect(own.status).toBe(200);
    const none = await fetch(`${world.harbour.url}/socket.io/?EIO=4&transport=polling`);
    expect(none.status).toBe(200);
  });
});

const agentAuth = () =>
  JSON.stringify({
    deviceId: world.deviceA.deviceId,
    credential: world.deviceA.credential,
    agentVersion: '0.1.0',
  });

const nestings: [string, string][] = [
  ['60,000 nested arrays', deepArray(60_000)],
  ['60,000 nested objects', deepObject(60_000)],
  ['an object with 20,000 keys', wideObject(20_000)],
];

describe('item 2: deep and wide nesting on every socket event', () => {
  it('on /agent: every event refuses it on that connection; the server keeps running', async () => {
    for (const event of Object.keys(agentRequests)) {
      for (const [what, payload] of nestings) {
        await hostile(world.harbour, async () => {
          const conn = await rawConnect(world.harbour.url, '/agent', { auth: agentAuth() });
          const answer = await conn.request(event, payload);
          conn.close();
          expect(answer, `${event}: ${what}`).toMatch(/"ok":false/);
          expect(answer, `${event}: ${what}`).toMatch(/payload_too_large|bad_request/);
        });
      }
    }
  });

  it('on /dashboard: every event refuses it on that connection; the server keeps running', async () => {
    for (const event of Object.keys(dashboardRequests)) {
      for (const [what, payload] of nestings) {
        await hostile(world.harbour, async () => {
          const conn = await rawConnect(world.harbour.url, '/dashboard', {
            headers: { cookie: world.staff.dsl.cookieHeader },
          });
          const answer = await conn.request(event, payload);
          conn.close();
          expect(answer, `${event}: ${what}`).toMatch(/"ok":false/);
          expect(answer, `${event}: ${what}`).toMatch(/payload_too_large|bad_request/);
        });
      }
    }
  });

  it('in the handshake, in an event without an acknowledgement, and in a binary placeholder', async () => {
    await hostile(world.harbour, async () => {
      await expect(rawConnect(world.harbour.url, '/agent', { auth: deepArray(60_000) })).rejects.toThrow();
    });
    await hostile(world.harbour, async () => {
      const conn = await rawConnect(world.harbour.url, '/agent', { auth: agentAuth() });
      conn.send(`42/agent,["agent:presence",${deepArray(60_000)}]`);
      // A binary event whose placeholder sits 60,000 arrays deep, then its attachment.
      conn.send(
        `451-/agent,9["agent:presence",${'['.repeat(60_000)}{"_placeholder":true,"num":0}${']'.repeat(60_000)}]`,
      );
      conn.send(Buffer.from([1, 2, 3]));
      await new Promise((r) => setTimeout(r, 300));
      conn.close();
    });
  });

  it('REST bodies nested deeply get a clear error', async () => {
    for (const [what, body] of [
      ['30,000 nested arrays', deepArray(30_000)],
      ['30,000 nested objects', deepObject(10_000)],
    ] as const) {
      const res = await hostile(world.harbour, () => world.staff.admin.request('POST', '/api/rooms', body));
      expect(res.status, what).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code, what).toMatch(
        /validation_failed|bad_request/,
      );
    }
  });
});

describe('addresses', () => {
  it('an unknown address of any length gets a short 404 that does not echo it back', async () => {
    for (const length of [10, 7_000]) {
      const tail = 'x'.repeat(length);
      const res = await fetch(`${world.harbour.url}/api/${tail}?q=<script>alert(1)</script>`);
      expect(res.status).toBe(404);
      const body = await res.text();
      expect(body.length, `${length} characters`).toBeLessThan(400);
      expect(body).not.toContain('<script>');
      expect(JSON.parse(body)).toMatchObject({ error: { code: 'not_found' } });
    }
    expect((await fetch(`${world.harbour.url}/api/health`)).status).toBe(200);
  });
});
