/**
 * Watch-list flags (issue 4) become incidents (source "flag"): each flag makes one
 * incident, written in the same transaction as the flag, and the DSL is alerted once the
 * flag is committed.
 */
import { watchCategoryLabels, type Flag, type WatchCategory } from '@harbour/shared';
import type { Db } from '../../db/database.js';
import type { ActivityHub } from '../activity/hub.js';
import type { IncidentNotifier } from './notify.js';
import { createIncidentFromFlag } from './incidents.js';

/** The incident category a watch-list category starts in; the DSL can change it. */
const categoryFor: Record<WatchCategory, string> = {
  extremism: 'extremism',
  self_harm: 'other',
  adult: 'inappropriate_content',
  violence: 'inappropriate_content',
  gambling: 'other',
  social: 'social_networking',
  games: 'gaming',
};

export function flagsBecomeIncidents(activity: ActivityHub, db: Db, notifier: IncidentNotifier): void {
  activity.onFlagStored(async (trx, flag) => {
    await createIncidentFromFlag(trx, {
      flagId: flag.id,
      deviceId: flag.deviceId,
      occurredAt: flag.occurredAt,
      username: flag.user,
      category: categoryFor[flag.category] ?? 'unsorted',
      summary:
        `Monitoring flag: ${watchCategoryLabels[flag.category] ?? flag.category} (${flag.kind} “${flag.matched}”)`.slice(
          0,
          200,
        ),
      window: { title: flag.title, app: flag.app, url: flag.url },
      evidence: flag.evidence,
    });
  });
  activity.onFlagRaised((flag: Flag) => {
    void db
      .selectFrom('incidents')
      .select('id')
      .where('source', '=', 'flag')
      .where('source_ref', '=', flag.id)
      .executeTakeFirst()
      .then((row) => (row ? notifier.created(row.id) : undefined));
  });
}
