/**
 * The `Push` port on socket.io: the only code that emits to, joins, leaves or disconnects
 * live connections. Channels become socket.io rooms here and nowhere else, and the live
 * scope (core/live-scope.ts) is asked here: when a member of staff joins a channel, and
 * again for every recipient of every push, so a teacher taken off a room (or anyone whose
 * rules changed) stops receiving its pushes at once.
 */
import type {
  AgentClientToServer,
  AgentServerToClient,
  DashboardClientToServer,
  DashboardServerToClient,
} from '@harbour/shared';
import type { Logger } from 'pino';
import type { Namespace } from 'socket.io';
import { HarbourError } from '../core/errors.js';
import type { SessionUser } from '../core/identity.js';
import type { LiveScope, StaffEvent } from '../core/live-scope.js';
import type {
  AgentChannel,
  AgentConnection,
  BatchedStaffEvent,
  Connection,
  Push,
  StaffChannel,
} from '../core/ports.js';

export type AgentNamespace = Namespace<
  AgentClientToServer,
  AgentServerToClient,
  Record<string, never>,
  { deviceId: string }
>;
export type DashboardNamespace = Namespace<
  DashboardClientToServer,
  DashboardServerToClient,
  Record<string, never>,
  { user: SessionUser; sessionId: string }
>;

/** Every agent socket is in the namespace itself; `null` means "all of them". */
function agentRoom(to: AgentChannel): string | null {
  switch (to.kind) {
    case 'device':
      return `device:${to.deviceId}`;
    case 'everyAgent':
      return null;
  }
}

function staffRoom(to: StaffChannel): string {
  switch (to.kind) {
    case 'room':
      return `room:${to.roomId}`;
    case 'activity':
      return `activity:${to.roomId}`;
    case 'user':
      return `user:${to.userId}`;
    case 'session':
      return `session:${to.sessionId}`;
    case 'dsl':
      return 'role:dsl';
  }
}

/** Limits of batched pushes (docs/architecture.md, "Batched live pushes"). */
export interface BatchLimits {
  /** How long changes are gathered before they go out. */
  windowMs: number;
  /**
   * Most changes one batched event holds before it goes out, and most a dashboard that is
   * not reading its socket has held back for it. Past it only the newest change per key
   * (device) is kept: a live view shows what a device shows now, and the stored record is
   * the database's, never this.
   */
  maxChanges: number;
  /** Packets engine.io may still hold unwritten for a dashboard before its batches are held back. */
  maxUnsentPackets: number;
}

export const defaultBatchLimits: BatchLimits = { windowMs: 100, maxChanges: 20_000, maxUnsentPackets: 4 };

interface PendingChange {
  room: string;
  channel: StaffChannel;
  key: string;
  change: unknown;
}

/** The changes in order, keeping only each key's newest (at the newest's place). */
function newestPerKey(changes: readonly PendingChange[]): PendingChange[] {
  const last = new Map<string, number>();
  changes.forEach((c, i) => last.set(c.key, i));
  return changes.filter((c, i) => last.get(c.key) === i);
}

/**
 * Packets engine.io has queued for a socket of this node and not yet written: they pile up
 * when the client does not read (its TCP window is full). `writeBuffer` is engine.io's own
 * queue (not in its typings); a socket of another node has no `conn` here.
 */
function unsentPackets(socket: object): number {
  const conn = (socket as { conn?: { writeBuffer?: unknown } }).conn;
  return Array.isArray(conn?.writeBuffer) ? conn.writeBuffer.length : 0;
}

/** The server-side message (between nodes, through the adapter) that carries another node's batch. */
const batchFromNode = 'harbour:batch';
/**
 * The same for a push to staff channels. Asking every node for its sockets at each push (a
 * request through Redis, answered by each node's event loop, one push after another) held
 * every live push of a two-node trust behind 20,000 agents' connection pushes.
 */
const pushFromNode = 'harbour:push';

const isAgentChannel = (to: AgentChannel | StaffChannel): to is AgentChannel =>
  to.kind === 'device' || to.kind === 'everyAgent';

