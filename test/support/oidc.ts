/**
 * A real OpenID Connect provider (the `oidc-provider` package) on loopback, for SSO tests, and a
 * tiny browser that follows redirects with a cookie jar per origin. The provider signs in
 * whichever account the test says is next (with the `amr` the test chooses): its own login
 * and consent pages are replaced by that choice, everything else is the real provider.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface TestAccount {
  sub: string;
  email: string;
  emailVerified: boolean;
  name?: string;
  groups?: string[];
}

export interface TestProvider {
  issuer: string;
  /** Who the next sign-in is, and the methods the provider says it used. */
  next: { sub: string; amr?: string[] };
  accounts: Map<string, TestAccount>;
  close(): Promise<void>;
}

export async function startProvider(
  clients: {
    clientId: string;
    clientSecret: string;
    redirectUris: string[];
  }[],
): Promise<TestProvider> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const accounts = new Map<string, TestAccount>();
  const state: TestProvider = {
    issuer,
    next: { sub: '' },
    accounts,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const provider = new Provider(issuer, {
    clients: clients.map((c) => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      redirect_uris: c.redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    })),
    claims: {
      // How the person signed in goes in every ID token, as Entra ID does.
      openid: ['sub', 'amr'],
      email: ['email', 'email_verified'],
      profile: ['name', 'groups'],
    },
    // The claims go in the ID token itself, as Entra ID and Google put them.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      Grant: 600,
      IdToken: 600,
      Interaction: 600,
      Session: 600,
    },
    cookies: { keys: ['harbour-test-provider'] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx, id) => {
      const a = accounts.get(id);
      if (!a) return undefined;
      return {
        accountId: id,
        claims: () => ({
          sub: id,
          email: a.email,
          email_verified: a.emailVerified,
          ...(a.name && { name: a.name }),
          ...(a.groups && { groups: a.groups }),
        }),
      };
    },
  });
  const callback = provider.callback();
  server.on('request', (req, res) => {
    if (!req.url?.startsWith('/interaction/')) return void callback(req, res);
    void (async () => {
      const details = await provider.interactionDetails(req, res);
      if (details.prompt.name === 'login') {
        await provider.interactionFinished(
          req,
          res,
          { login: { accountId: state.next.sub, ...(state.next.amr && { amr: state.next.amr }) } },
          { mergeWithLastSubmission: false },
        );
        return;
      }
      const accountId = details.session?.accountId ?? state.next.sub;
      const clientId = String(details.params.client_id);
      const grant = details.grantId
        ? ((await provider.Grant.find(details.grantId)) ?? new provider.Grant({ accountId, clientId }))
        : new provider.Grant({ accountId, clientId });
      grant.addOIDCScope(String(details.params.scope));
      const grantId = await grant.save();
      await provider.interactionFinished(
        req,
        res,
        { consent: { grantId } },
        { mergeWithLastSubmission: true },
      );
    })().catch((error: unknown) => {
      res.statusCode = 500;
      res.end(String(error));
    });
  });
  return state;
}

/** A browser, as far as redirects and cookies go: one jar per origin, redirects followed by hand. */
export class TestBrowser {
  private readonly jars = new Map<string, Map<string, string>>();

  cookies(origin: string): Map<string, string> {
    let jar = this.jars.get(origin);
    if (!jar) this.jars.set(origin, (jar = new Map<string, string>()));
    return jar;
  }

  async get(url: string): Promise<Response> {
    const u = new URL(url);
    const jar = this.cookies(u.origin);
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await fetch(u, { redirect: 'manual', headers: cookie ? { cookie } : {} });
    for (const set of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = set.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some(
        (a) =>
          /max-age=0\b/i.test(a.trim()) ||
          (/^expires=/i.test(a.trim()) && new Date(a.trim().slice(8)) < new Date()),
      );
      if (expired || value === '') jar.delete(name);
      else jar.set(name, value);
    }
    return response;
  }

  /** Follows redirects from `url` until one would go to `stop` (returned, not opened) or a page answers. */
  async follow(url: string, stop?: (next: URL) => boolean): Promise<{ url: string; response?: Response }> {
    let current = url;
    for (let i = 0; i < 20; i++) {
      const response = await this.get(current);
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) {
        return { url: current, response };
      }
      await response.arrayBuffer();
      const next = new URL(location, current);
      if (stop?.(next)) return { url: next.href };
      current = next.href;
    }
    throw new Error(`too many redirects from ${url}`);
  }
}
