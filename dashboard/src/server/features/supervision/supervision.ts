import { randomUUID } from 'node:crypto';
import {
  eyesTitle,
  type ControlAction,
  type ControlKind,
  type SupervisionSession,
  type SupervisionSettings,
  type SupervisionState,
  type UiLanguage,
  uiLanguageSchema,
} from '@harbour/shared';
import type { SessionUser } from '../../core/identity.js';
import { channel, type Push } from '../../core/ports.js';
import {
  deviceIdsInRoom,
  isRoomStaff,
  roomVisibleTo,
  sessionsInRoom,
  type DeviceHub,
} from '../devices/index.js';
import type { Db } from '../../db/database.js';
import { classesTaughtBy, classRoom, peopleOf } from '../roster/index.js';
import { HarbourError, notFound } from '../../core/errors.js';
import { audit } from '../../core/audit.js';

/** What supervision's services need: the database, live pushes, and who is connected. */
export interface SupervisionPorts {
  db: Db;
  push: Push;
  hub: Pick<DeviceHub, 'onlineOf'>;
  /** Starts making a sent message's read-aloud audio (in the background: never delays the message). */
  speak?: (action: ControlAction) => void;
  /** Controls' acknowledgement timers, cleared when the server stops (the next start marks them instead). */
  ackTimers?: Set<NodeJS.Timeout>;
}

/** How long a device has to acknowledge a control before it is marked "did not reach". */
export const controlAckTimeoutMs = 10_000;

const defaults: SupervisionSettings = { thumbnailsEnabled: true, thumbnailIntervalSeconds: 5 };

export async function supervisionSettings(db: Db): Promise<SupervisionSettings> {
  const rows = await db.selectFrom('supervision_settings').selectAll().execute();
  const map = Object.fromEntries(rows.map((r) => [r.key, JSON.parse(r.value) as unknown]));
  return {
    thumbnailsEnabled:
      typeof map.thumbnailsEnabled === 'boolean' ? map.thumbnailsEnabled : defaults.thumbnailsEnabled,
    thumbnailIntervalSeconds:
      typeof map.thumbnailIntervalSeconds === 'number'
        ? map.thumbnailIntervalSeconds
        : defaults.thumbnailIntervalSeconds,
  };
}

export async function saveSupervisionSettings(db: Db, change: Partial<SupervisionSettings>): Promise<void> {
  for (const [key, value] of Object.entries(change)) {
    if (value === undefined) continue;
    await db
      .insertInto('supervision_settings')
      .values({ key, value: JSON.stringify(value) })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(value) }))
      .execute();
  }
}

const sessionQuery = (db: Db) =>
  db
    .selectFrom('supervision_sessions as s')
    .innerJoin('rooms as r', 'r.id', 's.room_id')
    .innerJoin('users as u', 'u.id', 's.teacher_id')
    .select([
      's.id',
      's.room_id',
      'r.name as room_name',
      's.teacher_id',
      'u.display_name as teacher_name',
      's.started_at',
      's.ends_at',
      's.ended_at',
    ]);

type SessionRow = Awaited<ReturnType<ReturnType<typeof sessionQuery>['executeTakeFirstOrThrow']>>;

const toSession = (r: SessionRow): SupervisionSession => ({
  id: r.id,
  roomId: r.room_id,
  roomName: r.room_name,
  teacherId: r.teacher_id,
  teacherName: r.teacher_name,
  startedAt: r.started_at,
  endsAt: r.ends_at,
  endedAt: r.ended_at,
});

const nowIso = () => new Date().toISOString();

/** Sessions running now: started, not ended, and not past their end time. */
export async function runningSessions(
  db: Db,
  filter: { teacherId?: string; roomId?: string; schoolId?: number | null } = {},
) {
  let q = sessionQuery(db).where('s.ended_at', 'is', null).where('s.ends_at', '>', nowIso());
  if (filter.schoolId !== undefined && filter.schoolId !== null)
    q = q.where('r.school_id', '=', filter.schoolId);
  if (filter.teacherId) q = q.where('s.teacher_id', '=', filter.teacherId);
  if (filter.roomId) q = q.where('s.room_id', '=', filter.roomId);
  return (await q.orderBy('s.started_at').execute()).map(toSession);
}

