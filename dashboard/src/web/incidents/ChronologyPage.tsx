import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router-dom';
import type { Chronology } from '@harbour/shared';
import { ErrorAlert } from '../components/ErrorAlert';
import { TextField } from '../components/Field';
import { DateTime } from '../components/time';
import { usePageTitle } from '../components/usePageTitle';
import { useLoad } from './useLoad';

export function ChronologyPage() {
  const { t } = useTranslation();
  usePageTitle(t('chronology.title'));
  const [params, setParams] = useSearchParams();
  const pupil = params.get('pupil') ?? '';
  const [input, setInput] = useState(pupil);
  const { data, error } = useLoad<Chronology>(
    pupil ? `/api/chronology?pupil=${encodeURIComponent(pupil)}` : null,
  );

  function submit(event: FormEvent) {
    event.preventDefault();
    setParams(input.trim() ? { pupil: input.trim() } : {});
  }

  return (
    <>
      <p className="breadcrumb">
        <Link to="/incidents">{t('incidents.all')}</Link>
      </p>
      <h1>{t('chronology.title')}</h1>
      <p className="lead">{t('chronology.lead')}</p>
      <form onSubmit={submit} className="inline-form no-print" noValidate>
        <TextField label={t('chronology.pupil')} value={input} onChange={setInput} />
        <button type="submit" className="button button-primary">
          {t('common.show')}
        </button>
        {pupil && (
          <a className="button" href={`/api/subject-access?pupil=${encodeURIComponent(pupil)}`} download>
            {t('chronology.export')}
          </a>
        )}
      </form>
      <ErrorAlert error={error} />
      {data &&
        (data.entries.length === 0 ? (
          <p className="empty">{t('chronology.nothing', { pupil })}</p>
        ) : (
          <ol className="history" aria-label={t('chronology.label', { pupil })}>
            {data.entries.map((e, i) => (
              <li key={`${e.incidentId}-${i}`}>
                <DateTime iso={e.at} /> — <Link to={`/incidents/${e.incidentId}`}>{e.ref}</Link>
                {e.involvement === 'involved' && ` ${t('chronology.involved')}`}: {e.text}
              </li>
            ))}
          </ol>
        ))}
    </>
  );
}
