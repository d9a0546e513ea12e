/**
 * The machine service (issue 12): one per computer, running as root (LocalSystem on
 * Windows). It alone holds the device credential, the outbox and the evidence store, and
 * the one connection to the server (a HarbourAgent). Everything inside a user's graphical
 * session — screens, the foreground window, screenshots, the browser bridge — runs in a
 * session helper (session/helper.ts) that talks to this service over its user's door
 * (doors.ts). The service:
 *
 *  - knows each helper's user from the kernel, never from the helper, and stamps every
 *    event with that user; a helper can reach only its own session's state, its own
 *    reports and the requests a session may make;
 *  - keeps a helper running in every session: one that stops while its display is still
 *    there is started again as that user with that display, and recorded as a device
 *    health problem ("helper stopped in <user>'s session at <time>");
 *  - tells the server who is signed in (presence: the most recent session, or logind's
 *    active one) and says goodbye when it is stopped while someone is signed in.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import type net from 'node:net';
import {
  agentPushes,
  agentRequests,
  formatOsUser,
  sniffEvidenceMime,
  type AgentEvent,
  type AgentEventBody,
  type EvidenceRef,
  type HealthProblem,
  type OsUser,
} from '@harbour/shared';
import type { Logger } from 'pino';
import { HarbourAgent, type AgentOptions } from '../core/agent.js';
import type { AgentContext, AgentFeature } from '../core/feature.js';
import {
  decodeLine,
  encodeLine,
  helperMessageSchema,
  LineReader,
  maxLineBytes,
  maxSmallLineBytes,
  ProtocolError,
  refusal,
  type HelperMessage,
  type ServiceMessage,
} from '../core/session-protocol.js';
import { HealthReporter } from '../node/health-feature.js';
import type { PlatformProbes } from '../platform/probes.js';
import { lookupAccount, type OsAccount } from './accounts.js';
import { Doors } from './doors.js';
import { displayAlive } from './x11.js';

export interface ServiceFeatures {
  aup: boolean;
  helpBadge: boolean;
  activity: boolean;
}

/** A graphical session the service knows of, from logind (no helper yet) or from a helper's hello. */
export interface SessionFacts {
  /** The account's id (accounts.ts): a uid as text, or DOMAIN\\user on Windows. */
  accountId: string;
  display: string | null;
  xauthority: string | null;
  runtimeDir: string | null;
  /** logind's id, or the Windows session's number, where the OS told us. */
  sessionId: string | null;
  /** logind says this session is in front (the seat's active session). */
  active?: boolean;
}

/** Where sessions with no helper come from (logind on Linux; WTS on Windows; the console user on macOS). */
export interface SessionWatcher {
  start(onChange: (sessions: SessionFacts[]) => void): void;
  stop(): void;
}

export interface HelperLaunch {
  command: string;
  args: string[];
}

/** A connection whose peer the OS has proved to be `account` (doors.ts, win32/pipe-doors.ts). */
export type AcceptPeer = (socket: net.Socket, account: OsAccount) => void;

