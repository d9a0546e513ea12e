import {
  incidentStateLabels,
  tellChoiceLabels,
  type IncidentState,
  type IncidentSummary,
  type TellChoice,
} from '@harbour/shared';

export const stateLabel = (s: IncidentState) => incidentStateLabels[s];
export const sourceLabel: Record<IncidentSummary['source'], string> = {
  report: 'Pupil’s report',
  flag: 'Monitoring flag',
  manual: 'Recorded by staff',
};
export const choiceLabel = (c: string | null) => (c ? (tellChoiceLabels[c as TellChoice] ?? c) : null);
export const pupilOf = (i: IncidentSummary) => i.subject.name ?? i.subject.username ?? 'Not recorded';
