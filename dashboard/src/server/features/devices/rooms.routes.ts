import { randomUUID } from 'node:crypto';
import { createRoomRequestSchema, roomListSchema, roomSchema, type Room } from '@harbour/shared';
import type { Selectable } from 'kysely';
import type { App, ServerContext } from '../../context.js';
import type { RoomsTable } from '../../db/schema.js';
import { HarbourError } from '../../core/errors.js';
import { currentUser } from '../../http/plumbing.js';
import { audit } from '../../core/audit.js';

export const toRoom = (row: Selectable<RoomsTable>): Room => ({
  id: row.id,
  name: row.name,
  createdAt: row.created_at,
});

export function roomRoutes(app: App, ctx: ServerContext): void {
  app.get(
    '/api/rooms',
    {
      config: { access: 'viewRooms' },
      schema: { summary: 'List rooms', tags: ['rooms'], response: { 200: roomListSchema } },
    },
    async () => {
      const rows = await ctx.db.selectFrom('rooms').selectAll().orderBy('name').execute();
      return { rooms: rows.map(toRoom) };
    },
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
    async (request, reply) => {
      const actor = currentUser(request);
      const { name } = request.body;
      const clash = await ctx.db.selectFrom('rooms').select('id').where('name', '=', name).executeTakeFirst();
      if (clash) throw new HarbourError('conflict', `There is already a room called "${name}".`);
      const row = { id: randomUUID(), name, created_at: new Date().toISOString() };
      await ctx.db.insertInto('rooms').values(row).execute();
      await audit(ctx.db, { actor: actor.id, action: 'room.create', subject: row.id });
      return reply.status(201).send(toRoom(row));
    },
  );
}