export async function getSession(db: Db, id: string): Promise<SupervisionSession | undefined> {
  const row = await sessionQuery(db).where('s.id', '=', id).executeTakeFirst();
  return row && toSession(row);
}

/** Whether this member of staff may supervise (and control) this room. */
export async function maySupervise(db: Db, user: SessionUser, roomId: string): Promise<boolean> {
  if (user.role === 'dsl') return true;
  if (user.role !== 'teacher') return false;
  return isRoomStaff(db, roomId, user.id);
}

/** Who supervised a room at a moment (for incident records). */
export async function supervisorsAt(db: Db, roomId: string, at: string): Promise<string[]> {
  const rows = await db
    .selectFrom('supervision_sessions')
    .select('teacher_id')
    .where('room_id', '=', roomId)
    .where('started_at', '<=', at)
    .where((eb) => eb.or([eb('ended_at', 'is', null), eb('ended_at', '>=', at)]))
    .where('ends_at', '>=', at)
    .execute();
  return rows.map((r) => r.teacher_id);
}

/** When the lesson supervised in a room at a moment ends (its planned end, or when it was ended); null if none. */
export async function lessonEndAt(db: Db, roomId: string, at: string): Promise<string | null> {
  const row = await db
    .selectFrom('supervision_sessions')
    .select(['ends_at', 'ended_at'])
    .where('room_id', '=', roomId)
    .where('started_at', '<=', at)
    .where((eb) => eb.or([eb('ended_at', 'is', null), eb('ended_at', '>=', at)]))
    .where('ends_at', '>=', at)
    .orderBy('ends_at', 'desc')
    .executeTakeFirst();
  if (!row) return null;
  return row.ended_at !== null && row.ended_at < row.ends_at ? row.ended_at : row.ends_at;
}

/** What supervision asks of a device now (sent on change and whenever it connects). */
export async function stateForRoom(db: Db, roomId: string): Promise<SupervisionState> {
  const [running] = await runningSessions(db, { roomId });
  if (!running) return { supervised: false, thumbnails: null };
  const settings = await supervisionSettings(db);
  return {
    supervised: true,
    thumbnails: settings.thumbnailsEnabled
      ? { intervalSeconds: settings.thumbnailIntervalSeconds, maxWidth: 320 }
      : null,
  };
}

/** Tells every computer in a room what supervision asks of it now. */
export async function tellRoomDevices(ports: SupervisionPorts, roomId: string): Promise<void> {
  const state = await stateForRoom(ports.db, roomId);
  for (const id of await deviceIdsInRoom(ports.db, roomId)) {
    ports.push.toAgents(channel.device(id), 'supervision:state', state);
  }
}

export async function startSupervision(
  ports: SupervisionPorts,
  user: SessionUser,
  request: { roomId?: string | undefined; classId?: string | undefined; durationMinutes: number },
): Promise<SupervisionSession> {
  let roomId = request.roomId;
  if (request.classId) {
    // Another school's class answers as one that does not exist.
    const room = await classRoom(ports.db, request.classId, user.schoolId);
    if (room === undefined) throw notFound('Class');
    // A lesson for a class is its teachers' to start: a teacher who may use the room for other
    // reasons (assigned by hand) starts it for the room, not in another teacher's class's name.
    if (user.role === 'teacher' && !(await classesTaughtBy(ports.db, user.email)).includes(request.classId))
      throw new HarbourError('forbidden', 'You do not teach that class, so you cannot supervise it.');
    if (room === null)
      throw new HarbourError('conflict', 'That class has no room yet: an administrator or the DSL sets it.');
    roomId = room;
  }
  if (!roomId) throw notFound('Room');
  const input = {
    roomId,
    durationMinutes: request.durationMinutes,
    ...(request.classId && { classId: request.classId }),
  };
  // Another school's room answers as one that does not exist (core/tenancy.ts).
  if (!(await roomVisibleTo(ports.db, user, input.roomId))) throw notFound('Room');
  if (!(await maySupervise(ports.db, user, input.roomId))) {
    throw new HarbourError('forbidden', 'You are not one of the staff who may supervise this room.');
  }
  const [already] = await runningSessions(ports.db, { roomId: input.roomId });
  if (already) {
    throw new HarbourError(
      'conflict',
      `${already.teacherName} is already supervising this room until ${already.endsAt}.`,
    );
  }
  const now = new Date();
  const id = randomUUID();
  await ports.db
    .insertInto('supervision_sessions')
    .values({
      id,
      room_id: input.roomId,
      teacher_id: user.id,
      started_at: now.toISOString(),
      ends_at: new Date(now.getTime() + input.durationMinutes * 60_000).toISOString(),
      ended_at: null,
      ended_by: null,
    })
    .execute();
  await audit(ports.db, { actor: user.id, action: 'supervision.start', subject: id, detail: input });
  const session = (await getSession(ports.db, id))!;
  ports.push.toStaff(channel.room(session.roomId), 'supervision:changed', session);
  await tellRoomDevices(ports, session.roomId);
  return session;
}

