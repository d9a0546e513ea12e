import { useRef, useState, type FormEvent } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import {
  escalationRoutes,
  incidentOutcomes,
  incidentStates,
  yearGroups,
  type EscalationRoute,
  type Incident,
  type IncidentDetails,
  type IncidentOutcome,
  type IncidentState,
  type IncidentSummary,
  type SafeguardingSettings,
} from '@harbour/shared';
import { api } from '../api';
import { ConcernReceiptNote } from '../alerts/ConcernReceipt';
import { useUser } from '../auth';
import { ErrorAlert } from '../components/ErrorAlert';
import { DateField, SelectField, TextAreaField, TextField } from '../components/Field';
import { FormProblems } from '../components/formProblems';
import { DateTime } from '../components/time';
import { useSubmit } from '../components/useAction';
import { usePageTitle } from '../components/usePageTitle';
import { ConfirmDialog } from './ConfirmDialog';
import { Fact, IncidentFacts } from './IncidentFacts';
import { EvidenceSection } from './Evidence';
import { categoryLabel, yearGroupLabel } from '../labels';
import { useCategories } from './categories';
import { suggestedRoutes } from './guidance';
import { choiceLabel } from './labels';
import { useLoad } from './useLoad';
import { useFormat } from '../i18n/format';

export const detailKeys: (keyof IncidentDetails)[] = [
  'pupilWords',
  'concern',
  'observed',
  'websites',
  'onlineNames',
  'heardAndTold',
  'othersPresent',
  'location',
  'recorderName',
  'recorderPosition',
];

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
  const { t } = useTranslation();
  const { data: incident, error, set } = useLoad<Incident>(`/api/incidents/${incidentId}`);
  usePageTitle(incident?.ref ?? t('incident.title'));
  const categories = useCategories();
  const user = useUser();

  if (!incident) {
    return (
      <>
        <p className="breadcrumb">
          <Link to="/incidents">{t('incidents.all')}</Link>
        </p>
        {/* Refused (not found, or a second factor needed): the page still says what it is. */}
        {error !== null && <h1>{t('incident.title')}</h1>}
        {/* A concern's recorder without a second factor cannot open it, but is still told it arrived. */}
        {error !== null && <ConcernReceiptNote incidentId={incidentId} />}
        <ErrorAlert error={error} />
        {error === null && <p className="muted">{t('common.loading')}</p>}
      </>
    );
  }
  const setIncident = (i: Incident) => set(i);
  return (
    <>
      <p className="breadcrumb">
        <Link to="/incidents">{t('incidents.all')}</Link>
      </p>
      <div className="page-heading">
        <h1>
          {incident.ref}: {incident.summary}
        </h1>
        <span className={`badge state-${incident.state}`} data-testid="incident-state">
          {t(`enums.incidentState.${incident.state}`)}
          {incident.outcome && ` · ${t(`enums.incidentOutcome.${incident.outcome}`)}`}
        </span>
      </div>
      <p className="toolbar">
        <Link className="button" to={`/incidents/${incident.id}/print`}>
          {t('incidentPrint.print')}
        </Link>
      </p>
      {incident.createdBy?.id === user.id && (
        <ConcernReceiptNote incidentId={incident.id} initial={incident.receipt} />
      )}
      <div className="incident-columns">
        <div className="incident-record">
          <IncidentFacts incident={incident} />

          <section aria-labelledby="record-heading">
            <h2 id="record-heading">{t('incident.recordOfConcern')}</h2>
            <dl className="facts">
              {detailKeys
                .filter((k) => incident.details[k])
                .map((k) => (
                  <Fact key={k} term={t(`incidents.details.${k}`)}>
                    {incident.details[k]}
                  </Fact>
                ))}
            </dl>
            {incident.canManage && incident.state !== 'closed' && (
              <EditRecord incident={incident} setIncident={setIncident} categories={categories.list ?? []} />
            )}
          </section>

          <EvidenceSection incident={incident} onChanged={setIncident} />
        </div>
        <div className="incident-work">
          {incident.canManage && <Workflow incident={incident} setIncident={setIncident} />}
          {incident.canManage && <Escalation incident={incident} setIncident={setIncident} />}
          <Actions incident={incident} setIncident={setIncident} />
          <People incident={incident} setIncident={setIncident} />
          <Notes incident={incident} setIncident={setIncident} />
          <History incident={incident} />
        </div>
      </div>
    </>
  );
}

