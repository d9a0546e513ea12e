/**
 * Issue 14 item 10: HTTPS served directly (TLS_CERT_FILE/TLS_KEY_FILE) or through a school's
 * reverse proxy (TRUST_PROXY), with Secure cookies and HSTS whenever the browser came over
 * HTTPS; a real agent verifies the server's certificate against the school's own CA and
 * refuses a certificate that CA did not sign. The CAs and certificates are made here, with
 * openssl, for each run.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchTrusting } from '../../agent/src/core/server-tls.js';
import { startHarbour, type Harbour } from '../../dashboard/src/server/app.js';
import { adminEmail, password, startInProcess } from '../support/harbour.js';
import { tempDir } from '../support/paths.js';
import { storageFor } from '../support/database.js';
import { AgentProcess } from '../support/processes.js';
import { waitFor } from '../support/wait.js';

const openssl = (dir: string, args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

/** A certificate authority, and a server certificate for 127.0.0.1 and localhost signed by it. */
function makeCa(dir: string, name: string): { ca: string; cert: string; key: string } {
  openssl(dir, [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    `${name}-ca.key`,
    '-out',
    `${name}-ca.pem`,
    '-days',
    '2',
    '-subj',
    `/CN=${name} school CA`,
  ]);
  openssl(dir, [
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    `${name}-server.key`,
    '-out',
    `${name}-server.csr`,
    '-subj',
    '/CN=harbour.school.test',
  ]);
  const ext = path.join(dir, `${name}.ext`);
  execFileSync('sh', [
    '-c',
    `printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\nbasicConstraints=CA:FALSE\\n' > ${ext}`,
  ]);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}-server.csr`,
    '-CA',
    `${name}-ca.pem`,
    '-CAkey',
    `${name}-ca.key`,
    '-CAcreateserial',
    '-out',
    `${name}-server.pem`,
    '-days',
    '2',
    '-extfile',
    ext,
  ]);
  return {
    ca: path.join(dir, `${name}-ca.pem`),
    cert: path.join(dir, `${name}-server.pem`),
    key: path.join(dir, `${name}-server.key`),
  };
}

const certs = tempDir('tls');
let school: ReturnType<typeof makeCa>;
let other: ReturnType<typeof makeCa>;
let https: Harbour;
const readFile = async (f: string) => (await import('node:fs')).readFileSync(f, 'utf8');

beforeAll(async () => {
  school = makeCa(certs, 'school');
  other = makeCa(certs, 'other');
  https = await startHarbour(
    {
      port: 0,
      host: '127.0.0.1',
      ...(await storageFor(tempDir('server'))),
      logLevel: 'silent',
      loginRateLimit: 1000,
      enrolRateLimit: 1000,
      bootstrapAdmin: { email: adminEmail, password },
      tls: { certFile: school.cert, keyFile: school.key },
    },
    { logger: pino({ level: 'silent' }) },
  );
});
afterAll(() => https.close());

describe('item 10: HTTPS served directly', () => {
  it('answers over HTTPS with HSTS, and the session cookie is Secure', async () => {
    expect(https.url).toMatch(/^https:/);
    const trusting = fetchTrusting(await readFile(school.ca));
    const health = await trusting(`${https.url}/api/health`);
    expect(health.status).toBe(200);
    expect(health.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    const login = await trusting(`${https.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: https.url },
      body: JSON.stringify({ email: adminEmail, password }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.getSetCookie().find((c) => c.startsWith('harbour_session='));
    expect(cookie).toMatch(/; Secure/i);
    expect(cookie).toMatch(/; HttpOnly/i);
  });

  it('a client that does not trust the school CA is refused by its own TLS check', async () => {
    await expect(fetch(`${https.url}/api/health`)).rejects.toThrow();
    const wrong = fetchTrusting(await readFile(other.ca));
    await expect(wrong(`${https.url}/api/health`)).rejects.toThrow();
  });

  it('a real agent with the school CA enrols and comes online; with another CA it refuses the server', async () => {
    // The test's own client trusts the school CA (Node's fetch reads no CA option).
    const trusting = fetchTrusting(await readFile(school.ca));
    const login = await trusting(`${https.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: adminEmail, password }),
    });
    const cookie = (login.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
    const call = async <T>(method: string, url: string, body?: unknown) => {
      const res = await trusting(`${https.url}${url}`, {
        method,
        headers: { 'content-type': 'application/json', cookie },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      return (await res.json()) as T;
    };
    const room = await call<{ id: string }>('POST', '/api/rooms', { name: 'TLS room' });
    const good = await call<{ token: string }>('POST', '/api/enrolment-tokens', { roomId: room.id });
    const bad = await call<{ token: string }>('POST', '/api/enrolment-tokens', { roomId: room.id });
    const devices = async () =>
      (
        await call<{ devices: { hostname: string; online: boolean }[] }>(
          'GET',
          `/api/devices?roomId=${room.id}`,
        )
      ).devices;

    // Nothing from the test's own environment may loosen the agent's checks.
    const env = { ...process.env };
    delete env.NODE_EXTRA_CA_CERTS;
    delete env.NODE_TLS_REJECT_UNAUTHORIZED;
    const wrong = new AgentProcess({
      server: https.url,
      dataDir: tempDir('agent-wrong'),
      token: bad.token,
      name: 'TLS-WRONG',
      extra: ['--ca-file', other.ca],
      env,
    });
    const right = new AgentProcess({
      server: https.url,
      dataDir: tempDir('agent-right'),
      token: good.token,
      name: 'TLS-RIGHT',
      extra: ['--ca-file', school.ca],
      env,
    });
    try {
      await waitFor(async () => (await devices()).find((d) => d.hostname === 'TLS-RIGHT' && d.online), {
        what: 'the agent with the school CA online over HTTPS',
      });
      await waitFor(() => /certificate|self[- ]signed|unable to verify/i.test(wrong.output), {
        what: 'the agent with another CA to refuse the certificate',
      });
      expect((await devices()).map((d) => d.hostname)).not.toContain('TLS-WRONG');
    } finally {
      await wrong.kill();
      await right.kill();
    }
  });
});

describe('item 10: behind the school’s HTTPS reverse proxy', () => {
  const login = (url: string, headers: Record<string, string>) =>
    fetch(`${url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ email: adminEmail, password }),
    });

  it('with TRUST_PROXY, a request the proxy says came over HTTPS gets a Secure cookie and HSTS', async () => {
    const harbour = await startHarbour(
      {
        port: 0,
        host: '127.0.0.1',
        ...(await storageFor(tempDir('server'))),
        logLevel: 'silent',
        loginRateLimit: 1000,
        enrolRateLimit: 1000,
        bootstrapAdmin: { email: adminEmail, password },
        trustProxy: ['loopback'],
      },
      { logger: pino({ level: 'silent' }) },
    );
    try {
      const viaProxy = await login(harbour.url, {
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'harbour.school.test',
        origin: 'https://harbour.school.test',
      });
      expect(viaProxy.status).toBe(200);
      expect(viaProxy.headers.getSetCookie()[0]).toMatch(/; Secure/i);
      expect(viaProxy.headers.get('strict-transport-security')).toMatch(/max-age/);
      // Through the proxy, "our own origin" is the public one: the plain address is another site.
      const plainOrigin = await login(harbour.url, {
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'harbour.school.test',
        origin: harbour.url,
      });
      expect(plainOrigin.status).toBe(403);
      const direct = await login(harbour.url, {});
      expect(direct.headers.getSetCookie()[0]).not.toMatch(/; Secure/i);
      expect(direct.headers.get('strict-transport-security')).toBeNull();
    } finally {
      await harbour.close();
    }
  });

  it('without TRUST_PROXY, X-Forwarded-* from anyone is ignored', async () => {
    const harbour = await startInProcess();
    try {
      const forged = await login(harbour.url, {
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'evil.example',
      });
      expect(forged.status).toBe(200);
      expect(forged.headers.getSetCookie()[0]).not.toMatch(/; Secure/i);
      expect(forged.headers.get('strict-transport-security')).toBeNull();
      const forgedOrigin = await login(harbour.url, {
        'x-forwarded-host': 'evil.example',
        origin: 'http://evil.example',
      });
      expect(forgedOrigin.status).toBe(403);
    } finally {
      await harbour.close();
    }
  });
});
