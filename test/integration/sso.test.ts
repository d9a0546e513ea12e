import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harbour } from '../../dashboard/src/server/app.js';
import { nextSecondFactorCode, type ApiClient } from '../support/api.js';
import { password, staffClients, startInProcess, type Caller } from '../support/harbour.js';
import { startProvider, TestBrowser, type TestProvider } from '../support/oidc.js';

let harbour: Harbour;
let clients: Record<Caller, ApiClient>;
let idp: TestProvider;
const clientId = 'harbour-school';
const clientSecret = 'a client secret the provider gave the school';
let callback: string;

const ssoSettings = (over: Record<string, unknown> = {}) => ({
  enabled: true,
  preset: 'oidc',
  issuer: idp.issuer,
  clientId,
  clientSecret,
  label: 'Sign in with the school account',
  createAccounts: true,
  roles: [
    { kind: 'group', value: 'harbour-teachers', role: 'teacher' },
    { kind: 'domain', value: 'staff.school.test', role: 'teacher' },
  ],
  ...over,
});

beforeAll(async () => {
  harbour = await startInProcess();
  clients = await staffClients(harbour);
  callback = `${harbour.url}/api/auth/sso/callback`;
  idp = await startProvider([
    { clientId, clientSecret, redirectUris: [callback] },
    // Another application registered with the same provider (its codes are not Harbour's).
    { clientId: 'other-app', clientSecret: 'other secret', redirectUris: ['http://127.0.0.1:9/cb'] },
  ]);
  for (const a of [
    { sub: 'u-teacher', email: 'plain.teacher@school.test', emailVerified: true, name: 'A teacher' },
    { sub: 'u-dsl', email: 'dsl@school.test', emailVerified: true },
    { sub: 'u-unverified', email: 'admin@school.test', emailVerified: false },
    { sub: 'u-new', email: 'new.teacher@elsewhere.test', emailVerified: true, groups: ['harbour-teachers'] },
    { sub: 'u-nogroup', email: 'no.group@elsewhere.test', emailVerified: true },
    { sub: 'u-domain', email: 'by.domain@staff.school.test', emailVerified: true, name: 'By Domain' },
  ])
    idp.accounts.set(a.sub, a);
  // A teacher with a Harbour account and no second factor of its own.
  const plain = await clients.admin.json('POST', '/api/users', {
    email: 'plain.teacher@school.test',
    displayName: 'Plain Teacher',
    role: 'teacher',
    password,
    temporaryPassword: false,
  });
  expect(plain.status).toBe(201);
  const saved = await clients.admin.json('PUT', '/api/identity/sso', ssoSettings());
  expect(saved.status).toBe(200);
});
afterAll(async () => {
  await harbour.close();
  await idp.close();
});

/** Runs the browser from Harbour's SSO button to the provider's redirect back (not yet opened). */
async function toCallback(browser: TestBrowser, who: { sub: string; amr?: string[] }): Promise<string> {
  idp.next = who;
  const { url } = await browser.follow(`${harbour.url}/api/auth/sso/start`, (next) =>
    next.href.startsWith(callback),
  );
  expect(url.startsWith(callback)).toBe(true);
  return url;
}

/** Opens the callback: where Harbour sends the browser, and who it is signed in as then. */
async function land(browser: TestBrowser, url: string) {
  const response = await browser.get(url);
  expect(response.status).toBe(302);
  const location = response.headers.get('location') ?? '';
  const me = await browser.get(`${harbour.url}/api/auth/me`);
  const body =
    me.status === 200
      ? ((await me.json()) as { user: { email: string; role: string }; session: { secondFactor: boolean } })
      : null;
  return { location, me: body, status: me.status };
}

