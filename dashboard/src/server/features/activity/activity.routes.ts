import {
  activityListSchema,
  activityQuerySchema,
  activitySearchQuerySchema,
  activitySettingsSchema,
  deviceHealthListSchema,
  deviceHealthQuerySchema,
  topDomainsQuerySchema,
  topDomainsSchema,
} from '@harbour/shared';
import type { App, ServerContext } from '../../context.js';
import { notFound } from '../../core/errors.js';
import { currentUser } from '../../http/plumbing.js';
import { findActivity, topDomains } from './activity.js';
import { activityRooms, assertActivityRoom, checkActivityRoom } from './scope.js';
import { getActivitySettings, saveActivitySettings } from './settings.js';
import { audit } from '../../core/audit.js';
import { listHealth } from '../devices/health-history.js';
import { flagRoutes } from './flags.routes.js';
import { watchlistRoutes } from './watchlists.routes.js';

/** The activity timeline, its settings, device health; with watch lists and flags. Every read of activity is audited. */
export function activityRoutes(app: App, ctx: ServerContext): void {
  app.get(
    '/api/activity',
    {
      config: { access: 'readActivity' },
      schema: {
        summary: "A device's or a user's activity intervals overlapping [from, to)",
        tags: ['activity'],
        querystring: activityQuerySchema,
        response: { 200: activityListSchema },
      },
    },
    async (request) => {
      const actor = currentUser(request);
      const { deviceId, user, from, to } = request.query;
      if (deviceId) {
        const device = await ctx.db
          .selectFrom('devices')
          .select('id')
          .where('id', '=', deviceId)
          .executeTakeFirst();
        if (!device) throw notFound('Device');
      }
      // A teacher sees only what happened in the rooms they supervise.
      const roomIds = await activityRooms(ctx.db, actor);
      const result = await findActivity(ctx.db, { deviceId, user, from, to, roomIds });
      await audit(ctx.db, {
        actor: actor.id,
        action: 'activity.read',
        subject: deviceId ?? user ?? null,
        detail: { deviceId, user, from, to, rows: result.intervals.length },
      });
      return result;
    },
  );

  app.get(
    '/api/activity/search',
    {
      config: { access: 'readActivity' },
      schema: {
        summary: 'Search activity by domain, user, room and time',
        tags: ['activity'],
        querystring: activitySearchQuerySchema,
        response: { 200: activityListSchema },
      },
    },
    async (request) => {
      const actor = currentUser(request);
      const roomIds = await activityRooms(ctx.db, actor);
      if (request.query.roomId) checkActivityRoom(roomIds, request.query.roomId);
      const result = await findActivity(ctx.db, { ...request.query, roomIds });
      await audit(ctx.db, {
        actor: actor.id,
        action: 'activity.search',
        subject: request.query.roomId ?? null,
        detail: { ...request.query, rows: result.intervals.length },
      });
      return result;
    },
  );

  app.get(
    '/api/activity/top-domains',
    {
      config: { access: 'readActivity' },
      schema: {
        summary: 'The domains a room spent most time on within [from, to)',
        tags: ['activity'],
        querystring: topDomainsQuerySchema,
        response: { 200: topDomainsSchema },
      },
    },
    async (request) => {
      const actor = currentUser(request);
      const room = await ctx.db
        .selectFrom('rooms')
        .select('id')
        .where('id', '=', request.query.roomId)
        .executeTakeFirst();
      if (!room) throw notFound('Room');
      await assertActivityRoom(ctx.db, actor, request.query.roomId);
      const domains = await topDomains(ctx.db, request.query);
      await audit(ctx.db, {
        actor: actor.id,
        action: 'activity.top-domains',
        subject: request.query.roomId,
        detail: request.query,
      });
      return { domains };
    },
  );

  app.get(
    '/api/activity/settings',
    {
      config: { access: 'readActivity' },
      schema: {
        summary: 'Activity settings: sampling, idle time, private windows, retention, monitoring hours',
        tags: ['activity'],
        response: { 200: activitySettingsSchema },
      },
    },
    async () => getActivitySettings(ctx.db),
  );

  app.put(
    '/api/activity/settings',
    {
      config: { access: 'manageActivitySettings' },
      schema: {
        summary: 'Change the activity settings (every agent picks them up at once)',
        tags: ['activity'],
        body: activitySettingsSchema,
        response: { 200: activitySettingsSchema },
      },
    },
    async (request) => {
      const actor = currentUser(request);
      await saveActivitySettings(ctx.db, request.body, actor.id);
      await audit(ctx.db, { actor: actor.id, action: 'activity.settings', detail: request.body });
      ctx.activity.configChanged();
      return request.body;
    },
  );

  app.get(
    '/api/device-health',
    {
      config: { access: 'manageDevices' },
      schema: {
        summary: 'Problems agents report about themselves (missing prerequisites)',
        tags: ['devices'],
        querystring: deviceHealthQuerySchema,
        response: { 200: deviceHealthListSchema },
      },
    },
    async (request) => ({
      problems: await listHealth(ctx.db, {
        deviceId: request.query.deviceId,
        includeCleared: request.query.includeCleared === 'true',
      }),
    }),
  );

  watchlistRoutes(app, ctx);
  flagRoutes(app, ctx);
}
