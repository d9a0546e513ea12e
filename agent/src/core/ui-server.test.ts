import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { UiServer, uiCookie } from './ui-server.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'harbour-ui-test-'));
fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>shell</title><p>page shell</p>');
fs.writeFileSync(path.join(root, 'app.js'), 'console.log(1)');

const posted: unknown[] = [];
const ui = new UiServer({ logger: pino({ level: 'silent' }), root, ticketTtlMs: 60_000 });
ui.route({ method: 'GET', path: '/api/hello', handler: () => ({ hello: 'pupil' }) });
ui.route({
  method: 'POST',
  path: '/api/decide',
  body: z.strictObject({ decision: z.enum(['yes', 'no']) }),
  handler: (body) => {
    posted.push(body);
    return { ok: true };
  },
});

beforeAll(() => ui.start());
afterAll(async () => {
  await ui.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

/** Opens an entry URL as a window would, and returns the cookie header it was given. */
async function enter(pathname = '/aup'): Promise<{ cookie: string; location: string | null }> {
  const res = await fetch(ui.entryUrl(pathname), { redirect: 'manual' });
  expect(res.status).toBe(303);
  const set = res.headers.getSetCookie().find((c) => c.startsWith(`${uiCookie}=`)) ?? '';
  expect(set).toMatch(/HttpOnly/i);
  expect(set).toMatch(/SameSite=Strict/i);
  return { cookie: set.split(';')[0] ?? '', location: res.headers.get('location') };
}

describe('the local UI server', () => {
  it('listens on loopback only', () => {
    expect(new URL(ui.origin).hostname).toBe('127.0.0.1');
  });

  it('refuses pages, files and the API without the secret', async () => {
    for (const p of ['/aup', '/app.js', '/api/hello']) {
      const res = await fetch(new URL(p, ui.origin));
      expect(res.status).toBe(401);
    }
    const post = await fetch(new URL('/api/decide', ui.origin), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ decision: 'yes' }),
    });
    expect(post.status).toBe(401);
    expect(posted).toHaveLength(0);
  });

  it('a wrong secret is refused too', async () => {
    const res = await fetch(new URL('/api/hello', ui.origin), { headers: { cookie: `${uiCookie}=guess` } });
    expect(res.status).toBe(401);
  });

  it('an entry ticket sets the cookie once and redirects to the page', async () => {
    const { cookie, location } = await enter('/aup');
    expect(location).toBe('/aup');
    const page = await fetch(new URL('/aup', ui.origin), { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('page shell');
    const api = await fetch(new URL('/api/hello', ui.origin), { headers: { cookie } });
    expect(await api.json()).toEqual({ hello: 'pupil' });
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
  });

  it('a ticket works only once', async () => {
    const url = ui.entryUrl('/aup');
    expect((await fetch(url, { redirect: 'manual' })).status).toBe(303);
    const again = await fetch(url, { redirect: 'manual' });
    expect(again.status).toBe(403);
    expect(again.headers.getSetCookie()).toHaveLength(0);
  });

  it('never redirects off the server', async () => {
    const { location } = await enter('//evil.example/x');
    expect(location).toBe('/');
  });

  it('validates bodies and changes nothing on bad input', async () => {
    const { cookie } = await enter();
    const bad = await fetch(new URL('/api/decide', ui.origin), {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ decision: 'maybe' }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'validation_failed' } });
    const good = await fetch(new URL('/api/decide', ui.origin), {
      method: 'POST',
      headers: { ...ui.authHeaders(), 'content-type': 'application/json' },
      body: JSON.stringify({ decision: 'yes' }),
    });
    expect(good.status).toBe(200);
    expect(posted).toEqual([{ decision: 'yes' }]);
  });

  it('refuses another Host (DNS rebinding)', async () => {
    const { cookie } = await enter();
    // fetch cannot set Host; a raw request can, as a rebinding page's browser would.
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const { port } = new URL(ui.origin);
      http
        .get(
          { host: '127.0.0.1', port, path: '/api/hello', headers: { cookie, host: 'attacker.example' } },
          (r) => {
            r.resume();
            resolve(r.statusCode);
          },
        )
        .on('error', reject);
    });
    expect(status).toBe(403);
  });

  it('routes must be added before start', () => {
    expect(() => ui.route({ method: 'GET', path: '/api/late', handler: () => ({}) })).toThrow(/before start/);
  });
});
