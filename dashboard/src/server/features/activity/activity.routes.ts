import {
  activityListSchema,
  activityQuerySchema,
  activitySearchQuerySchema,
  activitySettingsSchema,
  topDomainsQuerySchema,
  topDomainsSchema,
} from '@harbour/shared';
import type { App } from '../../core/feature.js';
import type { Db } from '../../db/database.js';
import { deviceWithRoom, roomExists } from '../devices/index.js';
import type { ActivityHub } from './hub.js';
import { notFound } from '../../core/errors.js';
import { currentUser } from '../../http/plumbing.js';
import { findActivity, topDomains } from './activity.js';
import { activityRooms, assertActivityRoom, checkActivityRoom } from './scope.js';
import { getActivitySettings, saveActivitySettings } from './settings.js';
import { audit } from '../../core/audit.js';
import { withPeople, type People } from './people.js';

/** The activity timeline and its settings. Every read of activity is audited. */
export function activityRoutes(app: App, db: Db, hub: ActivityHub, people: People): void {
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
        // Another school's device answers as one that does not exist (core/tenancy.ts).
        const place = await deviceWithRoom(db, deviceId);
        if (!place || (actor.schoolId !== null && place.schoolId !== actor.schoolId))
          throw notFound('Device');
      }
      // A teacher sees only what happened in the rooms they supervise.
      const roomIds = await activityRooms(db, actor);
      const result = await findActivity(db, { deviceId, user, from, to, roomIds });
      await audit(db, {
        actor: actor.id,
        action: 'activity.read',
        subject: deviceId ?? user ?? null,
        detail: { deviceId, user, from, to, rows: result.intervals.length },
      });
      return { ...result, intervals: await withPeople(people, result.intervals) };
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
      const roomIds = await activityRooms(db, actor);
      if (request.query.roomId) checkActivityRoom(roomIds, request.query.roomId);
      const result = await findActivity(db, { ...request.query, roomIds });
      await audit(db, {
        actor: actor.id,
        action: 'activity.search',
        subject: request.query.roomId ?? null,
        detail: { ...request.query, rows: result.intervals.length },
      });
      return { ...result, intervals: await withPeople(people, result.intervals) };
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
      if (!(await roomExists(db, request.query.roomId))) throw notFound('Room');
      await assertActivityRoom(db, actor, request.query.roomId);
      const domains = await topDomains(db, request.query);
      await audit(db, {
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
    async () => getActivitySettings(db),
  );

  app.put(
    '/api/activity/settings',
    {
      config: { access: 'manageActivitySettings', trustWide: true },
      schema: {
        summary: 'Change the activity settings (every agent picks them up at once)',
        tags: ['activity'],
        body: activitySettingsSchema,
        response: { 200: activitySettingsSchema },
      },
    },
    async (request) => {
      const actor = currentUser(request);
      await saveActivitySettings(db, request.body, actor.id);
      await audit(db, { actor: actor.id, action: 'activity.settings', detail: request.body });
      hub.configChanged();
      return request.body;
    },
  );
}
