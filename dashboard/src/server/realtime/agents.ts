import {
  agentAuthSchema,
  agentRequests,
  formatOsUser,
  parseWith,
  type AgentClientToServer,
  type AgentEvent,
  type AgentServerToClient,
} from '@harbour/shared';
import type { Logger } from 'pino';
import type { Namespace } from 'socket.io';
import { authenticateDevice } from '../auth/devices.js';
import type { ServerContext } from '../context.js';
import type { Db } from '../db/database.js';
import { inGroupTransaction } from '../db/group-commit.js';
import { storeTellDetails, storeTellReported } from '../services/tell.js';
import { HarbourError } from '../http/errors.js';
import { recordActivityChange } from '../services/activity.js';
import type { ActivityHub } from '../services/activity-hub.js';
import { agentActivityConfig } from '../services/agent-activity.js';
import { recordFlag } from '../services/flags.js';
import { reportHealth } from '../services/health.js';
import { acknowledgeControl, stateForRoom } from '../services/supervision.js';
import { dispatch, type Handlers } from './dispatch.js';
import { tellAgentHandlers } from './tell-agent.js';
import * as aup from '../services/aup.js';

export type AgentNamespace = Namespace<
  AgentClientToServer,
  AgentServerToClient,
  Record<string, never>,
  AgentSocketData
>;
interface AgentSocketData {
  deviceId: string;
}

export const deviceRoom = (deviceId: string) => `device:${deviceId}`;

/** A device's connection: authenticated by its credential in the handshake. */
export function setUpAgentNamespace(nsp: AgentNamespace, ctx: ServerContext, log: Logger): void {
  nsp.use((socket, next) => {
    const parsed = parseWith(agentAuthSchema, socket.handshake.auth);
    const refuse = (code: string, message: string) => {
      log.warn({ code, ip: socket.handshake.address, reason: message }, 'agent connection refused');
      next(Object.assign(new Error(message), { data: { code } }));
    };
    if (!parsed.ok) return refuse('unauthenticated', 'Device credentials are missing or malformed.');
    const { deviceId, credential } = parsed.value;
    authenticateDevice(ctx.db, deviceId, credential)
      .then((result) => {
        if (!result.ok) return refuse(result.code, result.message);
        socket.data.deviceId = deviceId;
        next();
      })
      .catch((error: unknown) => {
        log.error({ err: error }, 'agent authentication failed');
        next(new Error('Server error'));
      });
  });

  nsp.on('connection', (socket) => {
    const { deviceId } = socket.data;
    const agentVersion = parseWith(agentAuthSchema, socket.handshake.auth);
    const deviceLog = log.child({ deviceId });
    void socket.join(deviceRoom(deviceId));
    void ctx.hub.connected(deviceId, agentVersion.ok ? agentVersion.value.agentVersion : 'unknown');
    void ctx.db
      .selectFrom('devices')
      .select('room_id')
      .where('id', '=', deviceId)
      .executeTakeFirst()
      .then(async (row) => row && socket.emit('supervision:state', await stateForRoom(ctx.db, row.room_id)))
      .catch((error: unknown) => deviceLog.error({ err: error }, 'could not send supervision state'));
    deviceLog.info('agent connected');
    socket.on('disconnect', (reason) => {
      deviceLog.info({ reason }, 'agent disconnected');
      void ctx.hub.disconnected(deviceId);
    });

    const handlers: Handlers<typeof agentRequests, string> = {
      'agent:presence': async ({ user }, id) => {
        await ctx.hub.setUser(id, user ? formatOsUser(user) : null);
        return {};
      },
      'agent:goodbye': async ({ user }, id) => {
        await ctx.hub.stoppedInUse(id, formatOsUser(user));
        return {};
      },
      'agent:heartbeat': async (_payload, id) => {
        await ctx.hub.touch(id);
        return { serverTime: new Date().toISOString() };
      },
      'agent:event': async (event, id) => {
        const stored = await storeEvent(ctx.db, id, event, ctx.activity);
        if (stored && event.body.type === 'tell.reported')
          await alertNewTell(ctx, event.body.tellId, event.id);
        if (stored && event.body.type === 'aup.decision') await ctx.hub.refresh(id);
        return { duplicate: !stored };
      },
      ...tellAgentHandlers(ctx),
      'agent:activity-config': async () => agentActivityConfig(ctx.db),
      'agent:control-ack': async ({ actionId }, id) => {
        await acknowledgeControl(ctx, id, actionId);
        return {};
      },
      'agent:thumbnail': async (thumbnail, id) => {
        const device = await ctx.db
          .selectFrom('devices')
          .select('room_id')
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
        // Thumbnails exist only while a teacher supervises the room and the school allows them;
        // they are relayed to the live view and never stored.
        const state = await stateForRoom(ctx.db, device.room_id);
        if (!state.thumbnails)
          throw new HarbourError('forbidden', 'This room is not supervised with thumbnails now.');
        ctx.push.room(device.room_id, 'device:thumbnail', {
          ...thumbnail,
          deviceId: id,
          roomId: device.room_id,
        });
        return {};
      },
      'agent:health': async ({ problems }, id) => {
        await reportHealth(ctx.db, id, problems);
        if (problems.length > 0) deviceLog.warn({ problems }, 'agent reports health problems');
        return {};
      },
      'aup:bundle': async () => aup.bundle(ctx.db),
      'aup:decisions': async ({ user }) => aup.userDecisions(ctx.db, user),
    };
    dispatch(socket, agentRequests, handlers, deviceId, deviceLog);
  });
}