describe('single sign-on with a real OpenID Connect provider', () => {
  it('the sign-in page learns that SSO is offered, and the client secret never comes back', async () => {
    const status = await clients.anonymous.json('GET', '/api/auth/sso');
    expect(status.body).toEqual({ enabled: true, label: 'Sign in with the school account' });
    const view = await clients.admin.json<Record<string, unknown>>('GET', '/api/identity/sso');
    expect(view.body).toMatchObject({ hasClientSecret: true, redirectUri: callback, fromEnvironment: false });
    expect(JSON.stringify(view.body)).not.toContain(clientSecret);
    const stored = await harbour.db
      .selectFrom('identity_settings')
      .select('value')
      .where('key', '=', 'sso')
      .executeTakeFirstOrThrow();
    expect(stored.value).not.toContain(clientSecret);
  });

  it('a verified email signs in its existing account', async () => {
    const browser = new TestBrowser();
    const { location, me } = await land(browser, await toCallback(browser, { sub: 'u-teacher' }));
    expect(location).toBe('/');
    expect(me?.user).toMatchObject({ email: 'plain.teacher@school.test', role: 'teacher' });
    // No factor asserted and none of Harbour's: signed in, but records still need one.
    expect(me?.session.secondFactor).toBe(false);
  });

  it('with the provider saying it used several factors, the SSO session counts as the second factor', async () => {
    const browser = new TestBrowser();
    const { location, me } = await land(
      browser,
      await toCallback(browser, { sub: 'u-dsl', amr: ['pwd', 'mfa'] }),
    );
    expect(location).toBe('/');
    expect(me?.session.secondFactor).toBe(true);
    const records = await browser.get(`${harbour.url}/api/incidents`);
    expect(records.status).toBe(200);
  });

  it('without it, Harbour asks for its own code after SSO, and nothing opens until then', async () => {
    const browser = new TestBrowser();
    const { location, status } = await land(
      browser,
      await toCallback(browser, { sub: 'u-dsl', amr: ['pwd'] }),
    );
    expect(location).toBe('/login?step=code');
    expect(status).toBe(401);
    expect((await browser.get(`${harbour.url}/api/incidents`)).status).toBe(401);
    const cookie = [...browser.cookies(new URL(harbour.url).origin)].map(([k, v]) => `${k}=${v}`).join('; ');
    const done = await fetch(`${harbour.url}/api/auth/mfa`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ code: nextSecondFactorCode('dsl@school.test') }),
    });
    expect(done.status).toBe(200);
    const full =
      done.headers
        .getSetCookie()
        .find((c) => c.startsWith('harbour_session='))
        ?.split(';')[0] ?? '';
    const me = await fetch(`${harbour.url}/api/auth/me`, { headers: { cookie: full } });
    expect(((await me.json()) as { session: { secondFactor: boolean } }).session.secondFactor).toBe(true);
  });

  it('an email the provider says is unverified signs nobody in', async () => {
    const browser = new TestBrowser();
    const { location, status } = await land(browser, await toCallback(browser, { sub: 'u-unverified' }));
    expect(location).toBe('/login?sso_error=unverified');
    expect(status).toBe(401);
  });

  it('a callback replayed, even with the state cookie kept, signs nobody in the second time', async () => {
    const browser = new TestBrowser();
    const url = await toCallback(browser, { sub: 'u-teacher' });
    const jar = browser.cookies(new URL(harbour.url).origin);
    const stateCookie = jar.get('harbour_sso')!;
    expect((await land(browser, url)).location).toBe('/');
    const attacker = new TestBrowser();
    attacker.cookies(new URL(harbour.url).origin).set('harbour_sso', stateCookie);
    const again = await land(attacker, url);
    expect(again.location).toBe('/login?sso_error=replay');
    expect(again.status).toBe(401);
  });

  it('a state begun in another browser is refused', async () => {
    const victim = new TestBrowser();
    const url = await toCallback(victim, { sub: 'u-teacher' });
    const other = new TestBrowser();
    const { location, status } = await land(other, url);
    expect(location).toBe('/login?sso_error=state');
    expect(status).toBe(401);
  });

  it('an ID token whose nonce is not the one this sign-in was begun with is refused', async () => {
    const browser = new TestBrowser();
    const url = await toCallback(browser, { sub: 'u-teacher' });
    const state = new URL(url).searchParams.get('state')!;
    await harbour.db
      .updateTable('sso_requests')
      .set({ nonce: 'another-sign-in-s-nonce' })
      .where('state', '=', state)
      .execute();
    const { location, status } = await land(browser, url);
    expect(location).toBe('/login?sso_error=token');
    expect(status).toBe(401);
  });

  it('a code issued to another application (its ID token is for another client) is refused', async () => {
    const browser = new TestBrowser();
    // The attacker signs in to their own app at the same provider and keeps its code...
    idp.next = { sub: 'u-teacher' };
    const foreign = new URL(`${idp.issuer}/auth`);
    for (const [k, v] of Object.entries({
      client_id: 'other-app',
      redirect_uri: 'http://127.0.0.1:9/cb',
      response_type: 'code',
      scope: 'openid email',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
      state: 'x',
      nonce: 'n',
    }))
      foreign.searchParams.set(k, v);
    const { url: theirs } = await browser.follow(foreign.href, (next) =>
      next.href.startsWith('http://127.0.0.1:9/cb'),
    );
    const code = new URL(theirs).searchParams.get('code');
    expect(code).toBeTruthy();
    // ...and plays it into a Harbour sign-in of their own, with its genuine state.
    const ours = new URL(await toCallback(browser, { sub: 'u-teacher' }));
    ours.searchParams.set('code', code!);
    const { location, status } = await land(browser, ours.href);
    expect(location).toBe('/login?sso_error=token');
    expect(status).toBe(401);
  });

  it('a provider whose issuer is not the one configured signs nobody in', async () => {
    const wrong = idp.issuer.replace('127.0.0.1', 'localhost');
    expect(
      (await clients.admin.json('PUT', '/api/identity/sso', ssoSettings({ issuer: wrong }))).status,
    ).toBe(200);
    try {
      const browser = new TestBrowser();
      const start = await browser.get(`${harbour.url}/api/auth/sso/start`);
      expect(start.headers.get('location')).toBe('/login?sso_error=provider');
    } finally {
      await clients.admin.json('PUT', '/api/identity/sso', ssoSettings());
    }
  });

  it('a new account is made with the role its group gives; with the group claim missing, none is', async () => {
    const browser = new TestBrowser();
    const made = await land(browser, await toCallback(browser, { sub: 'u-new' }));
    expect(made.me?.user).toMatchObject({ email: 'new.teacher@elsewhere.test', role: 'teacher' });
    const none = await land(new TestBrowser(), await toCallback(new TestBrowser(), { sub: 'u-nogroup' }));
    expect(none.location).toBe('/login?sso_error=state');
    const b2 = new TestBrowser();
    const refused = await land(b2, await toCallback(b2, { sub: 'u-nogroup' }));
    expect(refused.location).toBe('/login?sso_error=no_account');
    const users = await clients.admin.json<{ users: { email: string }[] }>('GET', '/api/users');
    expect(users.body.users.map((u) => u.email)).not.toContain('no.group@elsewhere.test');
    const b3 = new TestBrowser();
    const byDomain = await land(b3, await toCallback(b3, { sub: 'u-domain' }));
    expect(byDomain.me?.user).toMatchObject({ email: 'by.domain@staff.school.test', role: 'teacher' });
  });

  it('an account made by SSO has no password to guess, and a disabled account cannot use SSO', async () => {
    const login = await clients.anonymous.json('POST', '/api/auth/login', {
      email: 'new.teacher@elsewhere.test',
      password,
    });
    expect(login.status).toBe(401);
    const users = await clients.admin.json<{ users: { id: string; email: string }[] }>('GET', '/api/users');
    const id = users.body.users.find((u) => u.email === 'by.domain@staff.school.test')!.id;
    expect((await clients.admin.json('PATCH', `/api/users/${id}`, { disabled: true })).status).toBe(200);
    const browser = new TestBrowser();
    const { location, status } = await land(browser, await toCallback(browser, { sub: 'u-domain' }));
    expect(location).toBe('/login?sso_error=disabled');
    expect(status).toBe(401);
  });

  it('an email already linked to another provider identity is not taken over', async () => {
    // The teacher's account first signed in as one subject; a new identity claiming the same
    // (verified) email at the provider must not become that account.
    idp.accounts.set('u-impostor', {
      sub: 'u-impostor',
      email: 'plain.teacher@school.test',
      emailVerified: true,
    });
    const browser = new TestBrowser();
    const { location, status } = await land(browser, await toCallback(browser, { sub: 'u-impostor' }));
    expect(location).toBe('/login?sso_error=other_identity');
    expect(status).toBe(401);
  });

  it('with local passwords off, staff sign in only by SSO; an administrator keeps a password', async () => {
    expect(
      (await clients.admin.json('PATCH', '/api/identity/settings', { localPasswords: false })).status,
    ).toBe(200);
    try {
      const byPassword = await clients.anonymous.json('POST', '/api/auth/login', {
        email: 'plain.teacher@school.test',
        password,
      });
      expect(byPassword.status).toBe(403);
      const browser = new TestBrowser();
      expect((await land(browser, await toCallback(browser, { sub: 'u-teacher' }))).location).toBe('/');
      const admin = await clients.anonymous.json('POST', '/api/auth/login', {
        email: 'admin@school.test',
        password,
      });
      expect(admin.status).toBe(200);
    } finally {
      await clients.admin.json('PATCH', '/api/identity/settings', { localPasswords: true });
    }
  });

  it('only an admin may change the SSO settings', async () => {
    for (const who of ['dsl', 'teacher', 'technician'] as const) {
      expect(
        (await clients[who].json('PUT', '/api/identity/sso', ssoSettings({ issuer: 'https://evil.example' })))
          .status,
      ).toBe(403);
    }
  });
});
