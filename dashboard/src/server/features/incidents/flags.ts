/**
 * Watch-list flags become incidents (source "flag"): each flag makes one incident,
 * written in the same transaction as the flag, and the DSL is alerted once the flag is
 * committed.
 */
import { watchCategoryLabels, type WatchCategory } from '@harbour/shared';
import type { Logger } from 'pino';
import type { ActivityFeature } from '../activity/index.js';
import { createIncidentFromFlag } from './incidents.js';
import type { IncidentNotifier } from './notify.js';

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

export function flagsBecomeIncidents(
  activity: ActivityFeature,
  notifier: IncidentNotifier,
  log: Logger,
): void {
  activity.onFlagStored(async (trx, flag) => {
    const row = await createIncidentFromFlag(trx, {
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
    return () =>
      void notifier
        .created(row)
        .catch((error: unknown) =>
          log.error({ err: error, flagId: flag.id }, 'could not announce the flag’s incident'),
        );
  });
}
