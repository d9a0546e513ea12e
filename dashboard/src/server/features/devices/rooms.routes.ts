import { createRoomRequestSchema, roomListSchema, roomSchema } from '@harbour/shared';
import type { App } from '../../core/feature.js';
import type { Db } from '../../db/database.js';
import { currentUser } from '../../http/plumbing.js';
import { createRoom } from './rooms.js';
import { listRooms, toRoom } from './rooms.repository.js';

export function roomRoutes(app: App, db: Db): void {
  app.get(
    '/api/rooms',
    {
      config: { access: 'viewRooms' },
      schema: { summary: 'List rooms', tags: ['rooms'], response: { 200: roomListSchema } },
    },
    async (request) => ({ rooms: (await listRooms(db, currentUser(request).schoolId)).map(toRoom) }),
  );

  app.post(
    '/api/rooms',
    {
      config: { access: 'manageRooms' },
      schema: {
        summary: 'Create a room',
        tags: ['rooms'],
        body: createRoomRequestSchema,
        response: { 201: roomSchema },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await createRoom(db, currentUser(request), request.body.name, request.body.schoolId)),
  );
}
