import {
  idParamsSchema,
  watchEntryInputSchema,
  watchEntrySchema,
  watchlistImportRequestSchema,
  watchlistImportResultSchema,
  watchlistSchema,
  watchLimits,
} from '@harbour/shared';
import type { App } from '../../core/feature.js';
import type { Db } from '../../db/database.js';
import type { ActivityHub } from './hub.js';
import { currentUser, noContent } from '../../http/plumbing.js';
import { audit } from '../../core/audit.js';
import {
  createEntry,
  deleteEntry,
  getWatchlist,
  importEntries,
  parseWatchlistCsv,
  updateEntry,
  watchlistToCsv,
} from './watchlists.js';

/** The DSL's watch lists. Every change reaches connected agents at once. */
export function watchlistRoutes(app: App, db: Db, hub: ActivityHub): void {
  const changed = () => hub.configChanged();

  app.get(
    '/api/watchlists',
    {
      config: { access: 'manageWatchlists' },
      schema: {
        summary: 'Every watch-list entry',
        tags: ['watch lists'],
        response: { 200: watchlistSchema },
      },
    },
    async () => getWatchlist(db),
  );

  app.post(
    '/api/watchlists/entries',
    {
      config: { access: 'manageWatchlists', trustWide: true },
      schema: {
        summary: 'Add a domain, web address pattern or keyword',
        tags: ['watch lists'],
        body: watchEntryInputSchema,
        response: { 201: watchEntrySchema },
      },
    },
    async (request, reply) => {
      const actor = currentUser(request);
      const entry = await createEntry(db, request.body, actor.id);
      await audit(db, {
        actor: actor.id,
        action: 'watchlist.add',
        subject: entry.id,
        detail: request.body,
      });
      changed();
      return reply.status(201).send(entry);
    },
  );

  app.put(
    '/api/watchlists/entries/:id',
    {
      config: { access: 'manageWatchlists', trustWide: true },
      schema: {
        summary: 'Change a watch-list entry',
        tags: ['watch lists'],
        params: idParamsSchema,
        body: watchEntryInputSchema,
        response: { 200: watchEntrySchema },
      },
    },
    async (request) => {
      const actor = currentUser(request);
      const entry = await updateEntry(db, request.params.id, request.body, actor.id);
      await audit(db, {
        actor: actor.id,
        action: 'watchlist.change',
        subject: entry.id,
        detail: request.body,
      });
      changed();
      return entry;
    },
  );

  app.delete(
    '/api/watchlists/entries/:id',
    {
      config: { access: 'manageWatchlists', trustWide: true },
      schema: { summary: 'Remove a watch-list entry', tags: ['watch lists'], params: idParamsSchema },
    },
    async (request, reply) => {
      const actor = currentUser(request);
      await deleteEntry(db, request.params.id, actor.id);
      await audit(db, { actor: actor.id, action: 'watchlist.remove', subject: request.params.id });
      changed();
      return noContent(reply);
    },
  );

  app.get(
    '/api/watchlists/export',
    {
      config: { access: 'manageWatchlists' },
      schema: {
        summary: 'Every entry as CSV (kind, pattern, category, severity, note)',
        tags: ['watch lists'],
      },
    },
    async (request, reply) => {
      const actor = currentUser(request);
      const { entries } = await getWatchlist(db);
      await audit(db, {
        actor: actor.id,
        action: 'watchlist.export',
        detail: { entries: entries.length },
      });
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="harbour-watch-list.csv"')
        .send(watchlistToCsv(entries));
    },
  );

  app.post(
    '/api/watchlists/import',
    {
      config: { access: 'manageWatchlists', trustWide: true },
      bodyLimit: watchLimits.csvBytes * 2,
      schema: {
        summary: 'Import a CSV file; any bad row is reported by line number and nothing is imported',
        tags: ['watch lists'],
        body: watchlistImportRequestSchema,
        response: { 200: watchlistImportResultSchema },
      },
    },
    async (request) => {
      const actor = currentUser(request);
      const entries = parseWatchlistCsv(request.body.csv);
      const result = await importEntries(db, entries, request.body.replace, actor.id);
      await audit(db, {
        actor: actor.id,
        action: 'watchlist.import',
        detail: { ...result, replace: request.body.replace },
      });
      changed();
      return result;
    },
  );
}