export function socketPush(
  agents: AgentNamespace,
  dashboards: DashboardNamespace,
  deps: {
    scope: LiveScope;
    log: Logger;
    batch?: Partial<BatchLimits>;
    /**
     * Several nodes (a socket.io adapter that carries server-side messages): each batch is
     * also sent, once, to the other nodes, and every node delivers batches to its own
     * dashboards only.
     */
    clustered?: boolean;
  },
): Push {
  const { scope, log } = deps;
  const limits: BatchLimits = { ...defaultBatchLimits, ...deps.batch };
  const agentsIn = (to: AgentChannel) => {
    const room = agentRoom(to);
    return room === null ? agents : agents.to(room);
  };

  /** Sends to each connection in `channels` that the live scope allows, through any channel it is in. */
  async function deliver(
    channels: readonly StaffChannel[],
    event: StaffEvent,
    payload: unknown,
    except: StaffChannel | undefined,
  ): Promise<void> {
    // This node's sockets: with several nodes each node delivers the pushes (sent to it in
    // one server-side message) to its own sockets, as for batches (sendBatch).
    let target = dashboards.local.in(channels.map(staffRoom));
    if (except) target = target.except(staffRoom(except));
    for (const socket of await target.fetchSockets()) {
      const user = socket.data.user;
      let allowed = false;
      for (const c of channels) {
        if (socket.rooms.has(staffRoom(c)) && (await scope.mayReceive(user, c, event))) {
          allowed = true;
          break;
        }
      }
      if (allowed) socket.emit(event, ...([payload] as Parameters<DashboardServerToClient[typeof event]>));
    }
  }
  // Pushes are checked asynchronously, so they go out one after another in the order sent.
  let queue: Promise<void> = Promise.resolve();
  const enqueue = (what: string, work: () => Promise<void>) => {
    queue = queue
      .then(work)
      .catch((error: unknown) => log.error({ err: error, event: what }, 'live push failed'));
  };

  /*
   * Batched pushes. Changes wait here per event, in the order pushed, for one window; then
   * each dashboard socket in any of their channels gets one message with the changes of the
   * channels it is in and the live scope allows it now (asked per socket and channel, as for
   * every push: the batch is built per recipient, never one union for all). With several
   * nodes the batch goes to the other nodes in one message, and each delivers it to its own
   * sockets (sendBatch).
   * A node that dies with changes waiting loses only the live messages: the changes are
   * stored, and a dashboard that reconnects gets the current state from `activity:watch`.
   */
  const pending = new Map<BatchedStaffEvent, { changes: PendingChange[]; timer: NodeJS.Timeout }>();
  /** Changes held back for dashboards of this node that are not reading (newest per key). */
  const heldBack = new WeakMap<object, Map<BatchedStaffEvent, PendingChange[]>>();

  function flushSoon(event: BatchedStaffEvent) {
    const batch = pending.get(event);
    if (!batch) return;
    clearTimeout(batch.timer);
    pending.delete(event);
    if (deps.clustered) dashboards.serverSideEmit(batchFromNode, event, batch.changes);
    enqueue(event, () => sendBatch(event, batch.changes));
  }
  if (deps.clustered) {
    dashboards.on(batchFromNode, (event: BatchedStaffEvent, changes: PendingChange[]) =>
      enqueue(event, () => sendBatch(event, changes)),
    );
    dashboards.on(
      pushFromNode,
      (channels: StaffChannel[], event: StaffEvent, payload: unknown, except: StaffChannel | null) =>
        enqueue(event, () => deliver(channels, event, payload, except ?? undefined)),
    );
  }

  type StaffSocket = Awaited<ReturnType<DashboardNamespace['fetchSockets']>>[number];

  /** The changes among `changes` that `socket` may be sent now. */
  async function allowedFor(
    socket: StaffSocket,
    event: BatchedStaffEvent,
    changes: readonly PendingChange[],
  ) {
    const allowed = new Map<string, boolean>();
    for (const c of changes) {
      if (allowed.has(c.room)) continue;
      allowed.set(
        c.room,
        socket.rooms.has(c.room) && (await scope.mayReceive(socket.data.user, c.channel, event)),
      );
    }
    return changes.filter((c) => allowed.get(c.room));
  }

  /** Sends `changes` (already allowed) to one socket, or holds them back if it is not reading. */
  function deliverBatch(socket: StaffSocket, event: BatchedStaffEvent, changes: PendingChange[]) {
    if (changes.length === 0) return;
    if (unsentPackets(socket) > limits.maxUnsentPackets) {
      const held = heldBack.get(socket) ?? new Map<BatchedStaffEvent, PendingChange[]>();
      const first = held.size === 0;
      let kept = newestPerKey([...(held.get(event) ?? []), ...changes]);
      if (kept.length > limits.maxChanges) kept = kept.slice(-limits.maxChanges);
      held.set(event, kept);
      heldBack.set(socket, held);
      // A socket that never drains is closed by engine.io's ping timeout; this entry goes with it.
      if (first) {
        (socket as unknown as { conn: { once(e: 'drain', f: () => void): void } }).conn.once('drain', () =>
          enqueue(event, () => sendHeld(socket)),
        );
      }
      return;
    }
    socket.emit(event, { changes: changes.map((c) => c.change) } as never);
  }

  async function sendHeld(socket: StaffSocket) {
    const held = heldBack.get(socket);
    if (!held) return;
    heldBack.delete(socket);
    for (const [event, changes] of held)
      deliverBatch(socket, event, await allowedFor(socket, event, changes));
  }

  /**
   * Delivers a batch to this node's dashboards. Asking every node for its sockets on each
   * batch (a request through the adapter, answered by each node's event loop) queued the
   * batches of a busy trust behind each other for seconds (docs/benchmarks.md): with several
   * nodes the batch is handed to the other nodes in one message instead, and each checks
   * and delivers it to its own sockets, where a dashboard that is not reading is seen too.
   */
  async function sendBatch(event: BatchedStaffEvent, changes: PendingChange[]) {
    const rooms = [...new Set(changes.map((c) => c.room))];
    for (const socket of await dashboards.local.in(rooms).fetchSockets()) {
      // What was held back for it is older than this batch: it goes first.
      const held = heldBack.get(socket)?.get(event) ?? [];
      heldBack.get(socket)?.delete(event);
      deliverBatch(socket, event, await allowedFor(socket, event, [...held, ...changes]));
    }
  }

  return {
    toAgents(to, event, payload) {
      agentsIn(to).emit(event, ...([payload] as Parameters<AgentServerToClient[typeof event]>));
    },
    toStaff(to, event, payload, options) {
      const channels = Array.isArray(to) ? to : [to as StaffChannel];
      if (channels.length === 0) return;
      if (deps.clustered) dashboards.serverSideEmit(pushFromNode, channels, event, payload, options?.except);
      enqueue(event, () => deliver(channels, event, payload, options?.except));
    },
    toStaffBatched(to, event, change, key) {
      let batch = pending.get(event);
      if (!batch) {
        const timer = setTimeout(() => flushSoon(event), limits.windowMs);
        // A batch waiting at shutdown is only a live message: it must not keep the process up.
        timer.unref();
        batch = { changes: [], timer };
        pending.set(event, batch);
      }
      batch.changes.push({ room: staffRoom(to), channel: to, key, change });
      if (batch.changes.length >= limits.maxChanges) {
        // A flood: the live view needs each device's newest state; if every change is a
        // different device's, they go out now rather than grow.
        batch.changes = newestPerKey(batch.changes);
        if (batch.changes.length >= limits.maxChanges / 2) flushSoon(event);
      }
    },
    toConnection(connection: AgentConnection, event, payload) {
      agents.to(connection.id).emit(event, ...([payload] as Parameters<AgentServerToClient[typeof event]>));
    },
    async staffIn(to) {
      const sockets = await dashboards.in(staffRoom(to)).fetchSockets();
      const users: SessionUser[] = [];
      for (const s of sockets) if (await scope.mayJoin(s.data.user, to)) users.push(s.data.user);
      return users;
    },
    async join(connection: Connection, to: AgentChannel | StaffChannel): Promise<void> {
      if (connection.kind === 'agent' && isAgentChannel(to)) {
        const room = agentRoom(to);
        if (room !== null) agents.in(connection.id).socketsJoin(room);
      } else if (connection.kind === 'staff' && !isAgentChannel(to)) {
        if (!(await scope.mayJoin(connection.user, to))) {
          throw new HarbourError(
            'forbidden',
            to.kind === 'room' || to.kind === 'activity'
              ? 'You can only watch rooms you are assigned to.'
              : 'You may not open this live channel.',
          );
        }
        dashboards.in(connection.id).socketsJoin(staffRoom(to));
      } else {
        throw new Error(`a ${connection.kind} connection cannot join ${to.kind}`);
      }
    },
    leave(connection, to) {
      dashboards.in(connection.id).socketsLeave(staffRoom(to));
      return Promise.resolve();
    },
    disconnect(to) {
      if (isAgentChannel(to)) agentsIn(to).disconnectSockets(true);
      else dashboards.in(staffRoom(to)).disconnectSockets(true);
    },
  };
}
