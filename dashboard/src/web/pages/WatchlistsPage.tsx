import { useEffect, useMemo, useState, type ChangeEvent, type FormEvent } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import {
  severities,
  watchCategories,
  watchEntryInputSchema,
  watchKinds,
  type WatchEntry,
  type Watchlist,
} from '@harbour/shared';
import { api } from '../api';
import { ErrorAlert } from '../components/ErrorAlert';
import { DataTable } from '../components/DataTable';
import { SelectField, TextField } from '../components/Field';
import { FormProblems } from '../components/formProblems';
import { TrustWide, TrustWideNote, useTrustSettingsReadOnly } from '../components/TrustWide';
import { useRowAction, useSubmit } from '../components/useAction';
import { usePageTitle } from '../components/usePageTitle';
import { checkForm } from '../validate';

/** The DSL's watch lists: add, remove, import and export as CSV. */
export function WatchlistsPage() {
  const { t } = useTranslation();
  usePageTitle(t('watchlists.title'));
  const [list, setList] = useState<Watchlist | null>(null);
  const [error, setError] = useState<unknown>(null);
  const rows = useRowAction();
  const readOnly = useTrustSettingsReadOnly();

  async function load() {
    try {
      setList(await api.get<Watchlist>('/api/watchlists'));
    } catch (err) {
      setError(err);
    }
  }
  useEffect(() => {
    void load();
  }, []);

  const byCategory = useMemo(() => {
    const groups = new Map<string, WatchEntry[]>();
    for (const e of list?.entries ?? []) groups.set(e.category, [...(groups.get(e.category) ?? []), e]);
    return groups;
  }, [list]);

  async function remove(entry: WatchEntry) {
    if (!window.confirm(t('watchlists.removeConfirm', { pattern: entry.pattern }))) return;
    await rows.run(entry.id, async () => {
      await api.del(`/api/watchlists/entries/${entry.id}`);
      rows.setConfirmation(t('watchlists.removed', { pattern: entry.pattern }));
      await load();
    });
  }

  return (
    <>
      <h1>{t('watchlists.title')}</h1>
      <p className="lead">{t('watchlists.lead')}</p>
      <TrustWideNote />
      <ErrorAlert error={error} />
      <TrustWide>
        <AddEntryForm
          onAdded={(e) => {
            rows.setError(null);
            rows.setConfirmation(t('watchlists.added', { pattern: e.pattern }));
            void load();
          }}
          onTried={() => rows.setConfirmation(null)}
        />
        <ImportExport
          onImported={(message) => {
            rows.setError(null);
            rows.setConfirmation(message);
            void load();
          }}
          onTried={() => rows.setConfirmation(null)}
        />
      </TrustWide>
      <div role="status" className="confirmation">
        {rows.confirmation !== null && <p>{rows.confirmation}</p>}
      </div>
      <ErrorAlert error={rows.error} />
      {list === null
        ? error === null && <p className="muted">{t('watchlists.loading')}</p>
        : watchCategories.map((category) => {
            const entries = byCategory.get(category) ?? [];
            return (
              <section key={category} aria-labelledby={`cat-${category}`}>
                <h2 id={`cat-${category}`}>
                  {t(`enums.watchCategory.${category}`)} <span className="muted">({entries.length})</span>
                </h2>
                {entries.length === 0 ? (
                  <p className="empty">{t('watchlists.noEntries')}</p>
                ) : (
                  <DataTable
                    label={t(`enums.watchCategory.${category}`)}
                    rows={entries}
                    rowKey={(e) => e.id}
                    columns={[
                      {
                        key: 'pattern',
                        header: t('watchlists.columns.pattern'),
                        rowHeader: true,
                        cell: (e) => e.pattern,
                      },
                      {
                        key: 'kind',
                        header: t('watchlists.columns.kind'),
                        cell: (e) => t(`enums.watchKind.${e.kind}`),
                      },
                      {
                        key: 'severity',
                        header: t('watchlists.columns.severity'),
                        cell: (e) => (
                          <span className={`badge badge-severity-${e.severity}`}>
                            {t(`enums.severity.${e.severity}`)}
                          </span>
                        ),
                      },
                      { key: 'note', header: t('watchlists.columns.note'), cell: (e) => e.note ?? '' },
                      {
                        key: 'actions',
                        header: t('common.actions'),
                        hideHeader: true,
                        cell: (e) => (
                          <button
                            type="button"
                            className="button button-danger button-small"
                            onClick={() => void remove(e)}
                            disabled={readOnly || rows.busyId === e.id}
                            aria-label={t('watchlists.removeLabel', { pattern: e.pattern })}
                          >
                            {t('common.remove')}
                          </button>
                        ),
                      },
                    ]}
                  />
                )}
              </section>
            );
          })}
    </>
  );
}

