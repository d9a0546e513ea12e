import {
  controlActionListSchema,
  controlActionSchema,
  controlRequestSchema,
  idParamsSchema,
  roomStaffSchema,
  setRoomStaffRequestSchema,
  staffOptionListSchema,
  startSupervisionRequestSchema,
  supervisionDetailSchema,
  supervisionListSchema,
  supervisionSessionSchema,
  supervisionSettingsSchema,
  updateSupervisionSettingsSchema,
} from '@harbour/shared';
import type { SessionUser } from '../../core/identity.js';
import type { App } from '../../core/feature.js';
import type { Db } from '../../db/database.js';
import { activeStaff, schoolsOfAccounts } from '../accounts/index.js';
import { roomStaff, roomVisibleTo, schoolOfRoom, setRoomStaff } from '../devices/index.js';
import { HarbourError, notFound } from '../../core/errors.js';
import { currentUser } from '../../http/plumbing.js';
import { audit } from '../../core/audit.js';
import {
  endSupervision,
  getSession,
  listActions,
  runningSessions,
  saveSupervisionSettings,
  sendControl,
  startSupervision,
  tellRoomDevices,
  type SupervisionPorts,
  supervisedPupils,
  supervisionSettings,
} from './supervision.js';

/**
 * A session of a room in `user`'s school (any for trust-level staff): another school's
 * answers 404, as one that does not exist (core/tenancy.ts).
 */
async function sessionInSchool(db: Db, user: SessionUser, id: string) {
  const session = await getSession(db, id);
  if (!session || !(await roomVisibleTo(db, user, session.roomId))) throw notFound('Supervised session');
  return session;
}

/** Teachers see their own sessions; the DSL and admins see every one of their school. */
async function visibleSession(db: Db, user: SessionUser, id: string) {
  const session = await sessionInSchool(db, user, id);
  if (user.role === 'teacher' && session.teacherId !== user.id) {
    throw new HarbourError('forbidden', 'This is another teacher’s supervised session.');
  }
  return session;
}

