import type { TFunction } from 'i18next';
import type { IncidentSummary } from '@harbour/shared';

export const pupilOf = (t: TFunction, i: IncidentSummary) =>
  i.subject.name ?? i.subject.username ?? t('common.notRecorded');

/** The pupil's tap on the cover page, in the chosen language (older records may hold other text). */
export function choiceLabel(t: TFunction, c: string | null): string | null {
  if (!c) return null;
  return t(`enums.tellChoice.${c}` as 'enums.tellChoice.unkind', { defaultValue: c });
}

/** Where it happened: room, computer and its serial, or "not at a computer". */
export function whereOf(t: TFunction, i: IncidentSummary): string {
  const serial = i.deviceSerial && t('incidents.serial', { serial: i.deviceSerial });
  return [i.roomName, i.deviceName, serial].filter(Boolean).join(', ') || t('incident.notAtComputer');
}
