import type { TFunction } from 'i18next';
import type { IncidentSummary } from '@harbour/shared';

export const pupilOf = (t: TFunction, i: IncidentSummary) =>
  i.subject.name ?? i.subject.username ?? t('common.notRecorded');

/** The pupil's tap on the cover page, in the chosen language (older records may hold other text). */
export function choiceLabel(t: TFunction, c: string | null): string | null {
  if (!c) return null;
  return t(`enums.tellChoice.${c}` as 'enums.tellChoice.unkind', { defaultValue: c });
}