type Props = { incident: Incident; setIncident: (i: Incident) => void };

function EditRecord({
  incident,
  setIncident,
  categories,
}: Props & { categories: SafeguardingSettings['categories'] }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [category, setCategory] = useState(incident.category);
  const [name, setName] = useState(incident.subject.name ?? '');
  const [yearGroup, setYearGroup] = useState<string>(incident.subject.yearGroup);
  const [dob, setDob] = useState(incident.subject.dateOfBirth ?? '');
  const [details, setDetails] = useState<Record<string, string>>(
    Object.fromEntries(detailKeys.map((k) => [k, incident.details[k] ?? ''])),
  );
  const { error, busy, run } = useChange(setIncident);
  if (!open) {
    return (
      <button type="button" className="button" onClick={() => setOpen(true)}>
        {t('incident.edit.open')}
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
    <FormProblems error={error}>
      <form onSubmit={submit} noValidate className="panel">
        <p className="hint">{t('incident.edit.hint')}</p>
        <SelectField
          label={t('incidents.columns.category')}
          name="category"
          value={category}
          onChange={setCategory}
          options={categories
            .filter((c) => !c.retired || c.id === category)
            .map((c) => ({ value: c.id, label: categoryLabel(t, c.id, c.label) }))}
        />
        <TextField label={t('incidents.record.name')} name="subject.name" value={name} onChange={setName} />
        <SelectField
          label={t('incident.yearGroup')}
          name="subject.yearGroup"
          value={yearGroup}
          onChange={setYearGroup}
          options={yearGroups.map((y) => ({ value: y, label: yearGroupLabel(t, y) }))}
        />
        <DateField
          label={t('incident.dob')}
          name="subject.dateOfBirth"
          invalid={t('incident.edit.dobInvalid')}
          max={new Date().toISOString().slice(0, 10)}
          value={dob}
          onChange={setDob}
        />
        {detailKeys.map((k) => (
          <TextAreaField
            key={k}
            id={`detail-${k}`}
            name={`details.${k}`}
            label={t(`incidents.details.${k}`)}
            value={details[k] ?? ''}
            onChange={(v) => setDetails((d) => ({ ...d, [k]: v }))}
          />
        ))}
        <div className="toolbar">
          <button type="submit" className="button button-primary" disabled={busy}>
            {t('incident.edit.save')}
          </button>
          <button type="button" className="button button-quiet" onClick={() => setOpen(false)}>
            {t('common.cancel')}
          </button>
        </div>
        <ErrorAlert error={error} />
      </form>
    </FormProblems>
  );
}

function Workflow({ incident, setIncident }: Props) {
  const { t } = useTranslation();
  const next = incidentStates.filter((s) => s !== 'new' && s !== incident.state);
  const [state, setState] = useState<string>(next[0] ?? 'closed');
  const [outcome, setOutcome] = useState<string>('resolved_in_school');
  const [note, setNote] = useState('');
  const [reason, setReason] = useState('');
  const [confirming, setConfirming] = useState(false);
  const saveButton = useRef<HTMLButtonElement>(null);
  const { error, busy, run } = useChange(setIncident);
  return (
    <section aria-labelledby="workflow-heading" className="panel">
      <h2 id="workflow-heading">{t('incident.workflow.title')}</h2>
      {incident.state === 'closed' ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void run(() => api.post<Incident>(`/api/incidents/${incident.id}/reopen`, { reason }));
          }}
          noValidate
        >
          <p>{t('incident.workflow.closed')}</p>
          <FormProblems error={error}>
            <TextField
              label={t('incident.workflow.why')}
              name="reason"
              value={reason}
              onChange={setReason}
              required
            />
          </FormProblems>
          <button type="submit" className="button" disabled={busy}>
            {t('incident.workflow.reopen')}
          </button>
        </form>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            // A change of status is on the record for good: say what will happen, then do it.
            setConfirming(true);
          }}
          noValidate
        >
          <SelectField
            label={t('incident.workflow.moveTo')}
            value={state}
            onChange={setState}
            options={next.map((s) => ({ value: s, label: t(`enums.incidentState.${s}`) }))}
          />
          {state === 'closed' && (
            <SelectField
              label={t('incident.workflow.outcome')}
              value={outcome}
              onChange={setOutcome}
              options={incidentOutcomes.map((o) => ({ value: o, label: t(`enums.incidentOutcome.${o}`) }))}
            />
          )}
          <TextAreaField
            id="state-note"
            label={t('incident.workflow.note')}
            value={note}
            onChange={setNote}
          />
          {confirming && (
            <ConfirmDialog
              title={t('incident.confirm.title', { ref: incident.ref })}
              confirmLabel={t('incident.workflow.yes')}
              returnFocusTo={saveButton.current}
              onCancel={() => setConfirming(false)}
              onConfirm={() => {
                setConfirming(false);
                void run(() =>
                  api.post<Incident>(`/api/incidents/${incident.id}/state`, {
                    state,
                    ...(state === 'closed' ? { outcome } : {}),
                    ...(note.trim() ? { note } : {}),
                  }),
                ).then((ok) => ok && setNote(''));
              }}
            >
              <p>
                {t(state === 'closed' ? 'incident.workflow.confirmClose' : 'incident.workflow.confirm', {
                  ref: incident.ref,
                  from: t(`enums.incidentState.${incident.state}`),
                  to: t(`enums.incidentState.${state as IncidentState}`),
                  outcome: t(`enums.incidentOutcome.${outcome as IncidentOutcome}`),
                })}
              </p>
              {note.trim() !== '' && (
                <p>
                  {t('incident.confirm.note')} <q>{note.trim()}</q>
                </p>
              )}
            </ConfirmDialog>
          )}
          <button
            type="submit"
            className="button button-primary"
            disabled={busy || confirming}
            ref={saveButton}
          >
            {t('incident.workflow.save')}
          </button>
        </form>
      )}
      <ErrorAlert error={error} />
    </section>
  );
}