function AddEntryForm({ onAdded, onTried }: { onAdded: (e: WatchEntry) => void; onTried: () => void }) {
  const { t } = useTranslation();
  const [kind, setKind] = useState<string>('domain');
  const [pattern, setPattern] = useState('');
  const [category, setCategory] = useState<string>('extremism');
  const [severity, setSeverity] = useState<string>('high');
  const [note, setNote] = useState('');
  const { busy, error, run } = useSubmit();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    onTried();
    await run(async () => {
      const body = { kind, pattern, category, severity, ...(note.trim() === '' ? {} : { note }) };
      checkForm(watchEntryInputSchema, body);
      const entry = await api.post<WatchEntry>('/api/watchlists/entries', body);
      onAdded(entry);
      setPattern('');
      setNote('');
    });
  }

  return (
    <section className="panel">
      <h2 id="add-entry-heading">{t('watchlists.add.title')}</h2>
      <FormProblems error={error}>
        <form onSubmit={submit} noValidate>
          <SelectField
            label={t('watchlists.columns.kind')}
            name="kind"
            value={kind}
            onChange={setKind}
            options={watchKinds.map((k) => ({ value: k, label: t(`enums.watchKind.${k}`) }))}
          />
          <TextField
            label={t('watchlists.columns.pattern')}
            name="pattern"
            hint={t('watchlists.add.patternHint')}
            value={pattern}
            onChange={setPattern}
            required
          />
          <SelectField
            label={t('watchlists.columns.category')}
            name="category"
            value={category}
            onChange={setCategory}
            options={watchCategories.map((c) => ({ value: c, label: t(`enums.watchCategory.${c}`) }))}
          />
          <SelectField
            label={t('watchlists.columns.severity')}
            name="severity"
            value={severity}
            onChange={setSeverity}
            options={severities.map((s) => ({ value: s, label: t(`enums.severity.${s}`) }))}
          />
          <TextField
            label={t('watchlists.columns.note')}
            name="note"
            hint={t('watchlists.add.optional')}
            value={note}
            onChange={setNote}
          />
          <ErrorAlert error={error} />
          <button type="submit" className="button button-primary" disabled={busy}>
            {t('watchlists.add.submit')}
          </button>
        </form>
      </FormProblems>
    </section>
  );
}

function ImportExport({
  onImported,
  onTried,
}: {
  onImported: (message: string) => void;
  onTried: () => void;
}) {
  const { t } = useTranslation();
  const [file, setFile] = useState<File | null>(null);
  const [replace, setReplace] = useState(false);
  const { busy, error, run } = useSubmit();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!file) return;
    onTried();
    await run(async () => {
      const csv = await file.text();
      const r = await api.post<{ added: number; updated: number; removed: number }>(
        '/api/watchlists/import',
        { csv, replace },
      );
      onImported(t('watchlists.csv.imported', { added: r.added, updated: r.updated, removed: r.removed }));
    });
  }

  return (
    <section className="panel">
      <h2 id="csv-heading">{t('watchlists.csv.title')}</h2>
      <p>
        <Trans
          i18nKey="watchlists.csv.columns"
          values={{
            kinds: watchKinds.join(', '),
            categories: watchCategories.join(', '),
            severities: severities.join(', '),
          }}
          components={{ code: <code /> }}
        />
      </p>
      <p>
        <a className="button" href="/api/watchlists/export" download>
          {t('watchlists.csv.export')}
        </a>
      </p>
      <form onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor="csv-file">{t('watchlists.csv.file')}</label>
          <input
            id="csv-file"
            type="file"
            accept=".csv,text/csv"
            onChange={(e: ChangeEvent<HTMLInputElement>) => setFile(e.target.files?.[0] ?? null)}
          />
        </div>
        <div className="field field-checkbox">
          <label>
            <input type="checkbox" checked={replace} onChange={(e) => setReplace(e.target.checked)} />{' '}
            {t('watchlists.csv.replace')}
          </label>
        </div>
        <ErrorAlert error={error} />
        <button type="submit" className="button button-primary" disabled={busy || file === null}>
          {t('watchlists.csv.import')}
        </button>
      </form>
    </section>
  );
}