/** Where helpers connect: it hands the service only connections whose user the kernel proved. */
export interface PeerChannel {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** What the service started for a session: the helper itself, or a launcher that asked the OS to. */
export interface StartedHelper {
  once(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): unknown;
  once(event: 'error', listener: (error: Error) => void): unknown;
  /**
   * The process was only a launcher (launchd, Task Scheduler started the helper): its exit
   * says nothing of the helper, so the service waits for a hello and tries again without one.
   */
  launcher?: boolean;
}

/** How a platform starts a helper in a user's session (Linux: spawn as the user; Windows: in the session). */
export interface HelperStarter {
  start(account: OsAccount, facts: SessionFacts, launch: HelperLaunch): StartedHelper;
}

/** Bytes (glibc's default, fixed): see helperEnvironment and build/bin/harbour-agent. */
export const helperMallocMmapThreshold = '131072';

/** The environment of a helper the service starts on Linux: that user's, that session's display. */
export function helperEnvironment(
  account: OsAccount,
  facts: SessionFacts,
  parent: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  return {
    PATH: parent.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: account.home,
    USER: account.username,
    LOGNAME: account.username,
    LANG: parent.LANG ?? 'C.UTF-8',
    // Large buffers (a screen capture is width × height × 4 bytes) always get their own
    // mapping, so freeing one gives the memory back: glibc's malloc otherwise raises this
    // threshold after the first free and keeps every later capture in its heap for good.
    MALLOC_MMAP_THRESHOLD_: helperMallocMmapThreshold,
    // Installed, the runtime is the app's Electron run as Node (build/bin/harbour-agent):
    // without this a helper would start the tray app's window instead.
    ...(parent.ELECTRON_RUN_AS_NODE ? { ELECTRON_RUN_AS_NODE: '1' } : {}),
    ...(facts.display ? { DISPLAY: facts.display } : {}),
    ...(facts.xauthority ? { XAUTHORITY: facts.xauthority } : {}),
    ...(facts.runtimeDir ? { XDG_RUNTIME_DIR: facts.runtimeDir } : {}),
    ...(facts.sessionId ? { XDG_SESSION_ID: facts.sessionId } : {}),
  };
}

/** Linux (and any POSIX service run as root): the helper as the session's user, in its own process group. */
export const posixStarter: HelperStarter = {
  start(account, facts, { command, args }) {
    const asRoot = process.getuid?.() === 0;
    if (asRoot && (account.uid === undefined || account.gid === undefined))
      throw new Error(`no uid for ${account.username}`);
    const child = spawn(command, args, {
      env: helperEnvironment(account, facts),
      cwd: '/',
      // Its own process group: it outlives a service restart, as the user's screens must.
      detached: true,
      stdio: ['ignore', 'inherit', 'inherit'],
      ...(asRoot ? { uid: account.uid, gid: account.gid } : {}),
    });
    child.unref();
    return child;
  },
};

/** A health problem's code for a user (codes are short and plain: healthCodeSchema). */
export function helperStoppedCode(account: OsAccount): string {
  return `helper.stopped.${account.id.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64)}`;
}

export interface ServiceOptions {
  agent: AgentOptions;
  socketPath: string;
  features: ServiceFeatures;
  logger: Logger;
  probes: Pick<PlatformProbes, 'deviceInfo'>;
  /** Settings problems found while loading the configuration. */
  problems?: HealthProblem[];
  /** How a helper is started (the service runs it as the session's user). */
  helper: HelperLaunch;
  /** The account behind an id, from the OS (null: none, so no session and no door). */
  account(id: string): Promise<OsAccount | null>;
  watcher?: SessionWatcher;
  /** Where helpers connect. Default: Unix doors beside `socketPath` (doors.ts). */
  channel?: (accept: AcceptPeer) => PeerChannel;
  /** How a helper is started in a session. Default: spawned as the user (posixStarter). */
  starter?: HelperStarter;
  /** Whether a session is still there (its X display; its Windows session; the console). */
  sessionAlive?: (facts: SessionFacts) => Promise<boolean>;
  /** Wait before starting a stopped helper again. Default 300 ms. */
  restartDelayMs?: number;
  fetch?: typeof fetch;
}

interface Session {
  key: string;
  account: OsAccount;
  facts: SessionFacts;
  /** When it was first seen: the most recent session is the one in front, unless logind says otherwise. */
  seenAt: number;
  conn: HelperConnection | null;
  child: StartedHelper | null;
  restartTimer: NodeJS.Timeout | undefined;
  /** Starts in a row that ended before the helper said hello. */
  failedStarts: number;
  fromWatcher: boolean;
}

const sessionKey = (id: string, display: string | null) => `${id}:${display ?? '-'}`;
/** A helper must say hello this soon after connecting. */
const helloTimeoutMs = 5000;
/** The helper's exit code when its display has gone (session/helper.ts). */
export const displayGoneExitCode = 4;
/** Requests a session may make, through the service. The rest (presence, events, health...) are the service's own. */
const sessionRequests = new Set([
  'agent:tell-settings',
  'agent:tell-status',
  'agent:tell-release',
  'agent:activity-config',
  'agent:thumbnail',
  'agent:control-ack',
  'aup:bundle',
  'aup:decisions',
  'aup:audio',
  'speech:screen',
  'speech:control',
]);
/** Only the session in front may send these: the teacher sees and controls the screen in front of the pupil. */
const frontOnly = new Set(['agent:thumbnail', 'agent:control-ack']);

const tellOwnerKey = (tellId: string) => `tell.owner:${tellId}`;
const stateKeyOf = (id: string, key: string) => `session:${id}:${key}`;

function timeText(at: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`;
}

export class MachineService {
  readonly agent: HarbourAgent;
  readonly health: HealthReporter;
  private readonly doors: PeerChannel;
  private ctx: AgentContext | undefined;
  private readonly sessions = new Map<string, Session>();
  private readonly conns = new Set<HelperConnection>();
  /** Which users sent which screenshot (a session may cite only its own). */
  private readonly evidenceBy = new Map<string, Set<string>>();
  private readonly sessionProblems = new Map<string, HealthProblem[]>();
  private reportedSessionCodes = new Set<string>();
  private online = false;
  private stopping = false;
  private readonly sessionAlive: (facts: SessionFacts) => Promise<boolean>;

  constructor(private readonly options: ServiceOptions) {
    this.sessionAlive = options.sessionAlive ?? ((facts) => displayAlive(facts.display));
    this.health = new HealthReporter(options.problems ?? []);
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const service = this;
    const hub: AgentFeature = {
      name: 'sessions',
      start: (ctx) => this.attach(ctx),
      onConnect: () => undefined,
    };
    this.agent = new HarbourAgent(
      { ...options.agent, aupGate: options.features.aup },
      {
        logger: options.logger,
        ...(options.fetch ? { fetch: options.fetch } : {}),
        probes: {
          deviceInfo: () => options.probes.deviceInfo(),
          currentUser: () => Promise.resolve(service.frontUser()),
        },
        features: [this.health, hub],
      },
    );
    this.agent.on('status', (status) => {
      const online = status === 'online';
      if (online === this.online) return;
      this.online = online;
      this.broadcast({ t: 'status', online });
    });
    const accept: AcceptPeer = (socket, account) => this.accept(socket, account);
    this.doors = options.channel
      ? options.channel(accept)
      : new Doors({
          socketPath: options.socketPath,
          logger: options.logger,
          account: lookupAccount,
          onConnection: accept,
        });
  }

  private get log(): Logger {
    return this.options.logger;
  }

  /** The sessions known now, most recent first (for tests and logs). */
  get knownSessions(): { user: string; display: string | null; helper: boolean }[] {
    return this.ordered().map((s) => ({
      user: s.account.username,
      display: s.facts.display,
      helper: s.conn !== null,
    }));
  }

  async start(): Promise<void> {
    await this.agent.start();
    await this.doors.start();
    this.options.watcher?.start((sessions) => void this.fromWatcher(sessions));
  }

  /** Stops the service; helpers keep running (and their screens stay as they are) until it is back. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.options.watcher?.stop();
    for (const s of this.sessions.values()) clearTimeout(s.restartTimer);
    const user = this.frontUser();
    if (user && this.ctx?.online) {
      // The dashboard says "stopped while in use", not just "offline".
      await this.ctx
        .request('agent:goodbye', { reason: 'service-stopped', user }, 3000)
        .catch(() => undefined);
    }
    for (const conn of this.conns) conn.socket.destroy();
    await this.doors.stop();
    await this.agent.stop();
  }

  private attach(ctx: AgentContext): void {
    this.ctx = ctx;
    this.online = ctx.online;
    for (const event of Object.keys(agentPushes) as (keyof typeof agentPushes)[]) {
      if (event === 'server:revoked' || event === 'server:error') continue;
      ctx.onPush(event, (payload: unknown) => this.forwardPush(event, payload));
    }
  }

  private forwardPush(event: string, payload: unknown): void {
    if (event === 'server:tell-update') {
      // A report's news goes to the user who made it, and to no one else.
      const tellId = (payload as { tellId?: unknown }).tellId;
      const owner = typeof tellId === 'string' ? this.ctx?.getState(tellOwnerKey(tellId)) : undefined;
      for (const conn of this.conns) {
        if (conn.session && conn.account.id === owner) conn.send({ t: 'push', event, payload });
      }
      return;
    }
    this.broadcast({ t: 'push', event, payload });
  }

  private broadcast(message: ServiceMessage): void {
    for (const conn of this.conns) if (conn.session) conn.send(message);
  }

  private ordered(): Session[] {
    return [...this.sessions.values()].sort((a, b) => b.seenAt - a.seenAt);
  }

  /** The session in front: the one logind says is active, else the one that began last. */
  private front(): Session | null {
    const all = this.ordered();
    return all.find((s) => s.facts.active) ?? all[0] ?? null;
  }

  private frontUser(): OsUser | null {
    const front = this.front();
    return front ? { username: front.account.username } : null;
  }

  private sessionsChanged(): void {
    void this.agent
      .checkSession()
      .catch((error: unknown) => this.log.warn({ err: error }, 'presence failed'));
  }

  // ---- helpers' connections ----------------------------------------------------------

  private accept(socket: net.Socket, account: OsAccount): void {
    if (this.stopping || !this.ctx) {
      socket.destroy();
      return;
    }
    const conn: HelperConnection = new HelperConnection(socket, account, this.log, (message) =>
      this.onMessage(conn, message),
    );
    this.conns.add(conn);
    const timer = setTimeout(() => {
      if (!conn.session) conn.close('no hello in time');
    }, helloTimeoutMs);
    socket.on('close', () => {
      clearTimeout(timer);
      this.conns.delete(conn);
      void this.onClosed(conn);
    });
  }

  private async onMessage(conn: HelperConnection, message: HelperMessage): Promise<void> {
    const ctx = this.ctx;
    if (!ctx) return;
    if (message.t === 'hello') {
      if (conn.session) throw new ProtocolError('hello twice');
      this.hello(conn, message.session, ctx);
      return;
    }
    const session = conn.session;
    if (!session) throw new ProtocolError('say hello first');
    const uid = conn.account.id;
    switch (message.t) {
      case 'enqueue': {
        const refused = this.enqueue(conn, session, message.event, ctx);
        conn.send({ t: 'ack', seq: message.seq, ...(refused ? { refused } : {}) });
        return;
      }
      case 'evidence': {
        const bytes = Buffer.from(message.base64, 'base64');
        const sha = createHash('sha256').update(bytes).digest('hex');
        if (sha !== message.sha256 || sniffEvidenceMime(bytes) !== message.mime) {
          conn.send({
            t: 'ack',
            seq: message.seq,
            refused: 'the screenshot does not match its hash or type',
          });
          return;
        }
        ctx.saveEvidence(bytes, message.mime);
        const owners = this.evidenceBy.get(sha) ?? new Set<string>();
        owners.add(uid);
        this.evidenceBy.set(sha, owners);
        conn.send({ t: 'ack', seq: message.seq });
        return;
      }
      case 'state':
        ctx.setState(stateKeyOf(uid, message.key), message.value);
        conn.send({ t: 'ack', seq: message.seq });
        return;
      case 'request':
        conn.send({ t: 'response', id: message.id, result: await this.relay(session, message, ctx) });
        return;
      case 'health':
        this.sessionProblems.set(session.key, message.problems);
        this.updateSessionHealth();
        return;
      case 'bye':
        this.log.info(
          { user: conn.account.username, reason: message.reason },
          'service: a helper is leaving',
        );
        return;
    }
  }

  private hello(
    conn: HelperConnection,
    facts: Omit<SessionFacts, 'active' | 'accountId'> & { pid: number },
    ctx: AgentContext,
  ): void {
    const { account } = conn;
    const key = sessionKey(account.id, facts.display);
    let session = this.sessions.get(key);
    if (session?.conn && session.conn !== conn) {
      conn.send({ t: 'error', message: 'Another Harbour helper already serves this session.' });
      conn.close('a second helper for the same session');
      return;
    }
    const isNew = !session;
    if (!session) {
      session = {
        key,
        account,
        facts: { accountId: account.id, display: null, xauthority: null, runtimeDir: null, sessionId: null },
        seenAt: Date.now(),
        conn: null,
        child: null,
        restartTimer: undefined,
        failedStarts: 0,
        fromWatcher: false,
      };
      this.sessions.set(key, session);
    }
    // What the helper says of its display is used only to start a helper as this same user again.
    session.facts = {
      ...session.facts,
      display: facts.display,
      xauthority: facts.xauthority ?? session.facts.xauthority,
      runtimeDir: facts.runtimeDir ?? session.facts.runtimeDir,
      sessionId: session.facts.sessionId ?? facts.sessionId,
    };
    session.conn = conn;
    session.failedStarts = 0;
    clearTimeout(session.restartTimer);
    conn.session = session;
    const prefix = stateKeyOf(account.id, '');
    const state: Record<string, string> = {};
    for (const [k, v] of this.agent.outbox.stateWithPrefix(prefix)) state[k.slice(prefix.length)] = v;
    conn.send({
      t: 'welcome',
      user: { username: account.username },
      device: ctx.device,
      online: ctx.online,
      state,
      features: this.options.features,
    });
    this.log.info(
      { user: account.username, display: facts.display, pid: facts.pid },
      'service: helper connected',
    );
    if (isNew) this.sessionsChanged();
  }

  /** Checks and stamps a session's event; returns why it was refused, or undefined once it is in the outbox. */
  private enqueue(
    conn: HelperConnection,
    session: Session,
    event: AgentEvent,
    ctx: AgentContext,
  ): string | undefined {
    const uid = conn.account.id;
    const user: OsUser = { username: conn.account.username };
    let body: AgentEventBody = event.body;
    switch (body.type) {
      case 'session.started':
      case 'session.ended':
        return 'the service records sessions itself';
      case 'activity.changed':
        // The device's timeline follows the screen in front; a session behind it is not being used.
        if (this.front() !== session) return undefined;
        body = { ...body, user: body.user ? user : null };
        break;
      case 'tell.reported':
        body = { ...body, user };
        break;
      case 'tell.details':
        if (ctx.getState(tellOwnerKey(body.tellId)) !== uid) return 'not a report of this session';
        break;
      case 'aup.decision':
        body = { ...body, user };
        break;
      case 'activity.flag':
        body = { ...body, user: body.user ? user : null };
        break;
    }
    body = this.ownEvidenceOnly(body, uid);
    const stamped: AgentEvent = { ...event, body };
    const stored = this.agent.outbox.atomically(() => {
      const fresh = this.agent.outbox.enqueueEvent(stamped);
      if (fresh && body.type === 'tell.reported') ctx.setState(tellOwnerKey(body.tellId), uid);
      return fresh;
    });
    if (stored) void this.agent.flush();
    return undefined;
  }

  /** Drops screenshots this user did not send (a session must not cite another's), saying so in a report. */
  private ownEvidenceOnly(body: AgentEventBody, uid: string): AgentEventBody {
    if (body.type !== 'tell.reported' && body.type !== 'activity.flag') return body;
    const own = (r: EvidenceRef) => this.evidenceBy.get(r.sha256)?.has(uid) === true;
    const kept = body.evidence.filter(own);
    if (kept.length === body.evidence.length) return body;
    const lost = body.evidence.length - kept.length;
    if (body.type === 'tell.reported') {
      const note = `${lost} screenshot(s) did not reach the Harbour service`;
      return {
        ...body,
        evidence: kept,
        captureError: (body.captureError ? `${body.captureError}; ${note}` : note).slice(0, 500),
      };
    }
    return { ...body, evidence: kept };
  }

  private async relay(
    session: Session,
    message: Extract<HelperMessage, { t: 'request' }>,
    ctx: AgentContext,
  ): Promise<unknown> {
    const { event } = message;
    if (!sessionRequests.has(event)) return refusal('forbidden', `a session may not send ${event}`);
    const spec = agentRequests[event as keyof typeof agentRequests];
    const parsed = spec.request.safeParse(message.payload);
    if (!parsed.success)
      return refusal('validation_failed', parsed.error.issues[0]?.message ?? 'invalid request');
    const payload = parsed.data as Record<string, unknown>;
    const uid = session.account.id;
    if (frontOnly.has(event) && this.front() !== session) {
      return refusal('forbidden', 'only the session in front may send this');
    }
    if (event === 'agent:tell-status' || event === 'agent:tell-release') {
      if (ctx.getState(tellOwnerKey(String(payload.tellId))) !== uid) {
        return refusal('forbidden', 'not a report of this session');
      }
    }
    if (event === 'aup:decisions') {
      const asked = formatOsUser(payload.user as OsUser).toLowerCase();
      if (asked !== session.account.username.toLowerCase()) {
        return refusal('forbidden', "a session may ask only about its own user's decisions");
      }
    }
    try {
      return await ctx.request(event as never, payload as never, message.timeoutMs);
    } catch (error) {
      return refusal(
        'internal',
        (error as Error).message === 'offline' ? 'offline' : 'no answer from the server',
      );
    }
  }

  private updateSessionHealth(): void {
    const union = new Map<string, string>();
    for (const problems of this.sessionProblems.values())
      for (const p of problems) union.set(p.code, p.message);
    for (const code of this.reportedSessionCodes) if (!union.has(code)) this.health.clear(code);
    for (const [code, message] of union) this.health.set(code, message);
    this.reportedSessionCodes = new Set(union.keys());
  }

  // ---- keeping a helper in every session ---------------------------------------------

  private async onClosed(conn: HelperConnection): Promise<void> {
    const session = conn.session;
    if (!session || session.conn !== conn || this.stopping) return;
    session.conn = null;
    if (!(await this.sessionAlive(session.facts))) {
      this.endSession(session, 'its display has gone');
      return;
    }
    const at = new Date();
    this.health.set(
      helperStoppedCode(session.account),
      `helper stopped in ${session.account.username}'s session at ${timeText(at)}`,
    );
    this.log.warn(
      { user: session.account.username, display: session.facts.display },
      'service: a helper stopped; starting it again',
    );
    this.scheduleStart(session, this.options.restartDelayMs ?? 300);
  }

  private scheduleStart(session: Session, delayMs: number): void {
    clearTimeout(session.restartTimer);
    session.restartTimer = setTimeout(() => this.startHelper(session), delayMs);
    session.restartTimer.unref();
  }

  private startHelper(session: Session): void {
    if (this.stopping || session.conn || !this.sessions.has(session.key)) return;
    const { account, facts } = session;
    let child: StartedHelper;
    try {
      child = (this.options.starter ?? posixStarter).start(account, facts, this.options.helper);
    } catch (error) {
      this.log.error({ err: error }, 'service: cannot start a helper');
      this.scheduleStart(session, 4000);
      return;
    }
    session.child = child;
    child.once('error', (error) => this.log.error({ err: error }, 'service: cannot start a helper'));
    if (child.launcher) {
      // The OS starts the helper: if it has not said hello in a while, ask again.
      session.failedStarts++;
      this.scheduleStart(session, Math.min(8000, 2000 * session.failedStarts));
      return;
    }
    child.once('exit', (code, signal) => {
      if (session.child === child) session.child = null;
      if (session.conn || this.stopping || !this.sessions.has(session.key)) return;
      if (code === displayGoneExitCode) {
        this.endSession(session, 'its display has gone');
        return;
      }
      // It ended before saying hello: try again, a little later each time, never later than 4 s.
      session.failedStarts++;
      this.log.warn(
        { code, signal, attempt: session.failedStarts },
        'service: a helper ended before it connected',
      );
      this.scheduleStart(session, Math.min(4000, 250 * 2 ** session.failedStarts));
    });
  }

  private endSession(session: Session, why: string): void {
    clearTimeout(session.restartTimer);
    this.sessions.delete(session.key);
    this.sessionProblems.delete(session.key);
    this.updateSessionHealth();
    const id = session.account.id;
    if (![...this.sessions.values()].some((s) => s.account.id === id))
      this.health.clear(helperStoppedCode(session.account));
    this.log.info({ user: session.account.username, why }, 'service: session ended');
    this.sessionsChanged();
  }

  /** Sessions logind (or the platform) knows: each gets a helper, even if none ever started by itself. */
  private async fromWatcher(list: SessionFacts[]): Promise<void> {
    const seen = new Set<string>();
    for (const facts of list) {
      const key = sessionKey(facts.accountId, facts.display);
      seen.add(key);
      let session = this.sessions.get(key);
      if (!session) {
        const account = await this.options.account(facts.accountId);
        if (!account || this.stopping) continue;
        session = {
          key,
          account,
          facts,
          seenAt: Date.now(),
          conn: null,
          child: null,
          restartTimer: undefined,
          failedStarts: 0,
          fromWatcher: true,
        };
        this.sessions.set(key, session);
        // Give an autostarted helper a moment to connect by itself before starting one.
        this.scheduleStart(session, 3000);
        this.sessionsChanged();
      } else {
        const wasActive = session.facts.active;
        session.fromWatcher = true;
        session.facts = {
          ...session.facts,
          ...facts,
          xauthority: facts.xauthority ?? session.facts.xauthority,
        };
        if (wasActive !== facts.active) this.sessionsChanged();
      }
    }
    for (const session of [...this.sessions.values()]) {
      if (session.fromWatcher && !seen.has(session.key)) {
        session.conn?.close('the session ended');
        this.endSession(session, 'logind says it ended');
      }
    }
  }
}