function Escalation({ incident, setIncident }: Props) {
  const { t } = useTranslation();
  const suggested = suggestedRoutes(incident.category);
  const [route, setRoute] = useState<EscalationRoute>(suggested[0] ?? 'dsl_decision');
  const [note, setNote] = useState('');
  const { error, busy, run } = useChange(setIncident);
  return (
    <section aria-labelledby="escalation-heading" className="panel">
      <h2 id="escalation-heading">{t('incident.escalation.title')}</h2>
      <ul className="guidance">
        {escalationRoutes.map((r) => (
          <li key={r}>
            <strong>{t(`enums.escalationRoute.${r}`)}</strong>
            {suggested.includes(r) && (
              <span className="badge badge-neutral"> {t('incident.escalation.suggested')}</span>
            )}
            : {t(`incidents.guidance.${r}`)}
          </li>
        ))}
      </ul>
      {incident.escalations.length > 0 && (
        <>
          <h3>{t('incident.escalation.taken')}</h3>
          <ul>
            {incident.escalations.map((e) => (
              <li key={e.id}>
                {t(`enums.escalationRoute.${e.route}`)} — {e.by}, <DateTime iso={e.at} />
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
            label={t('incident.escalation.route')}
            value={route}
            onChange={(v) => setRoute(v as EscalationRoute)}
            options={escalationRoutes.map((r) => ({ value: r, label: t(`enums.escalationRoute.${r}`) }))}
          />
          <TextAreaField
            id="escalation-note"
            label={t('incident.escalation.note')}
            value={note}
            onChange={setNote}
          />
          <button type="submit" className="button button-primary" disabled={busy}>
            {t('incident.escalation.submit')}
          </button>
        </form>
      )}
      <ErrorAlert error={error} />
    </section>
  );
}

function Actions({ incident, setIncident }: Props) {
  const { t } = useTranslation();
  const f = useFormat();
  const [what, setWhat] = useState('');
  const [who, setWho] = useState('');
  const [due, setDue] = useState('');
  const { error, busy, run } = useChange(setIncident);
  if (!incident.canManage && incident.actions.length === 0) return null;
  return (
    <section aria-labelledby="actions-heading">
      <h2 id="actions-heading">{t('incident.actions.title')}</h2>
      {incident.actions.length === 0 ? (
        <p className="muted">{t('incident.actions.none')}</p>
      ) : (
        <div className="table-wrap">
          {/* Cards until the column is wide enough for five columns (two-column layout at 1024 px). */}
          <table className="data-table data-table-wide">
            <thead>
              <tr>
                <th scope="col">{t('incident.actions.what')}</th>
                <th scope="col">{t('incident.actions.who')}</th>
                <th scope="col">{t('incident.actions.due')}</th>
                <th scope="col">{t('incident.actions.done')}</th>
                <th scope="col">{t('incident.workflow.outcome')}</th>
              </tr>
            </thead>
            <tbody>
              {incident.actions.map((a) => (
                <tr key={a.id}>
                  <td data-label={t('incident.actions.what')}>{a.what}</td>
                  <td data-label={t('incident.actions.who')}>{a.who}</td>
                  <td data-label={t('incident.actions.due')}>{a.due ? f.date(a.due) : t('common.dash')}</td>
                  <td data-label={t('incident.actions.done')}>
                    {a.done ? (
                      t('incident.actions.doneYes')
                    ) : incident.canManage && incident.state !== 'closed' ? (
                      <button
                        type="button"
                        className="button button-small"
                        disabled={busy}
                        onClick={() => {
                          const outcome = window.prompt(t('incident.actions.outcomePrompt')) ?? '';
                          void run(() =>
                            api.patch<Incident>(`/api/incidents/${incident.id}/actions/${a.id}`, {
                              done: true,
                              ...(outcome ? { outcome } : {}),
                            }),
                          );
                        }}
                      >
                        {t('incident.actions.markDone')}
                      </button>
                    ) : (
                      t('incident.actions.notYet')
                    )}
                  </td>
                  <td data-label={t('incident.workflow.outcome')}>{a.outcome ?? t('common.dash')}</td>
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
          <h3>{t('incident.actions.add')}</h3>
          <FormProblems error={error}>
            <TextField
              label={t('incident.actions.whatField')}
              name="what"
              value={what}
              onChange={setWhat}
              required
            />
            <TextField label={t('incident.actions.who')} name="who" value={who} onChange={setWho} required />
            <DateField
              label={t('incident.actions.dueField')}
              name="due"
              invalid={t('incident.actions.dueInvalid')}
              value={due}
              onChange={setDue}
            />
          </FormProblems>
          <button type="submit" className="button button-primary" disabled={busy}>
            {t('incident.actions.submit')}
          </button>
        </form>
      )}
      <ErrorAlert error={error} />
    </section>
  );
}

function People({ incident, setIncident }: Props) {
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const [linkTo, setLinkTo] = useState('');
  const others = useLoad<{ incidents: IncidentSummary[] }>(
    incident.canManage ? '/api/incidents?limit=200' : null,
  );
  const { error, busy, run } = useChange(setIncident);
  const pupilKey = incident.subject.username ?? incident.subject.name;
  return (
    <section aria-labelledby="people-heading">
      <h2 id="people-heading">{t('incident.people.title')}</h2>
      {pupilKey && incident.canManage && (
        <p>
          <Link to={`/chronology?pupil=${encodeURIComponent(pupilKey)}`}>
            {t('incident.people.chronology')}
          </Link>
        </p>
      )}
      {incident.people.length > 0 && (
        <ul>
          {incident.people.map((p) => (
            <li key={p.id}>
              {p.name} ({p.role}
              {p.yearGroup !== 'unknown' && `, ${yearGroupLabel(t, p.yearGroup)}`})
            </li>
          ))}
        </ul>
      )}
      {incident.links.length > 0 && (
        <ul>
          {incident.links.map((l) => (
            <li key={l.id}>
              {t('incident.people.linked')} <Link to={`/incidents/${l.id}`}>{l.ref}</Link> (
              {t(`enums.incidentState.${l.state}`)})
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
            <TextField label={t('incident.people.another')} value={name} onChange={setName} />
            <button type="submit" className="button" disabled={busy}>
              {t('common.add')}
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
              label={t('incident.people.linkTo')}
              value={linkTo}
              onChange={setLinkTo}
              options={[
                { value: '', label: t('incident.people.choose') },
                ...(others.data?.incidents ?? [])
                  .filter((o) => o.id !== incident.id)
                  .map((o) => ({ value: o.id, label: `${o.ref}: ${o.summary}` })),
              ]}
            />
            <button type="submit" className="button" disabled={busy}>
              {t('incident.people.link')}
            </button>
          </form>
        </div>
      )}
      <ErrorAlert error={error} />
    </section>
  );
}

function Notes({ incident, setIncident }: Props) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const { error, busy, run } = useChange(setIncident);
  return (
    <section aria-labelledby="notes-heading">
      <h2 id="notes-heading">{t('incident.notes.title')}</h2>
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
          label={t('incident.notes.label')}
          name="text"
          hint={t('incident.notes.hint')}
          value={text}
          onChange={setText}
        />
        <button type="submit" className="button" disabled={busy}>
          {t('incident.notes.submit')}
        </button>
      </form>
      <ErrorAlert error={error} />
    </section>
  );
}

/** What a history entry says, in words: the note's text, the action with who and when, the change. */
export function describe(
  t: TFunction,
  detail: unknown,
  incident: Incident,
  date: (iso: string) => string,
): string {
  if (!detail || typeof detail !== 'object') return '';
  const d = detail as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v : null);
  if (text(d.text)) return String(d.text);
  if (text(d.reason)) return String(d.reason);
  if (typeof d.to === 'string' && typeof d.from === 'string' && !/^[0-9a-f-]{36}$/.test(d.to)) {
    const state = (v: string) =>
      t(`enums.incidentState.${v}` as 'enums.incidentState.new', { defaultValue: v });
    const outcome =
      typeof d.outcome === 'string'
        ? ` (${t(`enums.incidentOutcome.${d.outcome}` as 'enums.incidentOutcome.unfounded', { defaultValue: d.outcome })})`
        : '';
    return [`${state(d.from)} → ${state(d.to)}${outcome}`, text(d.note)].filter(Boolean).join(' — ');
  }
  if (typeof d.route === 'string')
    return [
      t(`enums.escalationRoute.${d.route}` as 'enums.escalationRoute.iwf', { defaultValue: d.route }),
      text(d.note),
    ]
      .filter(Boolean)
      .join(' — ');
  if (typeof d.what === 'string') {
    const who = text(d.who);
    const due = text(d.due);
    const extra = [who, due && t('incident.chronology.due', { date: date(due) })].filter(Boolean).join(', ');
    return extra ? `${d.what} (${extra})` : d.what;
  }
  if (typeof d.actionId === 'string' && typeof d.done === 'boolean') {
    const action = incident.actions.find((a) => a.id === d.actionId);
    return [
      action?.what,
      d.done ? t('incident.chronology.done') : t('incident.chronology.notDone'),
      text(d.outcome),
    ]
      .filter(Boolean)
      .join(' — ');
  }
  if (d.changes && typeof d.changes === 'object') return Object.keys(d.changes).join(', ');
  if (typeof d.words === 'string' || typeof d.choiceLabel === 'string') {
    const choice =
      typeof d.choice === 'string'
        ? choiceLabel(t, d.choice)
        : typeof d.choiceLabel === 'string'
          ? d.choiceLabel
          : null;
    return [choice, d.words].filter(Boolean).join(': ');
  }
  return '';
}

function History({ incident }: { incident: Incident }) {
  const { t } = useTranslation();
  const f = useFormat();
  const [showViews, setShowViews] = useState(false);
  const entries = incident.history.filter(
    (h) => showViews || (h.action !== 'incident.view' && h.action !== 'evidence.view'),
  );
  return (
    <section aria-labelledby="history-heading">
      <h2 id="history-heading">{t('incident.history.title')}</h2>
      <p className="hint">{t('incident.history.hint')}</p>
      <label className="check">
        <input type="checkbox" checked={showViews} onChange={(e) => setShowViews(e.target.checked)} />{' '}
        {t('incident.history.showViews')}
      </label>
      <ol className="history">
        {entries.map((h) => (
          <li key={h.id}>
            <DateTime iso={h.at} /> — <strong>{h.actor}</strong>:{' '}
            {t(
              `incident.history.action.${h.action.replace('.', '_')}` as 'incident.history.action.incident_view',
              {
                defaultValue: h.action,
              },
            )}
            {describe(t, h.detail, incident, f.date) && ` — ${describe(t, h.detail, incident, f.date)}`}
          </li>
        ))}
      </ol>
    </section>
  );
}
