import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import type { Chronology } from '@harbour/shared';
import { ErrorAlert } from '../components/ErrorAlert';
import { TextField } from '../components/Field';
import { DateTime } from '../components/time';
import { usePageTitle } from '../components/usePageTitle';
import { useLoad } from './useLoad';

export function ChronologyPage() {
  usePageTitle('Pupil chronology');
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
        <Link to="/incidents">All incidents</Link>
      </p>
      <h1>Pupil chronology</h1>
      <p className="lead">Everything recorded about one pupil, across all incidents, in date order.</p>
      <form onSubmit={submit} className="inline-form no-print" noValidate>
        <TextField label="Pupil’s username or name" value={input} onChange={setInput} />
        <button type="submit" className="button button-primary">
          Show
        </button>
        {pupil && (
          <a className="button" href={`/api/subject-access?pupil=${encodeURIComponent(pupil)}`} download>
            Subject-access export (JSON)
          </a>
        )}
      </form>
      <ErrorAlert error={error} />
      {data &&
        (data.entries.length === 0 ? (
          <p className="empty">Nothing is recorded for “{pupil}”.</p>
        ) : (
          <ol className="history" aria-label={`Chronology for ${pupil}`}>
            {data.entries.map((e, i) => (
              <li key={`${e.incidentId}-${i}`}>
                <DateTime iso={e.at} /> — <Link to={`/incidents/${e.incidentId}`}>{e.ref}</Link>
                {e.involvement === 'involved' && ' (involved)'}: {e.text}
              </li>
            ))}
          </ol>
        ))}
    </>
  );
}
