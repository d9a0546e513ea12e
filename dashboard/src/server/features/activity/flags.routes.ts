import {
  flagEvidenceParamsSchema,
  flagListQuerySchema,
  flagListSchema,
  sniffEvidenceMime,
} from '@harbour/shared';
import type { App } from '../../core/feature.js';
import type { Db } from '../../db/database.js';
import { notFound } from '../../core/errors.js';
import { currentUser } from '../../http/plumbing.js';
import { audit } from '../../core/audit.js';
import type { EvidenceRules } from '../evidence/index.js';
import { activityRooms, assertActivityRoom, checkActivityRoom } from './scope.js';
import { getFlagById, listFlags } from './flags.js';

/** Flags raised by watch-list matches. Reading them is audited. */
export function flagRoutes(app: App, db: Db, rules: EvidenceRules): void {
  app.get(
    '/api/flags',
    {
      config: { access: 'viewFlags' },
      schema: {
        summary: 'Flags, newest first, optionally for one room or device and time range',
        tags: ['flags'],
        querystring: flagListQuerySchema,
        response: { 200: flagListSchema },
      },
    },
    async (request) => {
      const actor = currentUser(request);
      const roomIds = await activityRooms(db, actor);
      if (request.query.roomId) checkActivityRoom(roomIds, request.query.roomId);
      const flags = await listFlags(db, { ...request.query, roomIds });
      await audit(db, {
        actor: actor.id,
        action: 'flags.read',
        detail: { ...request.query, rows: flags.length },
      });
      return { flags };
    },
  );

  app.get(
    '/api/flags/:id/evidence/:sha256',
    {
      config: { access: 'viewFlags' },
      schema: {
        summary: "One of a flag's screenshots (audited; the file's hash is checked on every read)",
        tags: ['flags'],
        params: flagEvidenceParamsSchema,
      },
    },
    async (request, reply) => {
      const actor = currentUser(request);
      const { id, sha256 } = request.params;
      const flag = await getFlagById(db, id);
      if (!flag?.evidence.some((e) => e.sha256 === sha256)) throw notFound('Screenshot');
      await assertActivityRoom(db, actor, flag.roomId);
      const bytes = await rules.open(actor, sha256, { kind: 'flag', flagId: id, deviceId: flag.deviceId });
      // The bytes say what they are (the store checked them on upload).
      const mime = sniffEvidenceMime(bytes) ?? 'application/octet-stream';
      return reply
        .header('content-type', mime)
        .header('cache-control', 'private, no-store')
        .header(
          'content-disposition',
          `inline; filename="flag-${id}-${sha256.slice(0, 12)}.${mime === 'image/jpeg' ? 'jpg' : 'png'}"`,
        )
        .send(bytes);
    },
  );
}
