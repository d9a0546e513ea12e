import { useState, type FormEvent, type ReactNode } from 'react';
import { Link, useParams } from 'react-router-dom';
import {
  escalationRouteLabels,
  escalationRoutes,
  incidentOutcomeLabels,
  incidentOutcomes,
  incidentStates,
  yearGroups,
  type EscalationRoute,
  type Incident,
  type IncidentDetails,
  type IncidentSummary,
  type SafeguardingSettings,
} from '@harbour/shared';
import { api } from '../api';
import { ErrorAlert } from '../components/ErrorAlert';
import { SelectField, TextField } from '../components/Field';
import { DateTime } from '../components/time';
import { useSubmit } from '../components/useAction';
import { usePageTitle } from '../components/usePageTitle';
import { EvidenceSection } from './Evidence';
import { routeGuidance, suggestedRoutes } from './guidance';
import { TextAreaField } from './IncidentsPage';
import { choiceLabel, pupilOf, sourceLabel, stateLabel } from './labels';
import { useLoad } from './useLoad';

const detailLabels: Record<keyof IncidentDetails, string> = {
  pupilWords: 'The pupil’s own words',
  concern: 'Why the adult is concerned',
  observed: 'What was observed, and when',
  websites: 'Websites, games and films',
  onlineNames: 'Avatar and online names',
  heardAndTold: 'What was heard and told, by whom, when',
  othersPresent: 'Other staff or children present',
  location: 'Where (if not at a computer)',
  recorderName: 'Recorded by',
  recorderPosition: 'Recorder’s position',
};

/** Runs a change and shows the incident the server returns (or the error). */
function useChange(setIncident: (i: Incident) => void) {
  const submit = useSubmit();
  const run = async (fn: () => Promise<Incident>) => {
    let ok = false;
    await submit.run(async () => {
      setIncident(await fn());
      ok = true;
    });
    return ok;
  };
  return { error: submit.error, busy: submit.busy, run };
}

export function IncidentPage() {
  const { incidentId = '' } = useParams();
  const { data: incident, error, set } = useLoad<Incident>(`/api/incidents/${incidentId}`);
  usePageTitle(incident?.ref ?? 'Incident');
  const settings = useLoad<SafeguardingSettings>(incident?.canManage ? '/api/safeguarding/settings' : null);
  const categoryLabel = (id: string) => settings.data?.categories.find((c) => c.id === id)?.label ?? id;

  if (!incident) {
    return (
      <>
        <p className="breadcrumb">
          <Link to="/incidents">All incidents</Link>
        </p>
        <ErrorAlert error={error} />
        {error === null && <p className="muted">Loading…</p>}
      </>
    );
  }
  const setIncident = (i: Incident) => set(i);
  return (
    <>
      <p className="breadcrumb">
        <Link to="/incidents">All incidents</Link>
      </p>
      <div className="page-heading">
        <h1>
          {incident.ref}: {incident.summary}
        </h1>
        <span className={`badge state-${incident.state}`} data-testid="incident-state">
          {stateLabel(incident.state)}
          {incident.outcome && ` · ${incidentOutcomeLabels[incident.outcome]}`}
        </span>
      </div>
      <dl className="facts">
        <Fact term="Pupil">
          {pupilOf(incident)}
          {incident.subject.username && incident.subject.name && ` (${incident.subject.username})`}
        </Fact>
        <Fact term="Year group">
          {incident.subject.yearGroup === 'unknown' ? 'Not recorded' : incident.subject.yearGroup}
        </Fact>
        {incident.subject.dateOfBirth && <Fact term="Date of birth">{incident.subject.dateOfBirth}</Fact>}
        <Fact term="When">
          <DateTime iso={incident.occurredAt} />
        </Fact>
        <Fact term="Where">
          {[
            incident.roomName,
            incident.deviceName,
            incident.deviceSerial && `serial ${incident.deviceSerial}`,
          ]
            .filter(Boolean)
            .join(', ') || 'Not at a Harbour computer'}
        </Fact>
        <Fact term="Category">{categoryLabel(incident.category)}</Fact>
        <Fact term="Source">{sourceLabel[incident.source]}</Fact>
        {incident.window && (
          <Fact term="On screen">
            {[incident.window.title, incident.window.url].filter(Boolean).join(' — ') || 'Unknown'}
          </Fact>
        )}
        {incident.pupilChoice && <Fact term="The pupil chose">{choiceLabel(incident.pupilChoice)}</Fact>}
        <Fact term="Assigned to">{incident.assignedTo?.name ?? 'Nobody yet'}</Fact>
        <Fact term="Recorded">
          <DateTime iso={incident.createdAt} /> {incident.createdBy && `by ${incident.createdBy.name}`}
        </Fact>
      </dl>

      <section aria-labelledby="record-heading">
        <h2 id="record-heading">Record of concern</h2>
        <dl className="facts">
          {(Object.keys(detailLabels) as (keyof IncidentDetails)[])
            .filter((k) => incident.details[k])
            .map((k) => (
              <Fact key={k} term={detailLabels[k]}>
                {incident.details[k]}
              </Fact>
            ))}
        </dl>
        {incident.canManage && incident.state !== 'closed' && (
          <EditRecord
            incident={incident}
            setIncident={setIncident}
            categories={settings.data?.categories ?? []}
          />
        )}
      </section>

      <EvidenceSection incident={incident} onChanged={setIncident} />

      {incident.canManage && <Workflow incident={incident} setIncident={setIncident} />}
      {incident.canManage && <Escalation incident={incident} setIncident={setIncident} />}
      <Actions incident={incident} setIncident={setIncident} />
      <People incident={incident} setIncident={setIncident} />
      <Notes incident={incident} setIncident={setIncident} />
      <History incident={incident} />
    </>
  );
}

