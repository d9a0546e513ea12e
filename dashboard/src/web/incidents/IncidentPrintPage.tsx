import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import type { Incident } from '@harbour/shared';
import { useUser } from '../auth';
import { ErrorAlert } from '../components/ErrorAlert';
import { DateTime } from '../components/time';
import { usePageTitle } from '../components/usePageTitle';
import { useFormat } from '../i18n/format';
import { describe, detailKeys } from './IncidentPage';
import { Fact, IncidentFacts } from './IncidentFacts';
import { useLoad } from './useLoad';

/**
 * One incident as a paper record (for a referral, a case conference, the file): everything
 * the record says, the actions with who and when, the notes, and the trail of who opened it.
 * It loads through the same route as the incident page, so the server decides whether this
 * member of staff may see it, and this read is on the record like any other. Screenshots are
 * listed by their hash, never printed: a picture of what a child saw stays on the screen.
 */
export function IncidentPrintPage() {
  const { incidentId = '' } = useParams();
  const { t } = useTranslation();
  const f = useFormat();
  const user = useUser();
  const { data: incident, error } = useLoad<Incident>(`/api/incidents/${incidentId}`);
  usePageTitle(incident ? t('incidentPrint.title', { ref: incident.ref }) : t('incident.title'));
  const back = (
    <p className="breadcrumb no-print">
      <Link to={`/incidents/${incidentId}`}>{t('incidentPrint.back')}</Link>
    </p>
  );
  if (!incident) {
    return (
      <>
        {back}
        {error !== null && <h1>{t('incident.title')}</h1>}
        <ErrorAlert error={error} />
        {error === null && <p className="muted">{t('common.loading')}</p>}
      </>
    );
  }
  const text = (h: Incident['history'][number]) => describe(t, h.detail, incident, f.date);
  const notes = incident.history.filter((h) => h.action === 'incident.note');
  const opened = incident.history.filter((h) => h.action === 'incident.view' || h.action === 'evidence.view');
  const changes = incident.history.filter((h) => !opened.includes(h));
  const actionName = (action: string) =>
    t(`incident.history.action.${action.replace('.', '_')}` as 'incident.history.action.incident_view', {
      defaultValue: action,
    });
  return (
    <article className="print-record">
      {back}
      <p className="toolbar no-print">
        <button type="button" className="button button-primary" onClick={() => window.print()}>
          {t('common.print')}
        </button>
      </p>
      <p className="print-confidential">{t('incidentPrint.confidential')}</p>
      <h1>
        {incident.ref}: {incident.summary}
      </h1>
      <p>
        {t('incidentPrint.printedBy', { name: user.displayName })} <DateTime iso={new Date().toISOString()} />
      </p>

      <section aria-labelledby="print-record-heading">
        <h2 id="print-record-heading">{t('incidentPrint.record')}</h2>
        <IncidentFacts incident={incident} print>
          {detailKeys
            .filter((k) => incident.details[k])
            .map((k) => (
              <Fact key={k} term={t(`incidents.details.${k}`)}>
                {incident.details[k]}
              </Fact>
            ))}
        </IncidentFacts>
      </section>

      <section aria-labelledby="print-actions-heading">
        <h2 id="print-actions-heading">{t('incidentPrint.actions')}</h2>
        {incident.actions.length === 0 ? (
          <p>{t('incidentPrint.noActions')}</p>
        ) : (
          <div className="table-wrap">
            <table className="print-table data-table">
              <thead>
                <tr>
                  <th scope="col">{t('incidentPrint.what')}</th>
                  <th scope="col">{t('incidentPrint.who')}</th>
                  <th scope="col">{t('incidentPrint.due')}</th>
                  <th scope="col">{t('incidentPrint.done')}</th>
                  <th scope="col">{t('incidentPrint.added')}</th>
                </tr>
              </thead>
              <tbody>
                {incident.actions.map((a) => (
                  <tr key={a.id}>
                    <th scope="row">{a.what}</th>
                    <td>{a.who}</td>
                    <td>{a.due ? f.date(a.due) : t('common.dash')}</td>
                    <td>
                      {a.doneAt ? (
                        <>
                          <DateTime iso={a.doneAt} />
                          {a.outcome && ` — ${a.outcome}`}
                        </>
                      ) : (
                        t('incident.chronology.notDone')
                      )}
                    </td>
                    <td>
                      {a.createdBy}, <DateTime iso={a.createdAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      {incident.escalations.length > 0 && (
        <section aria-labelledby="print-escalations-heading">
          <h2 id="print-escalations-heading">{t('incidentPrint.escalations')}</h2>
          <ul>
            {incident.escalations.map((e) => (
              <li key={e.id}>
                <DateTime iso={e.at} />, {e.by}: {t(`enums.escalationRoute.${e.route}`)}
                {e.note && ` — ${e.note}`}
              </li>
            ))}
          </ul>
        </section>
      )}

      <section aria-labelledby="print-notes-heading">
        <h2 id="print-notes-heading">{t('incidentPrint.notes')}</h2>
        {notes.length === 0 ? (
          <p>{t('incidentPrint.noNotes')}</p>
        ) : (
          <ul>
            {notes.map((h) => (
              <li key={h.id}>
                <DateTime iso={h.at} />, {h.actor}: {text(h)}
              </li>
            ))}
          </ul>
        )}
      </section>

      {(incident.evidence.length > 0 || incident.evidenceWithheld > 0) && (
        <section aria-labelledby="print-evidence-heading">
          <h2 id="print-evidence-heading">{t('incidentPrint.evidence')}</h2>
          <p>{t('incidentPrint.evidenceHint')}</p>
          <ul>
            {incident.evidence.map((e) => (
              <li key={e.sha256}>
                {e.label ?? t(`incidentPrint.kind.${e.kind}`)}, <DateTime iso={e.addedAt} />:{' '}
                <code className="print-hash">{e.sha256}</code>
              </li>
            ))}
            {incident.evidenceWithheld > 0 && (
              <li>{t('incidentPrint.withheld', { count: incident.evidenceWithheld })}</li>
            )}
          </ul>
        </section>
      )}

      <section aria-labelledby="print-history-heading">
        <h2 id="print-history-heading">{t('incidentPrint.history')}</h2>
        <ol className="history">
          {changes.map((h) => (
            <li key={h.id}>
              <DateTime iso={h.at} />, {h.actor}: {actionName(h.action)}
              {text(h) && ` — ${text(h)}`}
            </li>
          ))}
        </ol>
      </section>

      <section aria-labelledby="print-opened-heading">
        <h2 id="print-opened-heading">{t('incidentPrint.opened')}</h2>
        <p>{t('incidentPrint.openedHint')}</p>
        <ol className="history" data-testid="print-opened">
          {opened.map((h) => (
            <li key={h.id}>
              <DateTime iso={h.at} />, {h.actor}: {actionName(h.action)}
            </li>
          ))}
        </ol>
      </section>
    </article>
  );
}
