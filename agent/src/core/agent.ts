import { EventEmitter } from 'node:events';
import {
  agentNamespace,
  type agentRequests,
  type Ack,
  type RequestOf,
  type ResponseOf,
  formatOsUser,
  osUserSchema,
  parseWith,
  type AgentClientToServer,
  type AgentServerToClient,
  type AgentEventBody,
  type EvidenceRef,
  type OsUser,
} from '@harbour/shared';
import type { Logger } from 'pino';
import { io, type Socket } from 'socket.io-client';
import type { PlatformProbes } from '../platform/probes.js';
import { loadCredentials, saveCredentials, type Credentials } from './credentials.js';
import { enrol, EnrolmentRefused } from './enrol.js';
import type { AgentContext, AgentFeature } from './feature.js';
import { EvidenceStore, evidenceOf, uploadEvidence } from './evidence.js';
import { Outbox } from './outbox.js';
import { fetchTrusting, trustedCas } from './server-tls.js';

export interface AgentOptions {
  serverUrl: string;
  dataDir: string;
  agentVersion: string;
  /** Used only if the agent has not enrolled yet. */
  enrolmentToken?: string | undefined;
  /** Name to report instead of the OS hostname. */
  deviceName?: string | undefined;
  heartbeatSeconds?: number;
  sessionPollSeconds?: number;
  /** The school's own certificate authority (PEM), trusted for the server's certificate as well as the public ones. */
  serverCa?: string | undefined;
  /** Whether this computer shows the acceptable use policy at logon (reported with presence). */
  aupGate?: boolean | undefined;
}

export interface AgentDeps {
  probes: PlatformProbes;
  logger: Logger;
  fetch?: typeof fetch;
  /** Feature services started once the agent is enrolled and connecting. */
  features?: AgentFeature[];
}

export type AgentStatus =
  'starting' | 'enrolling' | 'connecting' | 'online' | 'offline' | 'refused' | 'stopped';

interface AgentEvents {
  status: [status: AgentStatus, detail?: string];
}

type AgentSocket = Socket<AgentServerToClient, AgentClientToServer>;
type Requests = typeof agentRequests;
/** Evidence of an event: all uploaded, try again later, or some files refused for good (and why). */
type EvidenceOutcome = 'ok' | 'retry' | { refused: EvidenceRef[]; reason: string };

/** The event body minus the refused evidence; a pupil's report also says a screenshot was lost. */
function withoutEvidence(body: AgentEventBody, refused: EvidenceRef[], reason: string): AgentEventBody {
  const gone = new Set(refused.map((r) => r.sha256));
  const evidence = evidenceOf(body).filter((r) => !gone.has(r.sha256));
  const next = { ...body, evidence } as AgentEventBody;
  if (next.type === 'tell.reported') {
    const note = `${refused.length} screenshot(s) could not be stored: ${reason}`;
    next.captureError = (next.captureError ? `${next.captureError}; ${note}` : note).slice(0, 500);
  }
  return next;
}

/** Sends a request and waits for its acknowledgement; rejects if none comes within `timeoutMs`. */
async function request<K extends keyof Requests>(
  socket: AgentSocket,
  event: K,
  payload: RequestOf<Requests, K>,
  timeoutMs: number,
): Promise<Ack<ResponseOf<Requests, K>>> {
  const untyped = socket.timeout(timeoutMs) as unknown as {
    emitWithAck(e: string, p: unknown): Promise<unknown>;
  };
  return (await untyped.emitWithAck(event, payload)) as Ack<ResponseOf<Requests, K>>;
}

const sessionKey = 'session.user';
/** Errors the server gives for an event that will never be accepted as it is. */
const permanent = new Set(['validation_failed', 'payload_too_large', 'bad_request', 'unknown_event']);

/**
 * The agent's core: enrols once, keeps a connection to the server, reports who is
 * signed in, and delivers every event from the durable outbox. Runs in plain Node;
 * the Electron shell and the headless CLI both drive it.
 */
export class HarbourAgent extends EventEmitter<AgentEvents> {
  private socket: AgentSocket | undefined;
  private outboxStore: Outbox | undefined;
  private evidenceStore: EvidenceStore | undefined;
  private credentials: Credentials | undefined;
  private timers: NodeJS.Timeout[] = [];
  private flushing = false;
  private currentUser: OsUser | null = null;
  private state: AgentStatus = 'starting';
  private stopped = false;
  private readonly features: AgentFeature[];

