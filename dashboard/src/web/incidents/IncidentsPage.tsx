import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import {
  can,
  createIncidentRequestSchema,
  defaultIncidentCategories,
  incidentStates,
  type Incident,
  type IncidentList,
  type IncidentSummary,
  type School,
} from '@harbour/shared';
import { api, withQuery } from '../api';
import { ConcernReceiptNote } from '../alerts/ConcernReceipt';
import { useAuth, useUser } from '../auth';
import { DataTable } from '../components/DataTable';
import { ErrorAlert } from '../components/ErrorAlert';
import { DateField, SelectField, TextAreaField, TextField } from '../components/Field';
import { FormProblems } from '../components/formProblems';
import { DateTime } from '../components/time';
import { useSubmit } from '../components/useAction';
import { usePageTitle } from '../components/usePageTitle';
import { schoolName, useTrustSchools } from '../schools';
import { checkForm } from '../validate';
import { useActiveCategories, useCategories } from './categories';
import { pupilOf } from './labels';
import { useLoad } from './useLoad';

/** Today's date where the browser is (the school), as YYYY-MM-DD. */
function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

const filterKeys = [
  'state',
  'category',
  'assignee',
  'due',
  'className',
  'from',
  'to',
  'pupil',
  'pupilId',
  'q',
  'school',
] as const;

