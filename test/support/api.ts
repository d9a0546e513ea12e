import * as OTPAuth from 'otpauth';

/**
 * The second factors test accounts enrolled (by email): their TOTP secret, the last time
 * step used (the server accepts each step once) and the recovery codes left.
 */
const secondFactors = new Map<string, { secret: string; lastStep: number; recovery: string[] }>();

/** A TOTP code for `secret` at `step` (30 s steps), computed with the library the server uses. */
export function totpCode(secret: string, step = Math.floor(Date.now() / 30_000)): string {
  return OTPAuth.TOTP.generate({ secret: OTPAuth.Secret.fromBase32(secret), timestamp: step * 30_000 });
}

/**
 * Tells the tests about a second factor set up some other way (through the dashboard, from
 * the secret its page showed), so that `nextSecondFactorCode` can sign that account in.
 */
export function rememberSecondFactor(
  email: string,
  secret: string,
  recoveryCodes: string[],
  lastStep = Math.floor(Date.now() / 30_000),
): void {
  secondFactors.set(email.toLowerCase(), { secret, lastStep, recovery: [...recoveryCodes] });
}

/** A code the server has not seen for this account: this step's, the next one's, else a recovery code. */
export function nextSecondFactorCode(email: string): string {
  const known = secondFactors.get(email.toLowerCase());
  if (!known) throw new Error(`${email} has no second factor known to the tests`);
  const now = Math.floor(Date.now() / 30_000);
  const step = Math.max(now, known.lastStep + 1);
  if (step <= now + 1) {
    known.lastStep = step;
    return totpCode(known.secret, step);
  }
  const code = known.recovery.shift();
  if (!code) throw new Error(`${email} has used up its recovery codes in the tests`);
  return code;
}

/** A tiny REST client with a cookie jar, for tests that act as a staff member or a script. */
export class ApiClient {
  private cookie = '';

  constructor(readonly baseUrl: string) {}

  async request(method: string, path: string, body?: unknown, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookie) headers.set('cookie', this.cookie);
    // As the dashboard does: every change says JSON, even with no body.
    if ((body !== undefined || method !== 'GET') && !headers.has('content-type'))
      headers.set('content-type', 'application/json');
    const response = await fetch(new URL(path, this.baseUrl), {
      ...init,
      method,
      headers,
      body: body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const set = response.headers.getSetCookie().find((c) => c.startsWith('harbour_session='));
    if (set) this.cookie = set.split(';')[0] ?? '';
    return response;
  }

  async json<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> {
    const response = await this.request(method, path, body);
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  /** The raw cookie header, for socket.io clients that act as this user. */
  get cookieHeader(): string {
    return this.cookie;
  }

  /** Signs in; an account with a second factor the tests enrolled completes it with a fresh code. */
  async login(email: string, password: string): Promise<void> {
    const { status, body } = await this.json<{ mfaRequired?: true }>('POST', '/api/auth/login', {
      email,
      password,
    });
    if (status !== 200) throw new Error(`login as ${email} failed: ${status} ${JSON.stringify(body)}`);
    if (body.mfaRequired) {
      const mfa = await this.json('POST', '/api/auth/mfa', { code: nextSecondFactorCode(email) });
      if (mfa.status !== 200)
        throw new Error(`second factor for ${email} failed: ${mfa.status} ${JSON.stringify(mfa.body)}`);
    }
  }

  /**
   * Sets up TOTP for the signed-in account, as a person with an authenticator app would; this
   * session then counts as having proven it. Returns the secret and the recovery codes.
   */
  async enrolSecondFactor(): Promise<{ secret: string; recoveryCodes: string[] }> {
    const me = await this.json<{ user: { email: string } }>('GET', '/api/auth/me');
    const setup = await this.json<{ secret: string }>('POST', '/api/auth/second-factor/setup');
    if (setup.status !== 200) throw new Error(`second factor setup failed: ${JSON.stringify(setup.body)}`);
    const step = Math.floor(Date.now() / 30_000);
    const confirm = await this.json<{ recoveryCodes: string[] }>('POST', '/api/auth/second-factor/confirm', {
      code: totpCode(setup.body.secret, step),
    });
    if (confirm.status !== 200)
      throw new Error(`second factor confirm failed: ${JSON.stringify(confirm.body)}`);
    secondFactors.set(me.body.user.email.toLowerCase(), {
      secret: setup.body.secret,
      lastStep: step,
      recovery: [...confirm.body.recoveryCodes],
    });
    return { secret: setup.body.secret, recoveryCodes: confirm.body.recoveryCodes };
  }

  async setup(email: string, password: string, displayName = 'Admin'): Promise<void> {
    const { status, body } = await this.json('POST', '/api/setup', { email, password, displayName });
    if (status !== 201) throw new Error(`setup failed: ${status} ${JSON.stringify(body)}`);
  }

  /**
   * Adds a member of staff (of `schoolId`, or trust-level with null) and returns them signed in
   * on a client of their own, with a second factor proven, and their account's id.
   */
  async createStaff(
    email: string,
    role: string,
    password: string,
    schoolId: number | null,
  ): Promise<{ id: string; client: ApiClient }> {
    const { status, body } = await this.json<{ user: { id: string } }>('POST', '/api/users', {
      email,
      displayName: email,
      role,
      password,
      temporaryPassword: false,
      schoolId,
    });
    if (status !== 201) throw new Error(`create staff failed: ${status} ${JSON.stringify(body)}`);
    const client = new ApiClient(this.baseUrl);
    await client.login(email, password);
    await client.enrolSecondFactor();
    return { id: body.user.id, client };
  }

  async createRoom(name: string): Promise<{ id: string; name: string }> {
    const { status, body } = await this.json<{ id: string; name: string }>('POST', '/api/rooms', { name });
    if (status !== 201) throw new Error(`create room failed: ${status} ${JSON.stringify(body)}`);
    return body;
  }

  async createToken(
    roomId: string,
    extra: Record<string, unknown> = {},
  ): Promise<{ id: string; token: string }> {
    const { status, body } = await this.json<{ id: string; token: string }>('POST', '/api/enrolment-tokens', {
      roomId,
      ...extra,
    });
    if (status !== 201) throw new Error(`create token failed: ${status} ${JSON.stringify(body)}`);
    return body;
  }

  async devices(roomId?: string): Promise<
    {
      id: string;
      hostname: string;
      online: boolean;
      user: string | null;
      lastSeen: string | null;
      revoked: boolean;
    }[]
  > {
    const { body } = await this.json<{ devices: never[] }>(
      'GET',
      `/api/devices${roomId ? `?roomId=${roomId}` : ''}`,
    );
    return body.devices;
  }
}
