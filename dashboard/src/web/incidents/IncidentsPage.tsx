import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import {
  can,
  createIncidentRequestSchema,
  incidentStates,
  type Incident,
  type IncidentSummary,
  type SafeguardingSettings,
} from '@harbour/shared';
import { api, withQuery } from '../api';
import { useUser } from '../auth';
import { ErrorAlert } from '../components/ErrorAlert';
import { SelectField, TextField } from '../components/Field';
import { DateTime } from '../components/time';
import { useSubmit } from '../components/useAction';
import { usePageTitle } from '../components/usePageTitle';
import { checkForm } from '../validate';
import { pupilOf, sourceLabel, stateLabel } from './labels';
import { useLoad } from './useLoad';

export function IncidentsPage() {
  usePageTitle('Incidents');
  const user = useUser();
  const isDsl = can(user.role, 'manageIncidents');
  const [state, setState] = useState('');
  const { data, error } = useLoad<{ incidents: IncidentSummary[] }>(withQuery('/api/incidents', { state }));

  return (
    <>
      <h1>Incidents</h1>
      <p className="lead">
        {isDsl
          ? 'Every concern recorded in Harbour, newest first.'
          : 'Concerns you recorded, and pupils’ reports from rooms you were supervising.'}
      </p>
      {isDsl && (
        <p className="toolbar">
          <a className="button" href="/api/incidents/export.csv" download>
            Download the log (CSV)
          </a>
          <Link className="button" to="/incidents/print">
            Printable log
          </Link>
          <Link className="button" to="/reports/governors">
            Governors’ report
          </Link>
          <Link className="button" to="/chronology">
            Pupil chronology
          </Link>
        </p>
      )}
      <SelectField
        label="Show"
        value={state}
        onChange={setState}
        options={[
          { value: '', label: 'All incidents' },
          ...incidentStates.map((s) => ({ value: s, label: stateLabel(s) })),
        ]}
      />
      <ErrorAlert error={error} />
      {data === null ? (
        error === null && <p className="muted">Loading incidents…</p>
      ) : data.incidents.length === 0 ? (
        <p className="empty">No incidents to show.</p>
      ) : (
        <IncidentTable incidents={data.incidents} />
      )}
      <RecordIncidentForm />
    </>
  );
}

export function IncidentTable({ incidents }: { incidents: IncidentSummary[] }) {
  return (
    <div className="table-wrap">
      <table>
        <caption className="visually-hidden">Incidents</caption>
        <thead>
          <tr>
            <th scope="col">Reference</th>
            <th scope="col">When</th>
            <th scope="col">Pupil</th>
            <th scope="col">What</th>
            <th scope="col">Where</th>
            <th scope="col">Source</th>
            <th scope="col">State</th>
          </tr>
        </thead>
        <tbody>
          {incidents.map((i) => (
            <tr key={i.id}>
              <th scope="row">
                <Link to={`/incidents/${i.id}`}>{i.ref}</Link>
              </th>
              <td>
                <DateTime iso={i.occurredAt} />
              </td>
              <td>{pupilOf(i)}</td>
              <td>{i.summary}</td>
              <td>{[i.roomName, i.deviceName].filter(Boolean).join(', ') || '—'}</td>
              <td>{sourceLabel[i.source]}</td>
              <td>
                <span className={`badge state-${i.state}`}>{stateLabel(i.state)}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function RecordIncidentForm() {
  const navigate = useNavigate();
  const user = useUser();
  const settings = useLoad<SafeguardingSettings>(
    can(user.role, 'manageIncidents') ? '/api/safeguarding/settings' : null,
  );
  const [summary, setSummary] = useState('');
  const [name, setName] = useState('');
  const [pupilWords, setPupilWords] = useState('');
  const [category, setCategory] = useState('unsorted');
  const { busy, error, run } = useSubmit();
  const categories = settings.data?.categories.filter((c) => !c.retired) ?? [
    { id: 'unsorted', label: 'Not yet categorised' },
  ];

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    await run(async () => {
      const body = {
        summary,
        category,
        subject: { name: name === '' ? null : name },
        details: { pupilWords: pupilWords === '' ? null : pupilWords, recorderName: user.displayName },
      };
      checkForm(createIncidentRequestSchema, body);
      const created = await api.post<Incident>('/api/incidents', body);
      void navigate(`/incidents/${created.id}`);
    });
  }

  return (
    <section className="panel">
      <h2>Record a concern</h2>
      <p className="hint">For example a pupil’s disclosure. The DSL is told at once.</p>
      <form onSubmit={submit} noValidate>
        <TextField label="What happened, in a few words" value={summary} onChange={setSummary} required />
        <TextField label="Pupil’s name" value={name} onChange={setName} />
        <TextAreaField
          label="The pupil’s own words"
          hint="Write down exactly what they said: who, what, where, when."
          value={pupilWords}
          onChange={setPupilWords}
        />
        <SelectField
          label="Category"
          value={category}
          onChange={setCategory}
          options={categories.map((c) => ({ value: c.id, label: c.label }))}
        />
        <button type="submit" className="button button-primary" disabled={busy}>
          Record the concern
        </button>
      </form>
      <ErrorAlert error={error} />
    </section>
  );
}

export function TextAreaField(props: {
  label: string;
  hint?: string;
  value: string;
  onChange: (v: string) => void;
  id?: string;
}) {
  const id = props.id ?? `ta-${props.label.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      {props.hint && (
        <p id={`${id}-hint`} className="hint">
          {props.hint}
        </p>
      )}
      <textarea
        id={id}
        rows={4}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        aria-describedby={props.hint ? `${id}-hint` : undefined}
      />
    </div>
  );
}
