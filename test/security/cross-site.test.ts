/**
 * Issue 14 item 6: a page on another site (or another port of the same host, which is the
 * same "site" for SameSite cookies) cannot change anything. Every state-changing route is
 * tried with a hostile Origin, a hostile Referer and a form's content type; then a real
 * Chromium, signed in, opens a page on another port whose form posts to the server by itself.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import { password } from '../support/harbour.js';
import { buildWorld, connectDevice, hostile, type World } from './world.js';

let world: World;
beforeAll(async () => {
  world = await buildWorld();
});
afterAll(() => world.close());

const changing = () =>
  world.harbour.routes.filter((r) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method));
const urlOf = (template: string) => template.replace(/:[a-zA-Z]+/g, randomUUID());

describe('item 6: every state-changing route refuses requests from other sites', () => {
  it('with a hostile Origin (another site, another port, null): 403, nothing written', async () => {
    const own = new URL(world.harbour.url);
    const origins = ['http://evil.example', `http://${own.hostname}:1`, 'null'];
    for (const route of changing()) {
      for (const origin of origins) {
        const res = await hostile(world.harbour, () =>
          world.staff.dsl.request(route.method, urlOf(route.url), {}, { headers: { origin } }),
        );
        expect(res.status, `${route.method} ${route.url} from ${origin}`).toBe(403);
        const body = (await res.json()) as { error: { message: string } };
        expect(body.error.message).toMatch(/another site/);
      }
    }
  });

  it('with no Origin but a hostile Referer: 403, nothing written', async () => {
    for (const route of changing()) {
      const res = await hostile(world.harbour, () =>
        world.staff.dsl.request(
          route.method,
          urlOf(route.url),
          {},
          {
            headers: { referer: 'http://evil.example/page.html' },
          },
        ),
      );
      expect(res.status, `${route.method} ${route.url}`).toBe(403);
    }
  });

  it('JSON routes take only application/json, even without a body: a form’s types get 415', async () => {
    for (const route of changing()) {
      // Upload routes take their own types; a form from another origin is refused by its Origin
      // (the roster's multipart import: roster.test.ts).
      if (
        route.url === '/api/agent/evidence' ||
        route.url === '/api/incidents/:id/attachments' ||
        route.url === '/api/roster/import'
      )
        continue;
      for (const type of [
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
      ]) {
        const res = await hostile(world.harbour, () =>
          world.staff.dsl.request(route.method, urlOf(route.url), undefined, {
            headers: { 'content-type': type, origin: world.harbour.url },
          }),
        );
        expect(res.status, `${route.method} ${route.url} as ${type}`).toBe(415);
      }
    }
  });

  it('the server’s own origin, and clients that send no Origin (agents, scripts), still work', async () => {
    const own = await world.staff.admin.request(
      'POST',
      '/api/rooms',
      { name: 'Own origin' },
      {
        headers: { origin: world.harbour.url, referer: `${world.harbour.url}/rooms` },
      },
    );
    expect(own.status).toBe(201);
    const script = await world.staff.admin.request('POST', '/api/rooms', { name: 'No origin' });
    expect(script.status).toBe(201);
  });
});

describe('item 6: a real browser, signed in, on a page of another port', () => {
  let browser: Browser;
  let evil: http.Server;
  let evilUrl = '';
  let page = '';
  beforeAll(async () => {
    browser = await launchChromium();
    evil = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(page);
    });
    await new Promise<void>((r) => evil.listen(0, '127.0.0.1', () => r()));
    evilUrl = `http://127.0.0.1:${(evil.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    await browser.close();
    await new Promise((r) => evil.close(r));
  });

  it('cannot release a pupil’s covered screen, nor create anything, with a self-submitting form', async () => {
    // A pupil covers their screen.
    const agent = await connectDevice(world.harbour, world.deviceA);
    const tellId = randomUUID();
    const ack = await agent.emitWithAck('agent:event', {
      id: randomUUID(),
      occurredAt: new Date().toISOString(),
      body: {
        type: 'tell.reported',
        tellId,
        user: { username: 'pupil' },
        evidence: [],
        displays: [],
        window: null,
        captureError: null,
      },
    });
    expect(ack).toMatchObject({ ok: true });
    const incident = await world.harbour.db
      .selectFrom('incidents')
      .select('id')
      .where('tell_id', '=', tellId)
      .executeTakeFirstOrThrow();

    // The DSL signs in in the browser, as the dashboard does.
    const context = await browser.newContext();
    const tab = await context.newPage();
    await tab.goto(`${world.harbour.url}/api/health`);
    const login = await tab.evaluate(
      async ([email, pw]) =>
        (
          await fetch('/api/auth/login', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ email, password: pw }),
          })
        ).status,
      ['dsl@school.test', password] as const,
    );
    expect(login).toBe(200);

    const forms = [
      // Exactly the attack that worked: a bodiless POST sent as text/plain.
      `<form method="POST" enctype="text/plain" action="${world.harbour.url}/api/tell/${incident.id}/release"></form>`,
      `<form method="POST" enctype="text/plain" action="${world.harbour.url}/api/rooms"><input name='{"name":"Evil","x":"' value='"}'></form>`,
      `<form method="POST" action="${world.harbour.url}/api/rooms"><input name="name" value="Evil"></form>`,
    ];
    for (const form of forms) {
      await hostile(world.harbour, async () => {
        page = `<!doctype html><body>${form}<script>document.forms[0].submit()</script></body>`;
        const answered = tab.waitForResponse((r) => r.url().startsWith(world.harbour.url + '/api/'));
        await tab.goto(evilUrl);
        const response = await answered;
        expect([403, 415]).toContain(response.status());
      });
    }
    const row = await world.harbour.db
      .selectFrom('incidents')
      .select('tell_status')
      .where('id', '=', incident.id)
      .executeTakeFirstOrThrow();
    expect(row.tell_status).toBe('covered');
    await context.close();
    agent.close();
  });
});