/**
 * Stores an outbox event once: the (device, event id) primary key makes a redelivered
 * event a no-op. Returns false for a duplicate. Side effects of the event run in the
 * same transaction, so they too happen exactly once. Events arriving together share one
 * transaction (group commit), each in its own savepoint.
 */
export async function storeEvent(
  db: Db,
  deviceId: string,
  event: AgentEvent,
  activity?: ActivityHub,
): Promise<boolean> {
  /** Live pushes and notifications, run only once the transaction has committed. */
  const afterCommit: (() => void)[] = [];
  const stored = await inGroupTransaction(db, async (trx) => {
    const inserted = await trx
      .insertInto('agent_events')
      .values({
        device_id: deviceId,
        event_id: event.id,
        type: event.body.type,
        occurred_at: event.occurredAt,
        received_at: new Date().toISOString(),
        body: JSON.stringify(event.body),
      })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return false;
    const body = event.body;
    switch (body.type) {
      case 'session.started':
        await trx
          .insertInto('device_sessions')
          .values({
            device_id: deviceId,
            username: formatOsUser(body.user),
            started_at: event.occurredAt,
            ended_at: null,
          })
          .execute();
        break;
      case 'session.ended':
        await trx
          .updateTable('device_sessions')
          .set({ ended_at: event.occurredAt })
          .where('device_id', '=', deviceId)
          .where('username', '=', formatOsUser(body.user))
          .where('ended_at', 'is', null)
          .execute();
        break;
      case 'tell.reported':
        await storeTellReported(trx, deviceId, event, body);
        break;
      case 'tell.details':
        await storeTellDetails(trx, deviceId, body);
        break;
      case 'aup.decision':
        await aup.recordDecision(trx, deviceId, { ...event, body });
        break;
      case 'activity.changed': {
        const current = await recordActivityChange(trx, deviceId, event.occurredAt, body);
        afterCommit.push(() => activity?.activityChanged(current));
        break;
      }
      case 'activity.flag': {
        const flag = await recordFlag(trx, deviceId, event, body);
        await activity?.flagStored(trx, flag);
        afterCommit.push(() => activity?.flagRaised(flag));
        break;
      }
    }
    return true;
  });
  for (const effect of afterCommit) effect();
  return stored;
}

/** After a pupil's report is committed: alert the DSL and the room's teachers at once. */
async function alertNewTell(ctx: ServerContext, tellId: string, eventId: string): Promise<void> {
  const row = await ctx.db
    .selectFrom('incidents')
    .select('id')
    .where('tell_id', '=', tellId)
    .where('source_ref', '=', eventId)
    .executeTakeFirst();
  if (row) await ctx.incidentEvents.created(row.id);
}