  constructor(
    private readonly options: AgentOptions,
    private deps: AgentDeps,
  ) {
    super();
    this.features = deps.features ?? [];
    if (options.serverCa && !deps.fetch) this.deps = { ...deps, fetch: fetchTrusting(options.serverCa) };
  }

  /** The signed-in user, as last probed. */
  get user(): OsUser | null {
    return this.currentUser;
  }

  get status(): AgentStatus {
    return this.state;
  }

  /** The stored credential, for the machine service's own calls (never handed to a feature). */
  get credentialsForService(): Credentials | undefined {
    return this.credentials;
  }

  get outbox(): Outbox {
    if (!this.outboxStore) throw new Error('agent not started');
    return this.outboxStore;
  }

  /** Enrols if needed (retrying while the server is unreachable), then connects. */
  async start(): Promise<Credentials> {
    this.outboxStore = new Outbox(this.options.dataDir);
    this.evidenceStore = new EvidenceStore(this.options.dataDir);
    const credentials = await this.ensureEnrolled();
    this.credentials = credentials;
    if (this.stopped) return credentials;
    this.connect(credentials);
    const context = this.context(credentials);
    for (const feature of this.features) {
      await feature.start(context);
      this.deps.logger.debug({ feature: feature.name }, 'feature started');
    }
    await this.checkSession();
    this.every((this.options.sessionPollSeconds ?? 5) * 1000, () => this.checkSession());
    this.every((this.options.heartbeatSeconds ?? 30) * 1000, () => this.heartbeat());
    this.every(5000, () => this.flush());
    return credentials;
  }

  async stop(): Promise<void> {
    if (this.stopped && !this.outboxStore) return;
    this.stopped = true;
    for (const feature of [...this.features].reverse()) {
      await Promise.resolve(feature.stop?.()).catch((error: unknown) =>
        this.deps.logger.error({ err: error, feature: feature.name }, 'feature failed to stop'),
      );
    }
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.socket?.disconnect();
    this.socket = undefined;
    // Let an in-flight flush finish with the database before closing it.
    while (this.flushing) await new Promise((r) => setTimeout(r, 10));
    this.outboxStore?.close();
    this.outboxStore = undefined;
    this.setStatus('stopped');
  }

  private setStatus(status: AgentStatus, detail?: string): void {
    if (status === this.state && detail === undefined) return;
    this.state = status;
    this.emit('status', status, detail);
  }

