import {
  flagCountsSchema,
  flagDismissSchema,
  flagEscalateSchema,
  flagEvidenceParamsSchema,
  flagLinkSchema,
  flagListQuerySchema,
  flagListSchema,
  flagSchema,
  flagTriageResultSchema,
  idParamsSchema,
  sniffEvidenceMime,
} from '@harbour/shared';
import type { App } from '../../core/feature.js';
import { withPeople, type People } from './people.js';
import type { Db } from '../../db/database.js';
import { notFound } from '../../core/errors.js';
import { currentUser } from '../../http/plumbing.js';
import { audit } from '../../core/audit.js';
import type { EvidenceRules } from '../evidence/index.js';
import { activityRooms, assertActivityRoom, checkActivityRoom } from './scope.js';
import { flagOccurrences, getFlagById, listFlags, openFlagCount } from './flags.js';
import type { ActivityHub } from './hub.js';
import { triageFlag, type Triage } from './triage.js';

/** Flags raised by watch-list matches, and the DSL's triage of them. Reading them is audited. */
export function flagRoutes(app: App, db: Db, rules: EvidenceRules, hub: ActivityHub, people: People): void {
  app.get(
    '/api/flags/counts',
    {
      config: { access: 'viewFlags' },
      schema: {
        summary: 'How many flags (in the rooms you may read) wait for triage',
        tags: ['flags'],
        response: { 200: flagCountsSchema },
      },
    },
    async (request) => {
      const roomIds = await activityRooms(db, currentUser(request));
      return { open: await openFlagCount(db, roomIds) };
    },
  );

  app.get(
    '/api/flags/:id',
    {
      config: { access: 'viewFlags' },
      schema: {
        summary: 'One flag with its later occurrences',
        tags: ['flags'],
        params: idParamsSchema,
        response: { 200: flagSchema },
      },
    },
    async (request) => {
      const actor = currentUser(request);
      const flag = await getFlagById(db, request.params.id);
      if (!flag) throw notFound('Flag');
      await assertActivityRoom(db, actor, flag.roomId, 'Flag');
      await audit(db, { actor: actor.id, action: 'flags.read', subject: flag.id });
      return { ...flag, repeats: await flagOccurrences(db, flag.id) };
    },
  );

  const triageRoute = (
    action: Triage['action'],
    body: typeof flagDismissSchema | typeof flagEscalateSchema | typeof flagLinkSchema,
    summary: string,
  ) =>
    app.post(
      `/api/flags/:id/${action}`,
      {
        config: { access: 'manageIncidents', secondFactor: true },
        schema: {
          summary,
          tags: ['flags'],
          params: idParamsSchema,
          body,
          response: { 200: flagTriageResultSchema },
        },
      },
      async (request) => {
        const actor = currentUser(request);
        const triage = { action, ...request.body } as Triage;
        const flag = await triageFlag(db, hub.incidents, request.params.id, actor, triage);
        hub.flagRepeated(flag);
        return { flag };
      },
    );
  triageRoute('dismiss', flagDismissSchema, 'Dismiss a flag as a false positive (who and why are recorded)');
  triageRoute('escalate', flagEscalateSchema, 'Take a flag up: its incident is acknowledged');
  triageRoute('link', flagLinkSchema, 'Link a flag to an existing incident (by id or reference)');

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
      return { flags: await withPeople(people, flags) };
    },
  );

  app.get(
    '/api/flags/:id/evidence/:sha256',
    {
      config: { access: 'viewFlags', secondFactor: true },
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
      if (!flag) throw notFound('Screenshot');
      const shots = [...flag.evidence, ...(await flagOccurrences(db, id)).flatMap((o) => o.evidence)];
      if (!shots.some((e) => e.sha256 === sha256)) throw notFound('Screenshot');
      await assertActivityRoom(db, actor, flag.roomId, 'Flag');
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