function Fact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </>
  );
}

type Props = { incident: Incident; setIncident: (i: Incident) => void };

function EditRecord({
  incident,
  setIncident,
  categories,
}: Props & { categories: SafeguardingSettings['categories'] }) {
  const [open, setOpen] = useState(false);
  const [category, setCategory] = useState(incident.category);
  const [name, setName] = useState(incident.subject.name ?? '');
  const [yearGroup, setYearGroup] = useState<string>(incident.subject.yearGroup);
  const [dob, setDob] = useState(incident.subject.dateOfBirth ?? '');
  const [details, setDetails] = useState<Record<string, string>>(
    Object.fromEntries(
      Object.keys(detailLabels).map((k) => [k, incident.details[k as keyof IncidentDetails] ?? '']),
    ),
  );
  const { error, busy, run } = useChange(setIncident);
  if (!open) {
    return (
      <button type="button" className="button" onClick={() => setOpen(true)}>
        Edit the record
      </button>
    );
  }
  async function submit(event: FormEvent) {
    event.preventDefault();
    const ok = await run(() =>
      api.patch<Incident>(`/api/incidents/${incident.id}`, {
        category,
        subject: { name: name === '' ? null : name, yearGroup, dateOfBirth: dob === '' ? null : dob },
        details: Object.fromEntries(Object.entries(details).map(([k, v]) => [k, v.trim() === '' ? null : v])),
      }),
    );
    if (ok) setOpen(false);
  }
  return (
    <form onSubmit={submit} noValidate className="panel">
      <p className="hint">Every change is kept in the history; nothing is overwritten.</p>
      <SelectField
        label="Category"
        value={category}
        onChange={setCategory}
        options={categories
          .filter((c) => !c.retired || c.id === category)
          .map((c) => ({ value: c.id, label: c.label }))}
      />
      <TextField label="Pupil’s name" value={name} onChange={setName} />
      <SelectField
        label="Year group"
        value={yearGroup}
        onChange={setYearGroup}
        options={yearGroups.map((y) => ({ value: y, label: y === 'unknown' ? 'Not recorded' : y }))}
      />
      <TextField label="Date of birth (YYYY-MM-DD)" value={dob} onChange={setDob} />
      {Object.entries(detailLabels).map(([k, label]) => (
        <TextAreaField
          key={k}
          id={`detail-${k}`}
          label={label}
          value={details[k] ?? ''}
          onChange={(v) => setDetails((d) => ({ ...d, [k]: v }))}
        />
      ))}
      <div className="toolbar">
        <button type="submit" className="button button-primary" disabled={busy}>
          Save the record
        </button>
        <button type="button" className="button button-quiet" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
      <ErrorAlert error={error} />
    </form>
  );
}