  private every(ms: number, fn: () => Promise<void> | void): void {
    const timer = setInterval(() => {
      Promise.resolve(fn()).catch((error: unknown) =>
        this.deps.logger.error({ err: error }, 'periodic task failed'),
      );
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }

  private async ensureEnrolled(): Promise<Credentials> {
    const { dataDir, serverUrl, enrolmentToken, agentVersion } = this.options;
    const stored = loadCredentials(dataDir);
    if (stored) {
      if (stored.serverUrl !== serverUrl) {
        this.deps.logger.warn(
          { stored: stored.serverUrl, given: serverUrl },
          'already enrolled with another server URL; using the stored one',
        );
      }
      return stored;
    }
    if (!enrolmentToken) {
      throw new EnrolmentRefused('This device is not enrolled yet: start the agent with an enrolment token.');
    }
    this.setStatus('enrolling');
    const info = await this.deps.probes.deviceInfo();
    const device = { ...info, hostname: this.options.deviceName ?? info.hostname };
    let delay = 1000;
    for (;;) {
      try {
        const credentials = await enrol(serverUrl, enrolmentToken, device, agentVersion, this.deps.fetch);
        saveCredentials(dataDir, credentials);
        this.deps.logger.info({ deviceId: credentials.deviceId, roomId: credentials.roomId }, 'enrolled');
        return credentials;
      } catch (error) {
        if (error instanceof EnrolmentRefused || this.stopped) throw error;
        const reason =
          error instanceof Error
            ? error.cause instanceof Error
              ? error.cause.message
              : error.message
            : String(error);
        this.setStatus('offline', `cannot reach ${serverUrl} to enrol: ${reason}`);
        this.deps.logger.warn(
          { err: error, retryInMs: delay },
          'cannot reach the server to enrol; will retry',
        );
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 60_000);
      }
    }
  }

  private connect(credentials: Credentials): void {
    this.setStatus('connecting');
    const socket: AgentSocket = io(new URL(agentNamespace, credentials.serverUrl).toString(), {
      auth: {
        deviceId: credentials.deviceId,
        credential: credentials.credential,
        agentVersion: this.options.agentVersion,
      },
      transports: ['websocket', 'polling'],
      tryAllTransports: true,
      // The server's certificate is always verified; a school CA is trusted as well when set.
      rejectUnauthorized: true,
      ...(this.options.serverCa && { ca: trustedCas(this.options.serverCa) }),
      reconnectionDelay: 1000,
      reconnectionDelayMax: 30_000,
      randomizationFactor: 0.5,
    });
    this.socket = socket;
    const log = this.deps.logger;

    socket.on('connect', () => {
      log.info('connected to the server');
      this.setStatus('online');
      void this.sendPresence();
      void this.flush();
      for (const feature of this.features) this.safely(feature, () => feature.onConnect?.());
    });
    socket.on('disconnect', (reason) => {
      log.warn({ reason }, 'disconnected from the server');
      if (!this.stopped && this.state !== 'refused') this.setStatus('offline', reason);
    });
    socket.on('connect_error', (error: Error & { data?: { code?: string } }) => {
      if (socket.active) {
        // A network problem or a server restart: socket.io retries with backoff by itself.
        log.debug({ err: error.message }, 'cannot reach the server; retrying');
        this.setStatus('offline', error.message);
        return;
      }
      // The server refused this device (unknown, wrong credential or revoked): retrying won't help.
      log.error({ code: error.data?.code, reason: error.message }, 'the server refused this device');
      this.setStatus('refused', error.message);
    });
    socket.on('server:revoked', ({ reason }) => {
      log.error({ reason }, 'this device was revoked');
      this.setStatus('refused', reason);
    });
    socket.on('server:error', (err) => log.warn(err, 'the server refused a message'));
  }

  /** Notices logons, logoffs and user switches; records each as an outbox event. */
  async checkSession(): Promise<void> {
    if (!this.outboxStore) return;
    const outbox = this.outboxStore;
    const probed = await this.deps.probes.currentUser();
    const now = probed ? parseWith(osUserSchema, probed) : undefined;
    const user = now?.ok ? now.value : null;
    const stored = outbox.getState(sessionKey);
    const previous = stored ? (JSON.parse(stored) as OsUser) : null;
    const same = (a: OsUser | null, b: OsUser | null) =>
      a && b ? formatOsUser(a) === formatOsUser(b) : a === b;
    this.currentUser = user;
    if (!same(previous, user)) {
      outbox.atomically(() => {
        if (previous) outbox.enqueue({ type: 'session.ended', user: previous });
        if (user) outbox.enqueue({ type: 'session.started', user });
        outbox.setState(sessionKey, user ? JSON.stringify(user) : null);
      });
      this.deps.logger.info(
        { from: previous && formatOsUser(previous), to: user && formatOsUser(user) },
        'session changed',
      );
      await this.sendPresence();
      await this.flush();
      for (const feature of this.features)
        this.safely(feature, () => feature.onSessionChange?.(user, previous));
    }
  }

  /** Runs a feature hook; a failing feature is logged and never takes the agent down. */
  private safely(feature: AgentFeature, fn: () => Promise<void> | void | undefined): void {
    Promise.resolve()
      .then(fn)
      .catch((error: unknown) =>
        this.deps.logger.error({ err: error, feature: feature.name }, 'feature hook failed'),
      );
  }

  private context(credentials: Credentials): AgentContext {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const agent = this;
    return {
      logger: this.deps.logger,
      dataDir: this.options.dataDir,
      device: {
        serverUrl: credentials.serverUrl,
        deviceId: credentials.deviceId,
        roomId: credentials.roomId,
      },
      get user() {
        return agent.currentUser;
      },
      get online() {
        return agent.socket?.connected ?? false;
      },
      enqueue: (body, occurredAt) => {
        const event = this.outbox.enqueue(body, occurredAt);
        void this.flush();
        return event;
      },
      request: (event, payload, timeoutMs = 10_000) => {
        const socket = this.socket;
        if (!socket?.connected) return Promise.reject(new Error('offline'));
        return request(socket, event, payload, timeoutMs);
      },
      onPush: (event, handler) => {
        (this.socket as unknown as { on(e: string, h: unknown): void } | undefined)?.on(event, handler);
      },
      saveEvidence: (bytes, mime) => {
        if (!this.evidenceStore) throw new Error('agent not started');
        return this.evidenceStore.save(bytes, mime);
      },
      getState: (key) => this.outbox.getState(key),
      setState: (key, value) => this.outbox.setState(key, value),
    };
  }

  private async sendPresence(): Promise<void> {
    const socket = this.socket;
    if (!socket?.connected) return;
    try {
      const result = await request(
        socket,
        'agent:presence',
        { user: this.currentUser, locked: false, aupGate: this.options.aupGate ?? false },
        10_000,
      );
      if (!result.ok) this.deps.logger.warn({ error: result.error }, 'presence refused');
    } catch {
      // Timed out: the next connect sends it again.
    }
  }

  private async heartbeat(): Promise<void> {
    const socket = this.socket;
    if (!socket?.connected) return;
    try {
      await request(socket, 'agent:heartbeat', { sentAt: new Date().toISOString() }, 10_000);
    } catch {
      // A missed heartbeat is not an error; socket.io's own pings detect a dead link.
    }
  }

  /** Uploads the evidence an event refers to: 'ok', 'retry' (try later), or why it can never be accepted. */
  private async uploadEvidenceOf(body: object): Promise<EvidenceOutcome> {
    const refs = evidenceOf(body);
    if (refs.length === 0) return 'ok';
    const store = this.evidenceStore;
    const credentials = this.credentials;
    if (!store || !credentials) return 'retry';
    const refused: EvidenceRef[] = [];
    let reason = '';
    for (const ref of refs) {
      const bytes = store.read(ref);
      // Already uploaded and removed after an earlier acknowledgement that we then lost: the
      // server has it (events are only acknowledged after their evidence is stored).
      if (!bytes) continue;
      const result = await uploadEvidence(credentials, ref, bytes, this.deps.fetch);
      if (result.ok) continue;
      if (!result.permanent) return 'retry';
      refused.push(ref);
      reason = result.reason;
    }
    return refused.length === 0 ? 'ok' : { refused, reason };
  }

  /** Sends outbox events oldest first, one at a time, until the outbox is empty or the link drops. */
  async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      for (;;) {
        const socket = this.socket;
        const outbox = this.outboxStore;
        if (!socket?.connected || !outbox || this.stopped) break;
        const [event] = outbox.peek(1);
        if (!event) break;
        outbox.markAttempt(event.id);
        // Evidence first: the server must hold every screenshot an event refers to.
        const upload = await this.uploadEvidenceOf(event.body);
        if (upload === 'retry') break;
        if (upload !== 'ok') {
          // A screenshot the server will never take must not cost the pupil their report:
          // send the event without it, saying why, and keep the file for a technician.
          this.deps.logger.error(
            { eventId: event.id, reason: upload.reason, refused: upload.refused.map((r) => r.sha256) },
            'evidence refused; sending the event without it',
          );
          outbox.replaceBody(event.id, withoutEvidence(event.body, upload.refused, upload.reason));
          continue;
        }
        let result;
        try {
          result = await request(socket, 'agent:event', event, 15_000);
        } catch {
          break; // no answer: keep the event and try again later
        }
        if (this.stopped) break;
        if (result.ok) {
          outbox.acknowledge(event.id);
          for (const ref of evidenceOf(event.body)) this.evidenceStore?.remove(ref);
        } else if (permanent.has(result.error.code)) {
          this.deps.logger.error(
            { eventId: event.id, error: result.error },
            'the server rejected an event; set aside',
          );
          outbox.reject(event.id, result.error.message);
        } else {
          this.deps.logger.warn(
            { eventId: event.id, error: result.error },
            'event not stored yet; will retry',
          );
          break;
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}
