import { useEffect, useMemo, useState, type ChangeEvent, type FormEvent } from 'react';
import {
  severities,
  watchCategories,
  watchCategoryLabels,
  watchEntryInputSchema,
  watchKindLabels,
  watchKinds,
  type WatchEntry,
  type Watchlist,
} from '@harbour/shared';
import { api } from '../api';
import { ErrorAlert } from '../components/ErrorAlert';
import { SelectField, TextField } from '../components/Field';
import { useRowAction, useSubmit } from '../components/useAction';
import { usePageTitle } from '../components/usePageTitle';
import { checkForm } from '../validate';

const severityLabels = { low: 'Low', medium: 'Medium', high: 'High' } as const;

/** The DSL's watch lists: add, remove, import and export as CSV. */
export function WatchlistsPage() {
  usePageTitle('Watch lists');
  const [list, setList] = useState<Watchlist | null>(null);
  const [error, setError] = useState<unknown>(null);
  const rows = useRowAction();

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
    if (!window.confirm(`Remove “${entry.pattern}” from the watch list?`)) return;
    await rows.run(entry.id, async () => {
      await api.del(`/api/watchlists/entries/${entry.id}`);
      rows.setConfirmation(`“${entry.pattern}” removed.`);
      await load();
    });
  }

  return (
    <>
      <h1>Watch lists</h1>
      <p className="lead">
        When a pupil’s screen shows a website, web address or words on these lists, Harbour takes a screenshot
        and raises a flag at once. Changes reach every computer straight away.
      </p>
      <ErrorAlert error={error} />
      <AddEntryForm
        onAdded={(e) => {
          rows.setConfirmation(`“${e.pattern}” added.`);
          void load();
        }}
      />
      <ImportExport
        onImported={(message) => {
          rows.setConfirmation(message);
          void load();
        }}
      />
      <div role="status" className="confirmation">
        {rows.confirmation !== null && <p>{rows.confirmation}</p>}
      </div>
      <ErrorAlert error={rows.error} />
      {list === null
        ? error === null && <p className="muted">Loading watch lists…</p>
        : watchCategories.map((category) => {
            const entries = byCategory.get(category) ?? [];
            return (
              <section key={category} aria-labelledby={`cat-${category}`}>
                <h2 id={`cat-${category}`}>
                  {watchCategoryLabels[category]} <span className="muted">({entries.length})</span>
                </h2>
                {entries.length === 0 ? (
                  <p className="empty">No entries in this category.</p>
                ) : (
                  <div className="table-wrap">
                    <table>
                      <thead>
                        <tr>
                          <th scope="col">Watch for</th>
                          <th scope="col">Kind</th>
                          <th scope="col">Severity</th>
                          <th scope="col">Note</th>
                          <th scope="col">
                            <span className="visually-hidden">Actions</span>
                          </th>
                        </tr>
                      </thead>
                      <tbody>
                        {entries.map((e) => (
                          <tr key={e.id}>
                            <th scope="row">{e.pattern}</th>
                            <td>{watchKindLabels[e.kind]}</td>
                            <td>
                              <span className={`badge badge-severity-${e.severity}`}>
                                {severityLabels[e.severity]}
                              </span>
                            </td>
                            <td>{e.note ?? ''}</td>
                            <td>
                              <button
                                type="button"
                                className="button button-danger button-small"
                                onClick={() => void remove(e)}
                                disabled={rows.busyId === e.id}
                                aria-label={`Remove ${e.pattern}`}
                              >
                                Remove
                              </button>
                            </td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                )}
              </section>
            );
          })}
    </>
  );
}

function AddEntryForm({ onAdded }: { onAdded: (e: WatchEntry) => void }) {
  const [kind, setKind] = useState<string>('domain');
  const [pattern, setPattern] = useState('');
  const [category, setCategory] = useState<string>('extremism');
  const [severity, setSeverity] = useState<string>('high');
  const [note, setNote] = useState('');
  const { busy, error, run } = useSubmit();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
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
      <h2 id="add-entry-heading">Add to a watch list</h2>
      <form onSubmit={submit} noValidate>
        <SelectField
          label="Kind"
          value={kind}
          onChange={setKind}
          options={watchKinds.map((k) => ({ value: k, label: watchKindLabels[k] }))}
        />
        <TextField
          label="Watch for"
          hint="A website such as example.org, a web address pattern such as example.org/forum/* (* matches anything), or words such as “knife fight”."
          value={pattern}
          onChange={setPattern}
          required
        />
        <SelectField
          label="Category"
          value={category}
          onChange={setCategory}
          options={watchCategories.map((c) => ({ value: c, label: watchCategoryLabels[c] }))}
        />
        <SelectField
          label="Severity"
          value={severity}
          onChange={setSeverity}
          options={severities.map((s) => ({ value: s, label: severityLabels[s] }))}
        />
        <TextField label="Note" hint="Optional." value={note} onChange={setNote} />
        <ErrorAlert error={error} />
        <button type="submit" className="button button-primary" disabled={busy}>
          Add entry
        </button>
      </form>
    </section>
  );
}

function ImportExport({ onImported }: { onImported: (message: string) => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [replace, setReplace] = useState(false);
  const { busy, error, run } = useSubmit();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!file) return;
    await run(async () => {
      const csv = await file.text();
      const r = await api.post<{ added: number; updated: number; removed: number }>(
        '/api/watchlists/import',
        { csv, replace },
      );
      onImported(`Imported: ${r.added} added, ${r.updated} updated, ${r.removed} removed.`);
    });
  }

  return (
    <section className="panel">
      <h2 id="csv-heading">Import and export (CSV)</h2>
      <p>
        Columns: <code>kind, pattern, category, severity, note</code>. Kinds: {watchKinds.join(', ')}.
        Categories: {watchCategories.join(', ')}. Severities: {severities.join(', ')}. If any row has a
        problem, nothing is imported and each problem is listed by line.
      </p>
      <p>
        <a className="button" href="/api/watchlists/export" download>
          Export as CSV
        </a>
      </p>
      <form onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor="csv-file">CSV file to import</label>
          <input
            id="csv-file"
            type="file"
            accept=".csv,text/csv"
            onChange={(e: ChangeEvent<HTMLInputElement>) => setFile(e.target.files?.[0] ?? null)}
          />
        </div>
        <div className="field field-checkbox">
          <label>
            <input type="checkbox" checked={replace} onChange={(e) => setReplace(e.target.checked)} /> Replace
            the whole list with this file (entries not in the file are removed)
          </label>
        </div>
        <ErrorAlert error={error} />
        <button type="submit" className="button button-primary" disabled={busy || file === null}>
          Import
        </button>
      </form>
    </section>
  );
}