function Workflow({ incident, setIncident }: Props) {
  const next = incidentStates.filter((s) => s !== 'new' && s !== incident.state);
  const [state, setState] = useState<string>(next[0] ?? 'closed');
  const [outcome, setOutcome] = useState<string>('resolved_in_school');
  const [note, setNote] = useState('');
  const [reason, setReason] = useState('');
  const { error, busy, run } = useChange(setIncident);
  return (
    <section aria-labelledby="workflow-heading" className="panel">
      <h2 id="workflow-heading">Progress</h2>
      {incident.state === 'closed' ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void run(() => api.post<Incident>(`/api/incidents/${incident.id}/reopen`, { reason }));
          }}
          noValidate
        >
          <p>This incident is closed. Reopening it is recorded with your reason.</p>
          <TextField label="Why reopen it?" value={reason} onChange={setReason} required />
          <button type="submit" className="button" disabled={busy}>
            Reopen
          </button>
        </form>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void run(() =>
              api.post<Incident>(`/api/incidents/${incident.id}/state`, {
                state,
                ...(state === 'closed' ? { outcome } : {}),
                ...(note.trim() ? { note } : {}),
              }),
            ).then((ok) => ok && setNote(''));
          }}
          noValidate
        >
          <SelectField
            label="Move to"
            value={state}
            onChange={setState}
            options={next.map((s) => ({ value: s, label: stateLabel(s) }))}
          />
          {state === 'closed' && (
            <SelectField
              label="Outcome"
              value={outcome}
              onChange={setOutcome}
              options={incidentOutcomes.map((o) => ({ value: o, label: incidentOutcomeLabels[o] }))}
            />
          )}
          <TextAreaField id="state-note" label="Note (optional)" value={note} onChange={setNote} />
          <button type="submit" className="button button-primary" disabled={busy}>
            Save progress
          </button>
        </form>
      )}
      <ErrorAlert error={error} />
    </section>
  );
}

function Escalation({ incident, setIncident }: Props) {
  const suggested = suggestedRoutes(incident.category);
  const [route, setRoute] = useState<EscalationRoute>(suggested[0] ?? 'dsl_decision');
  const [note, setNote] = useState('');
  const { error, busy, run } = useChange(setIncident);
  return (
    <section aria-labelledby="escalation-heading" className="panel">
      <h2 id="escalation-heading">Escalation</h2>
      <ul className="guidance">
        {escalationRoutes.map((r) => (
          <li key={r}>
            <strong>{escalationRouteLabels[r]}</strong>
            {suggested.includes(r) && (
              <span className="badge badge-neutral"> suggested for this category</span>
            )}
            : {routeGuidance[r]}
          </li>
        ))}
      </ul>
      {incident.escalations.length > 0 && (
        <>
          <h3>Routes taken</h3>
          <ul>
            {incident.escalations.map((e) => (
              <li key={e.id}>
                {escalationRouteLabels[e.route]} — {e.by}, <DateTime iso={e.at} />
                {e.note && `: ${e.note}`}
              </li>
            ))}
          </ul>
        </>
      )}
      {incident.state !== 'closed' && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void run(() =>
              api.post<Incident>(`/api/incidents/${incident.id}/escalations`, {
                route,
                ...(note.trim() ? { note } : {}),
              }),
            ).then((ok) => ok && setNote(''));
          }}
          noValidate
        >
          <SelectField
            label="Route taken"
            value={route}
            onChange={(v) => setRoute(v as EscalationRoute)}
            options={escalationRoutes.map((r) => ({ value: r, label: escalationRouteLabels[r] }))}
          />
          <TextAreaField
            id="escalation-note"
            label="Note (reference numbers, who you spoke to)"
            value={note}
            onChange={setNote}
          />
          <button type="submit" className="button button-primary" disabled={busy}>
            Record the escalation
          </button>
        </form>
      )}
      <ErrorAlert error={error} />
    </section>
  );
}

