import { idParamsSchema, tellAlertListSchema, tellAlertSchema } from '@harbour/shared';
import type { App } from '../../core/feature.js';
import type { Db } from '../../db/database.js';
import type { TellAlerts } from './alerts.js';
import { HarbourError } from '../../core/errors.js';
import { currentUser } from '../../http/plumbing.js';
import { acknowledgeTell, openTellAlerts, releaseTell, toTellAlert } from './tell.js';

const tags = ['tell'];

export function tellRoutes(app: App, db: Db, alerts: TellAlerts): void {
  app.get(
    '/api/tell/alerts',
    {
      config: { access: 'viewIncidents' },
      schema: {
        summary: 'Pupils’ reports still waiting for an adult (covered or acknowledged)',
        tags,
        response: { 200: tellAlertListSchema },
      },
    },
    async (request) => ({ alerts: await openTellAlerts(db, currentUser(request)) }),
  );

  for (const [path, summary, run] of [
    [
      'acknowledge',
      'Acknowledge a pupil’s report: their screen then says the teacher is on the way',
      acknowledgeTell,
    ],
    ['release', 'Release the pupil’s covered screen', releaseTell],
  ] as const) {
    app.post(
      `/api/tell/:id/${path}`,
      {
        config: { access: 'viewIncidents' },
        schema: { summary, tags, params: idParamsSchema, response: { 200: tellAlertSchema } },
      },
      async (request) => {
        const row = await run(db, request.params.id, currentUser(request));
        await alerts.changed(row);
        const alert = toTellAlert(row);
        if (!alert) throw new HarbourError('conflict', 'This incident is not a pupil’s report.');
        return alert;
      },
    );
  }
}