export function supervisionRoutes(app: App, ports: SupervisionPorts): void {
  const { db } = ports;
  app.get(
    '/api/supervision',
    {
      config: { access: 'viewSupervision' },
      schema: {
        summary: 'Supervised sessions running now (teachers: their own; DSL and admins: all)',
        tags: ['supervision'],
        response: { 200: supervisionListSchema },
      },
    },
    async (request) => {
      const user = currentUser(request);
      return {
        sessions: await runningSessions(db, {
          ...(user.role === 'teacher' && { teacherId: user.id }),
          schoolId: user.schoolId,
        }),
      };
    },
  );

  app.post(
    '/api/supervision',
    {
      config: { access: 'supervise' },
      schema: {
        summary: 'Start supervising a room; it ends by itself after durationMinutes',
        tags: ['supervision'],
        body: startSupervisionRequestSchema,
        response: { 201: supervisionSessionSchema },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await startSupervision(ports, currentUser(request), request.body)),
  );

  app.get(
    '/api/supervision/:id',
    {
      config: { access: 'viewSupervision' },
      schema: {
        summary: 'A supervised session with the pupils it covered (who was supervised, when)',
        tags: ['supervision'],
        params: idParamsSchema,
        response: { 200: supervisionDetailSchema },
      },
    },
    async (request) => {
      const session = await visibleSession(db, currentUser(request), request.params.id);
      return { ...session, pupils: await supervisedPupils(db, session) };
    },
  );

  app.post(
    '/api/supervision/:id/end',
    {
      config: { access: 'supervise' },
      schema: {
        summary: 'End a supervised session now',
        tags: ['supervision'],
        params: idParamsSchema,
        response: { 200: supervisionSessionSchema },
      },
    },
    async (request) => {
      const user = currentUser(request);
      await sessionInSchool(db, user, request.params.id);
      return endSupervision(ports, request.params.id, user);
    },
  );

  app.post(
    '/api/supervision/:id/controls',
    {
      config: { access: 'supervise' },
      schema: {
        summary: 'Eyes on me (cover), release, or a message, to the whole room or chosen devices',
        tags: ['supervision'],
        params: idParamsSchema,
        body: controlRequestSchema,
        response: { 201: controlActionSchema },
      },
    },
    async (request, reply) => {
      const user = currentUser(request);
      // Nothing reaches another school's computers: its session answers 404 first.
      await sessionInSchool(db, user, request.params.id);
      return reply.status(201).send(await sendControl(ports, user, request.params.id, request.body));
    },
  );

  app.get(
    '/api/supervision/:id/controls',
    {
      config: { access: 'viewSupervision' },
      schema: {
        summary: 'The controls used in a session, with what each device acknowledged',
        tags: ['supervision'],
        params: idParamsSchema,
        response: { 200: controlActionListSchema },
      },
    },
    async (request) => {
      const session = await visibleSession(db, currentUser(request), request.params.id);
      return { actions: await listActions(db, session.id) };
    },
  );

  app.get(
    '/api/rooms/:id/staff',
    {
      config: { access: 'manageSupervision' },
      schema: {
        summary: 'The staff who may supervise a room',
        tags: ['supervision'],
        params: idParamsSchema,
        response: { 200: roomStaffSchema },
      },
    },
    async (request) => {
      if (!(await roomVisibleTo(db, currentUser(request), request.params.id))) throw notFound('Room');
      return { userIds: await roomStaff(db, request.params.id) };
    },
  );

  app.put(
    '/api/rooms/:id/staff',
    {
      config: { access: 'manageSupervision' },
      schema: {
        summary: 'Set the staff who may supervise a room',
        tags: ['supervision'],
        params: idParamsSchema,
        body: setRoomStaffRequestSchema,
        response: { 200: roomStaffSchema },
      },
    },
    async (request) => {
      const actor = currentUser(request);
      const roomId = request.params.id;
      // Another school's room answers as one that does not exist (core/tenancy.ts).
      if (!(await roomVisibleTo(db, actor, roomId))) throw notFound('Room');
      const userIds = [...new Set(request.body.userIds)];
      const schools = await schoolsOfAccounts(db, userIds);
      if (schools.size !== userIds.length)
        throw new HarbourError('bad_request', 'Some of those staff accounts do not exist.');
      // Only the room's school's staff, or trust-level staff, may supervise it.
      const roomSchool = await schoolOfRoom(db, roomId);
      if ([...schools.values()].some((s) => s !== null && s !== roomSchool))
        throw new HarbourError('bad_request', 'Some of those staff are of another school than the room.');
      await setRoomStaff(db, roomId, userIds);
      await audit(db, { actor: actor.id, action: 'room.staff', subject: roomId, detail: { userIds } });
      return { userIds };
    },
  );

  app.get(
    '/api/supervision/staff',
    {
      config: { access: 'manageSupervision' },
      schema: {
        summary: 'Active staff who can be allowed to supervise rooms (teachers and the DSL)',
        tags: ['supervision'],
        response: { 200: staffOptionListSchema },
      },
    },
    async (request) => {
      // A school's own staff and trust-level staff: no one else may be assigned its rooms.
      const rows = await activeStaff(db, ['teacher', 'dsl'], currentUser(request).schoolId);
      return { staff: rows.map((r) => ({ id: r.id, displayName: r.display_name, role: r.role })) };
    },
  );

  app.get(
    '/api/supervision-settings',
    {
      config: { access: 'viewSupervision' },
      schema: {
        summary: 'Supervision settings',
        tags: ['supervision'],
        response: { 200: supervisionSettingsSchema },
      },
    },
    async () => supervisionSettings(db),
  );

  app.patch(
    '/api/supervision-settings',
    {
      config: { access: 'manageSupervision', trustWide: true },
      schema: {
        summary: 'Change supervision settings (thumbnails on or off, and how often)',
        tags: ['supervision'],
        body: updateSupervisionSettingsSchema,
        response: { 200: supervisionSettingsSchema },
      },
    },
    async (request) => {
      const actor = currentUser(request);
      await saveSupervisionSettings(db, request.body);
      await audit(db, { actor: actor.id, action: 'supervision.settings', detail: request.body });
      // Devices in supervised rooms follow the new thumbnail setting at once.
      for (const session of await runningSessions(db)) await tellRoomDevices(ports, session.roomId);
      return supervisionSettings(db);
    },
  );
}