function Actions({ incident, setIncident }: Props) {
  const [what, setWhat] = useState('');
  const [who, setWho] = useState('');
  const [due, setDue] = useState('');
  const { error, busy, run } = useChange(setIncident);
  if (!incident.canManage && incident.actions.length === 0) return null;
  return (
    <section aria-labelledby="actions-heading">
      <h2 id="actions-heading">Actions</h2>
      {incident.actions.length === 0 ? (
        <p className="muted">No actions yet.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">What</th>
                <th scope="col">Who</th>
                <th scope="col">Due</th>
                <th scope="col">Done</th>
                <th scope="col">Outcome</th>
              </tr>
            </thead>
            <tbody>
              {incident.actions.map((a) => (
                <tr key={a.id}>
                  <td>{a.what}</td>
                  <td>{a.who}</td>
                  <td>{a.due ?? '—'}</td>
                  <td>
                    {a.done ? (
                      'Done'
                    ) : incident.canManage && incident.state !== 'closed' ? (
                      <button
                        type="button"
                        className="button button-small"
                        disabled={busy}
                        onClick={() => {
                          const outcome = window.prompt('What was the outcome of this action?') ?? '';
                          void run(() =>
                            api.patch<Incident>(`/api/incidents/${incident.id}/actions/${a.id}`, {
                              done: true,
                              ...(outcome ? { outcome } : {}),
                            }),
                          );
                        }}
                      >
                        Mark done
                      </button>
                    ) : (
                      'Not yet'
                    )}
                  </td>
                  <td>{a.outcome ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {incident.canManage && incident.state !== 'closed' && (
        <form
          className="panel"
          onSubmit={(e) => {
            e.preventDefault();
            void run(() =>
              api.post<Incident>(`/api/incidents/${incident.id}/actions`, {
                what,
                who,
                ...(due ? { due } : {}),
              }),
            ).then((ok) => {
              if (ok) {
                setWhat('');
                setWho('');
                setDue('');
              }
            });
          }}
          noValidate
        >
          <h3>Add an action</h3>
          <TextField label="What needs doing" value={what} onChange={setWhat} required />
          <TextField label="Who" value={who} onChange={setWho} required />
          <TextField label="Due date (YYYY-MM-DD)" value={due} onChange={setDue} />
          <button type="submit" className="button button-primary" disabled={busy}>
            Add the action
          </button>
        </form>
      )}
      <ErrorAlert error={error} />
    </section>
  );
}

function People({ incident, setIncident }: Props) {
  const [name, setName] = useState('');
  const [linkTo, setLinkTo] = useState('');
  const others = useLoad<{ incidents: IncidentSummary[] }>(
    incident.canManage ? '/api/incidents?limit=200' : null,
  );
  const { error, busy, run } = useChange(setIncident);
  const pupilKey = incident.subject.username ?? incident.subject.name;
  return (
    <section aria-labelledby="people-heading">
      <h2 id="people-heading">People and linked incidents</h2>
      {pupilKey && incident.canManage && (
        <p>
          <Link to={`/chronology?pupil=${encodeURIComponent(pupilKey)}`}>This pupil’s chronology</Link>
        </p>
      )}
      {incident.people.length > 0 && (
        <ul>
          {incident.people.map((p) => (
            <li key={p.id}>
              {p.name} ({p.role}
              {p.yearGroup !== 'unknown' && `, ${p.yearGroup}`})
            </li>
          ))}
        </ul>
      )}
      {incident.links.length > 0 && (
        <ul>
          {incident.links.map((l) => (
            <li key={l.id}>
              Linked: <Link to={`/incidents/${l.id}`}>{l.ref}</Link> ({stateLabel(l.state)})
            </li>
          ))}
        </ul>
      )}
      {incident.canManage && incident.state !== 'closed' && (
        <div className="panel">
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void run(() => api.post<Incident>(`/api/incidents/${incident.id}/people`, { name })).then(
                (ok) => ok && setName(''),
              );
            }}
            noValidate
            className="inline-form"
          >
            <TextField label="Another pupil or person involved" value={name} onChange={setName} />
            <button type="submit" className="button" disabled={busy}>
              Add
            </button>
          </form>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              if (linkTo)
                void run(() =>
                  api.post<Incident>(`/api/incidents/${incident.id}/links`, { incidentId: linkTo }),
                );
            }}
            noValidate
            className="inline-form"
          >
            <SelectField
              label="Link to another incident"
              value={linkTo}
              onChange={setLinkTo}
              options={[
                { value: '', label: 'Choose…' },
                ...(others.data?.incidents ?? [])
                  .filter((o) => o.id !== incident.id)
                  .map((o) => ({ value: o.id, label: `${o.ref}: ${o.summary}` })),
              ]}
            />
            <button type="submit" className="button" disabled={busy}>
              Link
            </button>
          </form>
        </div>
      )}
      <ErrorAlert error={error} />
    </section>
  );
}

function Notes({ incident, setIncident }: Props) {
  const [text, setText] = useState('');
  const { error, busy, run } = useChange(setIncident);
  return (
    <section aria-labelledby="notes-heading">
      <h2 id="notes-heading">Add a note</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void run(() => api.post<Incident>(`/api/incidents/${incident.id}/notes`, { text })).then(
            (ok) => ok && setText(''),
          );
        }}
        noValidate
      >
        <TextAreaField
          id="note-text"
          label="Note"
          hint="What was heard and told, a follow-up, a conversation."
          value={text}
          onChange={setText}
        />
        <button type="submit" className="button" disabled={busy}>
          Add the note
        </button>
      </form>
      <ErrorAlert error={error} />
    </section>
  );
}