export async function endSupervision(
  ports: SupervisionPorts,
  sessionId: string,
  by: SessionUser | 'timer',
): Promise<SupervisionSession> {
  const session = await getSession(ports.db, sessionId);
  if (!session) throw notFound('Supervised session');
  if (by !== 'timer' && by.role !== 'dsl' && by.id !== session.teacherId) {
    throw new HarbourError('forbidden', 'Only the supervising teacher or the DSL can end this session.');
  }
  if (session.endedAt) return session;
  const endedAt = by === 'timer' ? session.endsAt : nowIso();
  await ports.db
    .updateTable('supervision_sessions')
    .set({ ended_at: endedAt, ended_by: by === 'timer' ? 'timer' : by.id })
    .where('id', '=', sessionId)
    .where('ended_at', 'is', null)
    .execute();
  await audit(ports.db, {
    actor: by === 'timer' ? 'system' : by.id,
    action: 'supervision.end',
    subject: sessionId,
  });
  const ended = (await getSession(ports.db, sessionId))!;
  ports.push.toStaff(channel.room(ended.roomId), 'supervision:changed', ended);
  // Nothing a teacher put on the screens outlives the lesson.
  const covered = await ports.db
    .selectFrom('control_actions')
    .select('kind')
    .where('session_id', '=', sessionId)
    .where('kind', 'in', ['cover', 'release'])
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  const devices = await deviceIdsInRoom(ports.db, ended.roomId);
  if (covered?.kind === 'cover') {
    for (const id of devices) {
      ports.push.toAgents(channel.device(id), 'control:apply', {
        actionId: randomUUID(),
        kind: 'release',
        message: null,
        teacherName: ended.teacherName,
      });
    }
  }
  await tellRoomDevices(ports, ended.roomId);
  return ended;
}

/** Ends sessions whose time is up. Run by a timer; safe to run at any time. */
export async function endExpiredSessions(ports: SupervisionPorts): Promise<number> {
  const expired = await ports.db
    .selectFrom('supervision_sessions')
    .select('id')
    .where('ended_at', 'is', null)
    .where('ends_at', '<=', nowIso())
    .execute();
  for (const s of expired) await endSupervision(ports, s.id, 'timer');
  return expired.length;
}

/** The pupils supervised in a session: device sessions in the room that overlap it. */
export async function supervisedPupils(db: Db, session: SupervisionSession) {
  const end = session.endedAt ?? session.endsAt;
  const rows = await sessionsInRoom(db, session.roomId, session.startedAt, end);
  // The room's school's pupils: the same login at another school is another child.
  const people = await peopleOf(
    db,
    rows.map((r) => ({ login: r.username, roomId: session.roomId })),
  );
  return rows.map((r) => ({
    deviceId: r.device_id,
    hostname: r.hostname,
    username: r.username,
    person: people.of({ login: r.username, roomId: session.roomId }),
    from: r.started_at < session.startedAt ? session.startedAt : r.started_at,
    to: r.ended_at && r.ended_at < end ? r.ended_at : session.endedAt,
  }));
}

// ---- controls ------------------------------------------------------------------