export function IncidentsPage() {
  const { t } = useTranslation();
  usePageTitle(t('incidents.title'));
  const user = useUser();
  const isDsl = can(user.role, 'manageIncidents');
  // The filters live in the address, so a link (the banner's "and 3 more") or a reload keeps them.
  const [params, setParams] = useSearchParams();
  const filter = Object.fromEntries(filterKeys.map((k) => [k, params.get(k) ?? ''])) as Record<
    (typeof filterKeys)[number],
    string
  >;
  const [search, setSearch] = useState(filter.q);
  // Back and Forward change the address: the search box follows it.
  useEffect(() => setSearch(filter.q), [filter.q]);
  // Each change is a step in the browser's history, so Back returns to the view before it.
  const set = (key: (typeof filterKeys)[number], value: string) =>
    setParams((current) => {
      const next = new URLSearchParams(current);
      if (value === '') next.delete(key);
      else next.set(key, value);
      return next;
    });
  const filtered = filterKeys.some((k) => filter[k] !== '');
  const clear = () => {
    setSearch('');
    setParams(new URLSearchParams());
  };
  const active = useActiveCategories();
  // Trust-level staff of a trust of several schools: a School column and filter (nobody else).
  const schools = useTrustSchools();
  const { data, error } = useLoad<IncidentList>(
    withQuery('/api/incidents', { ...filter, today: filter.due ? today() : undefined }),
  );

  return (
    <>
      <h1>{t('incidents.title')}</h1>
      <p className="lead">{isDsl ? t('incidents.leadDsl') : t('incidents.leadTeacher')}</p>
      {isDsl && (
        <p className="toolbar">
          <a className="button" href="/api/incidents/export.csv" download>
            {t('incidents.csv')}
          </a>
          <Link className="button" to="/incidents/print">
            {t('incidents.printable')}
          </Link>
          <Link className="button" to="/reports/governors">
            {t('governors.title')}
          </Link>
          <Link className="button" to="/chronology">
            {t('chronology.title')}
          </Link>
        </p>
      )}
      <search className="filter-bar" aria-label={t('incidents.filters.label')}>
        <form
          className="filter-search"
          onSubmit={(e) => {
            e.preventDefault();
            set('q', search.trim());
          }}
        >
          <TextField
            label={t('incidents.filters.search')}
            type="search"
            value={search}
            onChange={setSearch}
            maxLength={100}
          />
          <button type="submit" className="button">
            {t('incidents.filters.find')}
          </button>
        </form>
        <SelectField
          label={t('common.show')}
          value={filter.state}
          onChange={(v) => set('state', v)}
          options={[
            { value: '', label: t('incidents.allStates') },
            ...incidentStates.map((s) => ({ value: s, label: t(`enums.incidentState.${s}`) })),
          ]}
        />
        <SelectField
          label={t('incidents.columns.category')}
          value={filter.category}
          onChange={(v) => set('category', v)}
          options={[
            { value: '', label: t('incidents.filters.anyCategory') },
            ...(active ?? []).map((c) => ({ value: c.id, label: c.label })),
          ]}
        />
        {isDsl && (
          <SelectField
            label={t('incidents.columns.assigned')}
            value={filter.assignee}
            onChange={(v) => set('assignee', v)}
            options={[
              { value: '', label: t('incidents.filters.anyone') },
              { value: user.id, label: t('incidents.filters.me') },
              { value: 'nobody', label: t('incidents.nobodyYet') },
            ]}
          />
        )}
        {isDsl && (
          <SelectField
            label={t('incidents.filters.actions')}
            value={filter.due}
            onChange={(v) => set('due', v)}
            options={[
              { value: '', label: t('incidents.filters.anyActions') },
              { value: 'overdue', label: t('incidents.filters.overdue') },
              { value: 'week', label: t('incidents.filters.week') },
            ]}
          />
        )}
        {((data?.classes.length ?? 0) > 0 || filter.className !== '') && (
          <SelectField
            label={t('incidents.list.class')}
            value={filter.className}
            onChange={(v) => set('className', v)}
            options={[
              { value: '', label: t('incidents.list.anyClass') },
              ...[
                ...new Set([...(data?.classes ?? []), ...(filter.className ? [filter.className] : [])]),
              ].map((c) => ({ value: c, label: c })),
            ]}
          />
        )}
        {schools !== null && (
          <SelectField
            label={t('schools.column')}
            value={filter.school}
            onChange={(v) => set('school', v)}
            options={[
              { value: '', label: t('schools.any') },
              ...schools.map((s) => ({ value: String(s.id), label: s.name })),
            ]}
          />
        )}
        <DateField label={t('incidents.list.from')} value={filter.from} onChange={(v) => set('from', v)} />
        <DateField label={t('incidents.list.to')} value={filter.to} onChange={(v) => set('to', v)} />
      </search>
      {(filter.pupil !== '' || filter.pupilId !== '') && (
        <p className="hint">{t('incidents.list.onePupil')}</p>
      )}
      {filtered && (
        <p className="toolbar">
          <button type="button" className="button" onClick={clear}>
            {t('incidents.list.clear')}
          </button>
        </p>
      )}
      <ErrorAlert error={error} />
      {data === null ? (
        error === null && <p className="muted">{t('incidents.loading')}</p>
      ) : data.incidents.length === 0 ? (
        <p className="empty" role="status">
          {filtered ? t('incidents.list.noMatch') : t('incidents.none')}
        </p>
      ) : (
        <>
          <p className="muted" role="status" data-testid="incident-count">
            {data.total > data.incidents.length
              ? t('incidents.list.showing', { shown: data.incidents.length, count: data.total })
              : t('incidents.filters.found', { count: data.total })}
          </p>
          <IncidentTable incidents={data.incidents} schools={schools} />
        </>
      )}
      <RecordIncidentForm />
    </>
  );
}

