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
import { activeStaff, countExisting } from '../accounts/index.js';
import { roomStaff, roomVisibleTo, setRoomStaff } from '../devices/index.js';
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

/** Teachers see their own sessions; the DSL and admins see every one. */
async function visibleSession(db: Db, user: SessionUser, id: string) {
  const session = await getSession(db, id);
  if (!session) throw notFound('Supervised session');
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
        sessions: await runningSessions(db, user.role === 'teacher' ? { teacherId: user.id } : {}),
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
    async (request) => endSupervision(ports, request.params.id, currentUser(request)),
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
    async (request, reply) =>
      reply.status(201).send(await sendControl(ports, currentUser(request), request.params.id, request.body)),
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
      if ((await countExisting(db, userIds)) !== userIds.length)
        throw new HarbourError('bad_request', 'Some of those staff accounts do not exist.');
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
    async () => {
      const rows = await activeStaff(db, ['teacher', 'dsl']);
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
      config: { access: 'manageSupervision' },
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