const actionText: Record<string, string> = {
  'incident.create': 'Recorded',
  'incident.view': 'Viewed',
  'incident.update': 'Changed the record',
  'incident.state': 'Changed the state',
  'incident.reopen': 'Reopened',
  'incident.assign': 'Assigned',
  'incident.action_add': 'Added an action',
  'incident.action_update': 'Updated an action',
  'incident.escalate': 'Recorded an escalation',
  'incident.note': 'Added a note',
  'incident.link': 'Linked an incident',
  'incident.person_add': 'Added a person involved',
  'evidence.view': 'Viewed evidence',
  'evidence.reveal': 'Revealed a screenshot',
  'evidence.view_refused': 'Was refused evidence',
  'evidence.share': 'Shared evidence with teachers',
  'evidence.unshare': 'Stopped sharing evidence',
  'evidence.suspected_illegal': 'Marked a suspected illegal image',
  'evidence.sealed_export': 'Exported the sealed package',
  'evidence.attach': 'Attached an image',
  'tell.acknowledge': 'Acknowledged the pupil’s report',
  'tell.release': 'Released the covered screen',
  'tell.pupil_said': 'The pupil added',
  'tell.pin_refused': 'A wrong PIN was typed',
};

function describe(detail: unknown): string {
  if (!detail || typeof detail !== 'object') return '';
  const d = detail as Record<string, unknown>;
  if (typeof d.text === 'string') return d.text;
  if (typeof d.reason === 'string') return d.reason;
  if (typeof d.to === 'string' && typeof d.from === 'string') {
    const outcome = typeof d.outcome === 'string' ? ` (${d.outcome})` : '';
    return `${d.from} → ${d.to}${outcome}`;
  }
  if (typeof d.route === 'string') return escalationRouteLabels[d.route as EscalationRoute] ?? d.route;
  if (typeof d.what === 'string') return d.what;
  if (d.changes && typeof d.changes === 'object') return Object.keys(d.changes).join(', ');
  if (typeof d.words === 'string' || typeof d.choiceLabel === 'string')
    return [d.choiceLabel, d.words].filter(Boolean).join(': ');
  return '';
}

function History({ incident }: { incident: Incident }) {
  const [showViews, setShowViews] = useState(false);
  const entries = incident.history.filter(
    (h) => showViews || (h.action !== 'incident.view' && h.action !== 'evidence.view'),
  );
  return (
    <section aria-labelledby="history-heading">
      <h2 id="history-heading">History</h2>
      <p className="hint">
        Every change is added here and kept; the trail is hash-chained so any alteration is detected.
      </p>
      <label className="check">
        <input type="checkbox" checked={showViews} onChange={(e) => setShowViews(e.target.checked)} /> Show
        who viewed it
      </label>
      <ol className="history">
        {entries.map((h) => (
          <li key={h.id}>
            <DateTime iso={h.at} /> — <strong>{h.actor}</strong>: {actionText[h.action] ?? h.action}
            {describe(h.detail) && ` — ${describe(h.detail)}`}
          </li>
        ))}
      </ol>
    </section>
  );
}