export function IncidentTable({
  incidents,
  schools = null,
}: {
  incidents: IncidentSummary[];
  /** The trust's schools, for a School column (null: none, as for a school's own staff). */
  schools?: School[] | null;
}) {
  const { t } = useTranslation();
  const categories = useCategories();
  return (
    <DataTable
      caption={t('incidents.title')}
      hideCaption
      rows={incidents}
      rowKey={(i) => i.id}
      columns={[
        {
          key: 'ref',
          header: t('incidents.columns.ref'),
          rowHeader: true,
          cell: (i) => <Link to={`/incidents/${i.id}`}>{i.ref}</Link>,
        },
        { key: 'when', header: t('incidents.columns.when'), cell: (i) => <DateTime iso={i.occurredAt} /> },
        ...(schools === null
          ? []
          : [
              {
                key: 'school',
                header: t('schools.column'),
                cell: (i: IncidentSummary) => schoolName(schools, i.schoolId) ?? t('common.dash'),
              },
            ]),
        { key: 'pupil', header: t('incidents.columns.pupil'), cell: (i) => pupilOf(t, i) },
        { key: 'what', header: t('incidents.columns.what'), cell: (i) => i.summary },
        {
          key: 'category',
          header: t('incidents.columns.category'),
          cell: (i) => categories.label(i.category),
        },
        {
          key: 'where',
          header: t('incidents.columns.where'),
          cell: (i) => [i.roomName, i.deviceName].filter(Boolean).join(', ') || t('common.dash'),
        },
        {
          key: 'source',
          header: t('incidents.columns.source'),
          cell: (i) => t(`enums.incidentSource.${i.source}`),
        },
        {
          key: 'assigned',
          header: t('incidents.columns.assigned'),
          cell: (i) => i.assignedTo?.name ?? <span className="muted">{t('incidents.nobodyYet')}</span>,
        },
        {
          key: 'state',
          header: t('incidents.columns.state'),
          cell: (i) => (
            <span className={`badge state-${i.state}`}>{t(`enums.incidentState.${i.state}`)}</span>
          ),
        },
      ]}
    />
  );
}

function RecordIncidentForm() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const user = useUser();
  const categories = useCategories();
  const [summary, setSummary] = useState('');
  const [name, setName] = useState('');
  const [pupilWords, setPupilWords] = useState('');
  const [category, setCategory] = useState('unsorted');
  const { busy, error, run } = useSubmit();
  const { state } = useAuth();
  // Without a second factor the record cannot be opened (issue 17): say it is safe instead.
  const canOpen = state.status === 'signedIn' && !state.session.recordsNeedSecondFactor;
  const [recorded, setRecorded] = useState<{ ref: string; id: string } | null>(null);
  // The school's own list, which a teacher may read too (until it arrives, Harbour's; the server checks).
  const active = useActiveCategories();
  const options =
    active?.map((c) => ({ value: c.id, label: c.label })) ??
    defaultIncidentCategories.map((c) => ({ value: c.id, label: categories.label(c.id) }));

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
      if (canOpen) {
        void navigate(`/incidents/${created.id}`);
        return;
      }
      setSummary('');
      setName('');
      setPupilWords('');
      setCategory('unsorted');
      setRecorded({ ref: created.ref, id: created.id });
    });
  }

  return (
    <section className="panel">
      <h2>{t('incidents.record.title')}</h2>
      <p className="hint">{t('incidents.record.hint')}</p>
      <div role="status" className="confirmation">
        {recorded !== null && <p>{t('incidents.record.recorded', { reference: recorded.ref })}</p>}
      </div>
      {/* And then, live, who at the DSL's end has it. */}
      {recorded !== null && <ConcernReceiptNote incidentId={recorded.id} />}
      <FormProblems error={error}>
        <form onSubmit={submit} noValidate>
          <TextField
            label={t('incidents.record.summary')}
            name="summary"
            invalid={t('incidents.record.summaryInvalid')}
            value={summary}
            onChange={setSummary}
            required
          />
          <TextField label={t('incidents.record.name')} name="subject.name" value={name} onChange={setName} />
          <TextAreaField
            label={t('incidents.details.pupilWords')}
            name="details.pupilWords"
            hint={t('incidents.record.wordsHint')}
            value={pupilWords}
            onChange={setPupilWords}
          />
          <SelectField
            label={t('incidents.columns.category')}
            name="category"
            value={category}
            onChange={setCategory}
            options={options}
          />
          <button type="submit" className="button button-primary" disabled={busy}>
            {t('incidents.record.submit')}
          </button>
        </form>
      </FormProblems>
      <ErrorAlert error={error} />
    </section>
  );
}