/** One helper's connection: lines in, checked; lines out. A bad message never reaches the service's logic. */
class HelperConnection {
  session: Session | null = null;
  private readonly reader: LineReader;
  private errors = 0;

  constructor(
    readonly socket: net.Socket,
    readonly account: OsAccount,
    private readonly log: Logger,
    handle: (message: HelperMessage) => Promise<void>,
  ) {
    this.reader = new LineReader(maxLineBytes, (line) => {
      let message: HelperMessage;
      try {
        if (line.length > maxSmallLineBytes && !line.startsWith('{"t":"evidence"')) {
          throw new ProtocolError('message too large');
        }
        message = decodeLine(helperMessageSchema, line);
      } catch (error) {
        this.refuse(error as Error);
        return;
      }
      handle(message).catch((error: unknown) => this.refuse(error as Error));
    });
    socket.on('data', (data: Buffer) => {
      try {
        this.reader.push(data);
      } catch (error) {
        this.refuse(error as Error);
        this.close('message too large');
      }
    });
    socket.on('error', () => undefined);
  }

  send(message: ServiceMessage): void {
    if (!this.socket.destroyed) this.socket.write(encodeLine(message));
  }

  close(reason: string): void {
    this.log.warn({ user: this.account.username, reason }, 'service: closing a helper connection');
    this.socket.destroy();
  }

  private refuse(error: Error): void {
    const message =
      error instanceof ProtocolError ? error.message : 'the service could not handle that message';
    if (!(error instanceof ProtocolError)) this.log.error({ err: error }, 'service: a helper message failed');
    this.send({ t: 'error', message });
    // A peer that sends nothing but garbage is cut off.
    if (++this.errors > 100) this.close('too many bad messages');
  }
}
