/**
 * Watch-list flags become incidents (source "flag"): each new concern makes one incident,
 * written in the same transaction as the flag, and the DSL is alerted once the flag is
 * committed. Repeat hits of the same concern (occurrences) add their screenshots to that
 * incident, with no new incident and no alert. The DSL's triage of a flag (false positive,
 * escalate, link to another incident) is carried out on its incident here.
 */
import {
  watchCategoryLabels,
  watchKindLabels,
  type Flag,
  type FlagOccurrence,
  type WatchCategory,
} from '@harbour/shared';
import type { Logger } from 'pino';
import { audit } from '../../core/audit.js';
import { HarbourError, notFound } from '../../core/errors.js';
import { inSchool } from '../../core/tenancy.js';
import type { SessionUser } from '../../core/identity.js';
import type { Db } from '../../db/database.js';
import type { ActivityFeature } from '../activity/index.js';
import { createIncidentFromFlag, incidentRef, type IncidentRow } from './incidents.js';
import type { IncidentNotifier } from './notify.js';
import { addLink, changeState } from './workflow.js';

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

const placeWords: Record<Flag['where'], string> = {
  domain: 'website',
  url: 'web address',
  title: 'window title',
  search: 'search',
};

/**
 * The incident's one-line summary. It names the watch-list entry that matched (for a
 * keyword, the term alone, never the whole search phrase around it) and where it matched;
 * the full text the pupil typed stays in the flag and the incident's window details.
 */
export function flagSummary(flag: Pick<Flag, 'category' | 'kind' | 'pattern' | 'where'>): string {
  const category = watchCategoryLabels[flag.category] ?? flag.category;
  const kind = (watchKindLabels[flag.kind] ?? flag.kind).split(' ')[0]?.toLowerCase() ?? flag.kind;
  return `Monitoring flag: ${category} (${kind} “${flag.pattern}”, in a ${placeWords[flag.where]})`.slice(
    0,
    200,
  );
}

async function flagIncident(trx: Db, flag: Flag): Promise<IncidentRow | undefined> {
  if (flag.incidentId) {
    return trx.selectFrom('incidents').selectAll().where('id', '=', flag.incidentId).executeTakeFirst();
  }
  return trx
    .selectFrom('incidents')
    .selectAll()
    .where('source', '=', 'flag')
    .where('source_ref', '=', flag.id)
    .executeTakeFirst();
}

async function addEvidence(
  trx: Db,
  incidentId: string,
  evidence: Flag['evidence'],
  label: string,
  actor: string,
): Promise<void> {
  const now = new Date().toISOString();
  for (const e of evidence) {
    await trx
      .insertInto('incident_evidence')
      .values({
        incident_id: incidentId,
        sha256: e.sha256,
        kind: 'screenshot',
        mime: e.mime,
        bytes: e.bytes,
        label,
        added_at: now,
        added_by: actor,
        suspected_illegal_at: null,
        suspected_illegal_by: null,
      })
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
}

/** An incident named by its id or its reference ("INC-0007"). */
async function findIncident(trx: Db, named: string): Promise<IncidentRow | undefined> {
  const ref = /^INC-0*(\d+)$/i.exec(named.trim());
  if (ref) {
    return trx.selectFrom('incidents').selectAll().where('seq', '=', Number(ref[1])).executeTakeFirst();
  }
  return trx.selectFrom('incidents').selectAll().where('id', '=', named.trim()).executeTakeFirst();
}

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
      summary: flagSummary(flag),
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

  activity.provideFlagIncidents({
    async occurrence(trx: Db, flag: Flag, occurrence: FlagOccurrence) {
      const row = await flagIncident(trx, flag);
      if (!row) return;
      const actor = `device:${flag.deviceId}`;
      const label = `Seen again at ${occurrence.occurredAt} (occurrence ${flag.occurrences})`;
      await addEvidence(trx, row.id, occurrence.evidence, label, actor);
      await audit(trx, {
        actor,
        action: 'incident.note',
        subject: row.id,
        detail: {
          text: `Seen again (occurrence ${flag.occurrences}): ${occurrence.matched}`.slice(0, 500),
          occurrence: occurrence.id,
        },
      });
    },

    async dismissed(trx: Db, flag: Flag, actor: SessionUser, reason: string) {
      const row = await flagIncident(trx, flag);
      if (!row || row.state === 'closed') return;
      await changeState(
        trx,
        row.id,
        actor,
        'closed',
        'unfounded',
        `Flag dismissed as a false positive: ${reason}`.slice(0, 500),
      );
    },

    async escalated(trx: Db, flag: Flag, actor: SessionUser, note: string | undefined) {
      const row = await flagIncident(trx, flag);
      if (!row) throw notFound('The flag’s incident');
      if (row.state === 'new') {
        await changeState(trx, row.id, actor, 'acknowledged', undefined, note ?? 'Taken up from the flag');
      }
      return row.id;
    },

    async linked(trx: Db, flag: Flag, actor: SessionUser, named: string, note: string | undefined) {
      const target = await findIncident(trx, named);
      const own0 = await flagIncident(trx, flag);
      // Another school's incident is not there to link to (core/tenancy.ts); a trust-level DSL
      // does not move one school's evidence into another school's record either.
      const otherSchool =
        !target ||
        !inSchool(actor, target.school_id) ||
        (own0 !== undefined && own0.school_id !== target.school_id);
      if (!target || otherSchool) throw notFound('The incident to link');
      if (target.state === 'closed') {
        throw new HarbourError(
          'conflict',
          `${incidentRef(target.seq)} is closed. Reopen it first, or escalate this flag on its own.`,
        );
      }
      const own = await flagIncident(trx, flag);
      if (own?.id === target.id) return target.id;
      await addEvidence(trx, target.id, flag.evidence, `From flag at ${flag.occurredAt}`, actor.id);
      for (const o of flag.repeats ?? []) {
        await addEvidence(trx, target.id, o.evidence, `From flag, seen again at ${o.occurredAt}`, actor.id);
      }
      if (own) {
        await addLink(trx, target.id, actor, own.id);
        if (own.state !== 'closed') {
          await changeState(
            trx,
            own.id,
            actor,
            'closed',
            'no_further_action',
            `Recorded in ${incidentRef(target.seq)}${note ? `: ${note}` : ''}`.slice(0, 500),
          );
        }
      }
      await audit(trx, {
        actor: actor.id,
        action: 'incident.note',
        subject: target.id,
        detail: { text: `Flag linked here${note ? `: ${note}` : ''}`.slice(0, 500), flagId: flag.id },
      });
      return target.id;
    },
  });
}