export async function loadAction(db: Db, actionId: string): Promise<ControlAction | undefined> {
  const a = await db
    .selectFrom('control_actions as a')
    .innerJoin('users as u', 'u.id', 'a.actor_id')
    .select([
      'a.id',
      'a.session_id',
      'a.room_id',
      'a.kind',
      'a.message',
      'a.language',
      'a.actor_id',
      'u.display_name',
      'a.created_at',
    ])
    .where('a.id', '=', actionId)
    .executeTakeFirst();
  if (!a) return undefined;
  const targets = await db
    .selectFrom('control_targets as t')
    .innerJoin('devices as d', 'd.id', 't.device_id')
    .select(['t.device_id', 'd.hostname', 't.state', 't.at'])
    .where('t.action_id', '=', actionId)
    .orderBy('d.hostname')
    .execute();
  return {
    id: a.id,
    sessionId: a.session_id,
    roomId: a.room_id,
    kind: a.kind,
    message: a.message,
    language: uiLanguageOrNull(a.language),
    actorId: a.actor_id,
    actorName: a.display_name,
    createdAt: a.created_at,
    targets: targets.map((t) => ({ deviceId: t.device_id, hostname: t.hostname, state: t.state, at: t.at })),
  };
}

export async function listActions(db: Db, sessionId: string): Promise<ControlAction[]> {
  const ids = await db
    .selectFrom('control_actions')
    .select('id')
    .where('session_id', '=', sessionId)
    .orderBy('created_at', 'desc')
    .execute();
  return (await Promise.all(ids.map((r) => loadAction(db, r.id)))).filter((a): a is ControlAction => !!a);
}

/**
 * Sends a teacher's control to devices in the supervised room. Offline devices are marked
 * "did not reach" at once; online ones that don't acknowledge in time are marked too.
 */
export async function sendControl(
  ports: SupervisionPorts,
  user: SessionUser,
  sessionId: string,
  input: {
    kind: ControlKind;
    deviceIds?: string[] | undefined;
    message?: string | undefined;
    language?: UiLanguage | undefined;
  },
): Promise<ControlAction> {
  const session = await getSession(ports.db, sessionId);
  if (!session) throw notFound('Supervised session');
  if (user.role !== 'dsl' && user.id !== session.teacherId) {
    throw new HarbourError('forbidden', 'Only the teacher supervising this room can use its controls.');
  }
  if (session.endedAt || session.endsAt <= nowIso()) {
    throw new HarbourError('conflict', 'This supervised session has ended; start a new one first.');
  }
  const inRoom = new Set(await deviceIdsInRoom(ports.db, session.roomId, { includeRevoked: false }));
  const chosen = input.deviceIds ?? [...inRoom];
  const strangers = chosen.filter((id) => !inRoom.has(id));
  if (strangers.length > 0) {
    throw new HarbourError('bad_request', `These devices are not in this room: ${strangers.join(', ')}.`);
  }
  if (chosen.length === 0) throw new HarbourError('conflict', 'There are no devices in this room.');
  const id = randomUUID();
  const at = nowIso();
  const online = await ports.hub.onlineOf(chosen);
  await ports.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('control_actions')
      .values({
        id,
        session_id: sessionId,
        room_id: session.roomId,
        kind: input.kind,
        message:
          input.kind === 'message'
            ? (input.message ?? null)
            : input.kind === 'cover'
              ? (input.message ?? null)
              : null,
        language: input.kind !== 'release' && input.message ? (input.language ?? null) : null,
        actor_id: user.id,
        created_at: at,
      })
      .execute();
    await trx
      .insertInto('control_targets')
      .values(
        chosen.map((deviceId) => ({
          action_id: id,
          device_id: deviceId,
          state: online.has(deviceId) ? ('sent' as const) : ('not_reached' as const),
          at,
        })),
      )
      .execute();
  });
  await audit(ports.db, {
    actor: user.id,
    action: `control.${input.kind}`,
    subject: id,
    detail: { devices: chosen.length },
  });
  const action = (await loadAction(ports.db, id))!;
  for (const target of action.targets) {
    if (target.state !== 'sent') continue;
    ports.push.toAgents(channel.device(target.deviceId), 'control:apply', {
      actionId: id,
      kind: action.kind,
      message: action.message,
      language: action.language,
      teacherName: user.displayName,
    });
  }
  ports.speak?.(action);
  ports.push.toStaff(channel.room(session.roomId), 'control:updated', action);
  const timer = setTimeout(() => {
    ports.ackTimers?.delete(timer);
    void markUnacknowledged(ports, id);
  }, controlAckTimeoutMs);
  timer.unref();
  ports.ackTimers?.add(timer);
  return action;
}

