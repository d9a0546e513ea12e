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

  async login(email: string, password: string): Promise<void> {
    const { status, body } = await this.json('POST', '/api/auth/login', { email, password });
    if (status !== 200) throw new Error(`login as ${email} failed: ${status} ${JSON.stringify(body)}`);
  }

  async setup(email: string, password: string, displayName = 'Admin'): Promise<void> {
    const { status, body } = await this.json('POST', '/api/setup', { email, password, displayName });
    if (status !== 201) throw new Error(`setup failed: ${status} ${JSON.stringify(body)}`);
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
