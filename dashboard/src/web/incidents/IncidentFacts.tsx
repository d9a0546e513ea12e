import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Incident } from '@harbour/shared';
import { DateTime } from '../components/time';
import { useFormat } from '../i18n/format';
import { yearGroupLabel } from '../labels';
import { useCategories } from './categories';
import { choiceLabel, pupilOf, whereOf } from './labels';

export function Fact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </>
  );
}

/**
 * The record's facts, in one order for the incident page and its printable record, so the
 * two never drift apart. The paper record stands alone, so it also says the pupil's class,
 * the state and the outcome (the page shows those in its header and workflow); `children`
 * go at the end of the same list (the printed record's details).
 */
export function IncidentFacts({
  incident,
  print = false,
  children,
}: {
  incident: Incident;
  print?: boolean;
  children?: ReactNode;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  const categories = useCategories();
  return (
    <dl className="facts">
      <Fact term={t('incidents.columns.pupil')}>
        {pupilOf(t, incident)}
        {incident.subject.username && incident.subject.name && ` (${incident.subject.username})`}
      </Fact>
      <Fact term={t('incident.yearGroup')}>{yearGroupLabel(t, incident.subject.yearGroup)}</Fact>
      {print && incident.subject.className && (
        <Fact term={t('incidents.list.class')}>{incident.subject.className}</Fact>
      )}
      {incident.subject.dateOfBirth && (
        <Fact term={t('incident.dob')}>{f.date(incident.subject.dateOfBirth)}</Fact>
      )}
      <Fact term={t('incidents.columns.when')}>
        <DateTime iso={incident.occurredAt} />
      </Fact>
      <Fact term={t('incidents.columns.where')}>{whereOf(t, incident)}</Fact>
      <Fact term={t('incidents.columns.category')}>{categories.label(incident.category)}</Fact>
      <Fact term={t('incidents.columns.source')}>{t(`enums.incidentSource.${incident.source}`)}</Fact>
      {print && (
        <>
          <Fact term={t('incidents.columns.state')}>{t(`enums.incidentState.${incident.state}`)}</Fact>
          <Fact term={t('incidentPrint.outcome')}>
            {incident.outcome ? t(`enums.incidentOutcome.${incident.outcome}`) : t('incidentPrint.noOutcome')}
          </Fact>
        </>
      )}
      {incident.window && (
        <Fact term={t('incident.onScreen')}>
          {[incident.window.title, incident.window.url].filter(Boolean).join(' — ') || t('incident.unknown')}
        </Fact>
      )}
      {incident.pupilChoice && (
        <Fact term={t('incident.pupilChose')}>{choiceLabel(t, incident.pupilChoice)}</Fact>
      )}
      <Fact term={t('incidents.columns.assigned')}>
        {incident.assignedTo?.name ?? t('incidents.nobodyYet')}
      </Fact>
      <Fact term={t('incident.recorded')}>
        <DateTime iso={incident.createdAt} />{' '}
        {incident.createdBy && t('incident.recordedBy', { name: incident.createdBy.name })}
      </Fact>
      {children}
    </dl>
  );
}