export async function acknowledgeControl(
  ports: SupervisionPorts,
  deviceId: string,
  actionId: string,
): Promise<void> {
  const result = await ports.db
    .updateTable('control_targets')
    .set({ state: 'acknowledged', at: nowIso() })
    .where('action_id', '=', actionId)
    .where('device_id', '=', deviceId)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) {
    // Releases sent when a session ends carry their own ids and are not recorded actions.
    const release = await ports.db
      .selectFrom('control_actions')
      .select('id')
      .where('id', '=', actionId)
      .executeTakeFirst();
    if (release) throw new HarbourError('forbidden', 'That control was not sent to this device.');
    return;
  }
  const action = await loadAction(ports.db, actionId);
  if (action) ports.push.toStaff(channel.room(action.roomId), 'control:updated', action);
}

/**
 * Controls still "sent" from before a restart (their timer died with the old process) did
 * not reach their computers: say so, so that no teacher waits for an answer that cannot come.
 */
export async function markStaleControls(ports: SupervisionPorts): Promise<number> {
  const before = new Date(Date.now() - controlAckTimeoutMs).toISOString();
  const result = await ports.db
    .updateTable('control_targets')
    .set({ state: 'not_reached', at: nowIso() })
    .where('state', '=', 'sent')
    .where('at', '<', before)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

async function markUnacknowledged(ports: SupervisionPorts, actionId: string): Promise<void> {
  await ports.db
    .updateTable('control_targets')
    .set({ state: 'not_reached', at: nowIso() })
    .where('action_id', '=', actionId)
    .where('state', '=', 'sent')
    .execute();
  const action = await loadAction(ports.db, actionId);
  if (action) ports.push.toStaff(channel.room(action.roomId), 'control:updated', action);
}

/**
 * The words a control's read-aloud says: a message's text, or eyes-on-me's title and then
 * the teacher's message; null where the screen has only fixed words (or there is no screen).
 */
export function controlSpokenText(
  action: Pick<ControlAction, 'kind' | 'message'>,
  language: UiLanguage,
): string | null {
  const message = action.message?.trim();
  if (!message) return null;
  if (action.kind === 'message') return message;
  if (action.kind === 'cover') return `${eyesTitle[language]}\n${message}`;
  return null;
}

/**
 * What a control's clip says and in which voice: the language the teacher wrote the
 * message in (a Welsh message in an English-medium school is read by the Welsh voice,
 * eyes-on-me's title with it), else the school's.
 */
export function controlSpeech(
  action: Pick<ControlAction, 'kind' | 'message' | 'language'>,
  schoolLanguage: UiLanguage,
): { text: string; language: UiLanguage } | null {
  const language = action.language ?? schoolLanguage;
  const text = controlSpokenText(action, language);
  return text ? { text, language } : null;
}

/** A stored language, if it is one Harbour speaks (the column is free text to the database). */
function uiLanguageOrNull(value: string | null): UiLanguage | null {
  const parsed = uiLanguageSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** A control's text for a device it was sent to; not found for any other device. */
export async function controlForDevice(
  db: Db,
  actionId: string,
  deviceId: string,
): Promise<Pick<ControlAction, 'kind' | 'message' | 'language'>> {
  const row = await db
    .selectFrom('control_actions as a')
    .innerJoin('control_targets as t', 't.action_id', 'a.id')
    .select(['a.kind', 'a.message', 'a.language'])
    .where('a.id', '=', actionId)
    .where('t.device_id', '=', deviceId)
    .executeTakeFirst();
  // The same answer whether the action does not exist or went to another computer.
  if (!row) throw notFound('Message');
  return { kind: row.kind, message: row.message, language: uiLanguageOrNull(row.language) };
}
