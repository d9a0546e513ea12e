import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { apiErrorSchema, can, type Pupil, type RosterClass, type RosterImportResult } from '@harbour/shared';
import { ApiRequestError, api, withQuery } from '../api';
import { useUser } from '../auth';
import { DataTable } from '../components/DataTable';
import { ErrorAlert } from '../components/ErrorAlert';
import { TextField } from '../components/Field';
import { usePageTitle } from '../components/usePageTitle';

/** Sends the chosen files as multipart/form-data; a refused roster still answers its report. */
async function uploadRoster(files: FileList): Promise<RosterImportResult> {
  const form = new FormData();
  for (const file of Array.from(files)) form.append('files', file, file.name);
  let response: Response;
  try {
    response = await fetch('/api/roster/import', { method: 'POST', body: form, credentials: 'same-origin' });
  } catch {
    throw new ApiRequestError(0, 'network', 'Harbour could not reach the server.');
  }
  const data = (await response.json().catch(() => undefined)) as unknown;
  if (response.ok || (response.status === 400 && data && typeof data === 'object' && 'problems' in data)) {
    return data as RosterImportResult;
  }
  const parsed = apiErrorSchema.safeParse(data);
  throw parsed.success
    ? new ApiRequestError(response.status, parsed.data.error.code, parsed.data.error.message)
    : new ApiRequestError(response.status, 'internal', `HTTP ${response.status}`);
}

function ImportReport({ result }: { result: RosterImportResult }) {
  const { t } = useTranslation();
  if (result.errors > 0) {
    return (
      <section className="report report-refused" aria-labelledby="roster-refused">
        <h3 id="roster-refused">{t('roster.refused', { count: result.errors })}</h3>
        <DataTable
          rows={result.problems}
          rowKey={(p) => `${p.file}:${p.line}:${p.field ?? ''}:${p.message}`}
          caption={t('roster.problemsCaption')}
          hideCaption
          columns={[
            { key: 'file', header: t('roster.file'), cell: (p) => p.file, rowHeader: true },
            { key: 'line', header: t('roster.line'), cell: (p) => (p.line === 0 ? '—' : p.line) },
            { key: 'field', header: t('roster.field'), cell: (p) => p.field ?? '—' },
            { key: 'message', header: t('roster.problem'), cell: (p) => p.message },
          ]}
        />
      </section>
    );
  }
  const c = result.changes;
  return (
    <section className="report" aria-labelledby="roster-done" role="status">
      <h3 id="roster-done">
        {t('roster.imported', { pupils: result.pupils, classes: result.classes, staff: result.staff })}
      </h3>
      {c && (
        <ul>
          <li>{t('roster.changesPupils', c.pupils)}</li>
          <li>{t('roster.changesClasses', c.classes)}</li>
          <li>{t('roster.changesStaff', c.staff)}</li>
        </ul>
      )}
      {result.added.length > 0 && (
        <p>
          {t('roster.addedNames')}: {result.added.join(', ')}
        </p>
      )}
      {result.left.length > 0 && (
        <p>
          {t('roster.leftNames')}: {result.left.join(', ')}
        </p>
      )}
    </section>
  );
}

/** The roster: admins import it; staff who may see pupils find them (a teacher: their classes). */
export function PupilsPage() {
  const { t } = useTranslation();
  usePageTitle(t('roster.title'));
  const user = useUser();
  const mayImport = can(user.role, 'manageRoster');
  const [q, setQ] = useState('');
  const [pupils, setPupils] = useState<Pupil[] | null>(null);
  const [classes, setClasses] = useState<RosterClass[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [files, setFiles] = useState<FileList | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<RosterImportResult | null>(null);

  const load = useCallback(
    (query: string) => {
      api
        .get<{ pupils: Pupil[] }>(withQuery('/api/pupils', { q: query }))
        .then((r) => setPupils(r.pupils), setError);
      api.get<{ classes: RosterClass[] }>('/api/classes').then((r) => setClasses(r.classes), setError);
    },
    [setPupils],
  );
  useEffect(() => load(''), [load]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!files || files.length === 0) return;
    setBusy(true);
    setError(null);
    try {
      const r = await uploadRoster(files);
      setResult(r);
      if (r.errors === 0) load(q);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <h1>{t('roster.title')}</h1>
      <p className="lead">{t('roster.lead')}</p>
      <ErrorAlert error={error} />
      {mayImport && (
        <section aria-labelledby="roster-import">
          <h2 id="roster-import">{t('roster.importTitle')}</h2>
          <p>{t('roster.importHint')}</p>
          <form onSubmit={(e) => void submit(e)} className="form-inline">
            <label htmlFor="roster-files">{t('roster.files')}</label>
            <input
              id="roster-files"
              type="file"
              multiple
              accept=".csv,.zip,text/csv,application/zip"
              onChange={(e) => setFiles(e.target.files)}
            />
            <button type="submit" className="button" disabled={busy || !files || files.length === 0}>
              {busy ? t('roster.importing') : t('roster.import')}
            </button>
          </form>
          {result && <ImportReport result={result} />}
        </section>
      )}
      <section aria-labelledby="roster-classes">
        <h2 id="roster-classes">{t('roster.classesTitle')}</h2>
        {classes && classes.length === 0 && <p className="muted">{t('roster.noClasses')}</p>}
        {classes && classes.length > 0 && (
          <DataTable
            rows={classes}
            rowKey={(c) => c.id}
            label={t('roster.classesTitle')}
            columns={[
              { key: 'name', header: t('roster.class'), cell: (c) => c.name, rowHeader: true },
              {
                key: 'year',
                header: t('roster.yearGroup'),
                cell: (c) => t(`enums.yearGroup.${c.yearGroup}`),
              },
              { key: 'pupils', header: t('roster.pupilCount'), cell: (c) => c.pupils },
              {
                key: 'teachers',
                header: t('roster.teachers'),
                cell: (c) => (c.teachers.length ? c.teachers.map((x) => x.name).join(', ') : '—'),
              },
            ]}
          />
        )}
      </section>
      <section aria-labelledby="roster-pupils">
        <h2 id="roster-pupils">{t('roster.pupilsTitle')}</h2>
        <form
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            load(q);
          }}
          className="form-inline"
        >
          <TextField label={t('roster.search')} name="q" value={q} onChange={setQ} maxLength={100} />
          <button type="submit" className="button button-quiet">
            {t('roster.find')}
          </button>
        </form>
        {pupils && pupils.length === 0 && <p className="muted">{t('roster.noPupils')}</p>}
        {pupils && pupils.length > 0 && (
          <DataTable
            rows={pupils}
            rowKey={(p) => p.id}
            label={t('roster.pupilsTitle')}
            columns={[
              { key: 'name', header: t('roster.name'), cell: (p) => p.name, rowHeader: true },
              {
                key: 'year',
                header: t('roster.yearGroup'),
                cell: (p) => t(`enums.yearGroup.${p.yearGroup}`),
              },
              {
                key: 'classes',
                header: t('roster.class'),
                cell: (p) => p.classes.map((c) => c.name).join(', ') || '—',
              },
              { key: 'logins', header: t('roster.logins'), cell: (p) => p.logins.join(', ') || '—' },
            ]}
          />
        )}
      </section>
    </>
  );
}
