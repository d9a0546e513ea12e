import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import {
  aupIcons,
  aupSettingsSchema,
  createAupVersionRequestSchema,
  type AupContent,
  type AupDocument,
  type AupSettings,
  type Room,
} from '@harbour/shared';
import { api } from '../api';
import { ErrorAlert } from '../components/ErrorAlert';
import { SelectField, TextField } from '../components/Field';
import { useSubmit } from '../components/useAction';
import { usePageTitle } from '../components/usePageTitle';
import { checkForm } from '../validate';

interface AudienceOverview {
  id: string;
  name: string;
  description: string;
  published: AupDocument | null;
  versions: number;
}

const months = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

function TextArea(props: { label: string; value: string; onChange: (v: string) => void; hint?: string }) {
  const id = useId();
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
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        aria-describedby={props.hint ? `${id}-hint` : undefined}
      />
    </div>
  );
}

/** The acceptable use policies: one per audience, edited as new versions; and who gets which. */
export function AupPoliciesPage() {
  usePageTitle('Computer rules');
  const [audiences, setAudiences] = useState<AudienceOverview[] | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [confirmation, setConfirmation] = useState<string | null>(null);

  const reload = useCallback(() => {
    api
      .get<{ audiences: AudienceOverview[] }>('/api/aup/overview')
      .then((r) => setAudiences(r.audiences), setError);
  }, []);
  useEffect(reload, [reload]);

  return (
    <>
      <h1>Computer rules</h1>
      <p className="lead">
        The acceptable use policy each person agrees to when they sign in to a school computer. Editing a
        policy makes a new version; publishing it replaces the one computers show. Earlier versions stay
        readable.
      </p>
      <ErrorAlert error={error} />
      <div role="status" className="confirmation">
        {confirmation !== null && <p>{confirmation}</p>}
      </div>
      {audiences === null ? (
        <p className="muted">Loading…</p>
      ) : (
        <div className="table-wrap">
          <table aria-label="Policies by audience">
            <thead>
              <tr>
                <th scope="col">Audience</th>
                <th scope="col">Published</th>
                <th scope="col">Versions</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {audiences.map((a) => (
                <tr key={a.id}>
                  <th scope="row">
                    {a.name}
                    <br />
                    <span className="muted">{a.description}</span>
                  </th>
                  <td>
                    {a.published ? `Version ${a.published.version}: ${a.published.content.title}` : 'None'}
                  </td>
                  <td>{a.versions}</td>
                  <td>
                    <button type="button" className="button button-small" onClick={() => setSelected(a.id)}>
                      Edit {a.name}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {selected && audiences && (
        <PolicyEditor
          key={selected}
          audience={audiences.find((a) => a.id === selected) ?? null}
          onSaved={(doc) => {
            setConfirmation(
              doc.status === 'published'
                ? `Version ${doc.version} is published.`
                : `Version ${doc.version} is saved as a draft.`,
            );
            reload();
          }}
        />
      )}
      {audiences && <SettingsForm audiences={audiences} onSaved={() => setConfirmation('Rules saved.')} />}
    </>
  );
}

function PolicyEditor({
  audience,
  onSaved,
}: {
  audience: AudienceOverview | null;
  onSaved: (doc: AupDocument) => void;
}) {
  const [versions, setVersions] = useState<AupDocument[]>([]);
  const [content, setContent] = useState<AupContent | null>(audience?.published?.content ?? null);
  const [publish, setPublish] = useState(true);
  const [showNow, setShowNow] = useState(false);
  const { busy, error, setError, run } = useSubmit();

  useEffect(() => {
    if (!audience) return;
    api
      .get<{ documents: AupDocument[] }>(`/api/aup/documents?audience=${encodeURIComponent(audience.id)}`)
      .then((r) => {
        setVersions(r.documents);
        setContent((c) => c ?? r.documents[0]?.content ?? null);
      }, setError);
  }, [audience]);

  if (!audience) return null;
  if (!content) return <p className="muted">Loading…</p>;
  const set = (patch: Partial<AupContent>) => setContent({ ...content, ...patch });
  const setRule = (index: number, patch: Partial<AupContent['rules'][number]>) =>
    set({ rules: content.rules.map((r, i) => (i === index ? { ...r, ...patch } : r)) });

  async function save(event: FormEvent) {
    event.preventDefault();
    if (!audience || !content) return;
    await run(async () => {
      const body = { audience: audience.id, content, publish, showNow: publish && showNow };
      checkForm(createAupVersionRequestSchema, body);
      const doc = await api.post<AupDocument>('/api/aup/documents', body);
      setVersions((v) => [doc, ...v]);
      onSaved(doc);
    });
  }

  async function publishVersion(doc: AupDocument) {
    setError(null);
    try {
      const published = await api.post<AupDocument>(`/api/aup/documents/${doc.id}/publish`, {
        showNow: false,
      });
      onSaved(published);
      const r = await api.get<{ documents: AupDocument[] }>(
        `/api/aup/documents?audience=${audience?.id ?? ''}`,
      );
      setVersions(r.documents);
    } catch (err) {
      setError(err);
    }
  }

  return (
    <section className="panel" aria-labelledby="editor-title">
      <h2 id="editor-title">{audience.name}: new version</h2>
      <form onSubmit={save} noValidate>
        <TextField label="Title" value={content.title} onChange={(title) => set({ title })} />
        <SelectField
          label="Layout"
          hint="Large: a few short rules in big letters with pictures, for the youngest pupils."
          value={content.layout}
          onChange={(v) => set({ layout: v === 'large' ? 'large' : 'standard' })}
          options={[
            { value: 'large', label: 'Large, with pictures' },
            { value: 'standard', label: 'Standard' },
          ]}
        />
        <TextArea label="Introduction" value={content.intro} onChange={(intro) => set({ intro })} />
        {content.rules.map((rule, index) => (
          <fieldset key={index} className="rule-editor">
            <legend>Rule {index + 1}</legend>
            <TextArea
              label={`Rule ${index + 1} text`}
              value={rule.text}
              onChange={(text) => setRule(index, { text })}
            />
            <SelectField
              label={`Rule ${index + 1} picture`}
              value={rule.icon ?? ''}
              onChange={(v) => {
                const icon = aupIcons.find((i) => i === v);
                setRule(index, { icon });
              }}
              options={[{ value: '', label: 'No picture' }, ...aupIcons.map((i) => ({ value: i, label: i }))]}
            />
            {rule.icon && (
              <TextField
                label={`Rule ${index + 1} picture description`}
                hint="Read out by screen readers, e.g. “A raised hand”."
                value={rule.iconLabel ?? ''}
                onChange={(iconLabel) => setRule(index, { iconLabel: iconLabel || undefined })}
              />
            )}
            <button
              type="button"
              className="button button-danger button-small"
              onClick={() => set({ rules: content.rules.filter((_, i) => i !== index) })}
            >
              Remove rule {index + 1}
            </button>
            <p />
          </fieldset>
        ))}
        <p>
          <button
            type="button"
            className="button"
            onClick={() => set({ rules: [...content.rules, { text: '' }] })}
          >
            Add a rule
          </button>
        </p>
        <TextArea label="Closing words" value={content.closing} onChange={(closing) => set({ closing })} />
        <label className="check">
          <input type="checkbox" checked={publish} onChange={(e) => setPublish(e.target.checked)} /> Publish
          it now (otherwise it is saved as a draft)
        </label>
        {publish && (
          <label className="check">
            <input type="checkbox" checked={showNow} onChange={(e) => setShowNow(e.target.checked)} /> Show it
            now to everyone signed in (otherwise at their next sign-in)
          </label>
        )}
        <ErrorAlert error={error} />
        <button type="submit" className="button button-primary" disabled={busy}>
          Save version
        </button>
      </form>
      <h3>Versions</h3>
      <ul>
        {versions.map((v) => (
          <li key={v.id}>
            Version {v.version} ({v.status}), by {v.createdBy}: {v.content.title}{' '}
            <button type="button" className="button button-small" onClick={() => setContent(v.content)}>
              Start from version {v.version}
            </button>{' '}
            {v.status !== 'published' && (
              <button type="button" className="button button-small" onClick={() => void publishVersion(v)}>
                Publish version {v.version}
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

function SettingsForm({ audiences, onSaved }: { audiences: AudienceOverview[]; onSaved: () => void }) {
  const [settings, setSettings] = useState<AupSettings | null>(null);
  const [rooms, setRooms] = useState<Room[]>([]);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    api.get<AupSettings>('/api/aup/settings').then(setSettings, setError);
    api.get<{ rooms: Room[] }>('/api/rooms').then((r) => setRooms(r.rooms), setError);
  }, []);
  if (!settings) return null;
  const audienceOptions = audiences.map((a) => ({ value: a.id, label: a.name }));
  const setRule = (index: number, patch: Partial<AupSettings['rules'][number]>) =>
    setSettings({ ...settings, rules: settings.rules.map((r, i) => (i === index ? { ...r, ...patch } : r)) });

  async function save(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      checkForm(aupSettingsSchema, settings);
      setSettings(await api.put<AupSettings>('/api/aup/settings', settings));
      onSaved();
    } catch (err) {
      setError(err);
    }
  }

  return (
    <section className="panel" aria-labelledby="settings-title">
      <h2 id="settings-title">Who gets which policy</h2>
      <p className="hint">The first rule that matches decides; anyone else gets the default.</p>
      <form onSubmit={save} noValidate>
        {settings.rules.map((rule, index) => (
          <fieldset key={index} className="rule-editor">
            <legend>Rule {index + 1}</legend>
            <SelectField
              label={`Rule ${index + 1}: match by`}
              value={rule.kind}
              onChange={(v) =>
                setRule(index, {
                  kind: v === 'group' ? 'group' : v === 'room' ? 'room' : 'username',
                  pattern: '',
                })
              }
              options={[
                { value: 'group', label: 'Computer account group' },
                { value: 'username', label: 'User name pattern (* and ? allowed)' },
                { value: 'room', label: 'Room' },
              ]}
            />
            {rule.kind === 'room' ? (
              <SelectField
                label={`Rule ${index + 1}: room`}
                value={rule.pattern}
                onChange={(pattern) => setRule(index, { pattern })}
                options={[
                  { value: '', label: 'Choose a room' },
                  ...rooms.map((r) => ({ value: r.id, label: r.name })),
                ]}
              />
            ) : (
              <TextField
                label={rule.kind === 'group' ? `Rule ${index + 1}: group` : `Rule ${index + 1}: pattern`}
                value={rule.pattern}
                onChange={(pattern) => setRule(index, { pattern })}
              />
            )}
            <SelectField
              label={`Rule ${index + 1}: policy`}
              value={rule.audience}
              onChange={(audience) => setRule(index, { audience })}
              options={audienceOptions}
            />
            <button
              type="button"
              className="button button-danger button-small"
              onClick={() =>
                setSettings({ ...settings, rules: settings.rules.filter((_, i) => i !== index) })
              }
            >
              Remove rule {index + 1}
            </button>
            <p />
          </fieldset>
        ))}
        <p>
          <button
            type="button"
            className="button"
            onClick={() =>
              setSettings({
                ...settings,
                rules: [
                  ...settings.rules,
                  { kind: 'group', pattern: '', audience: settings.defaultAudience },
                ],
              })
            }
          >
            Add a rule
          </button>
        </p>
        <SelectField
          label="Default policy"
          value={settings.defaultAudience}
          onChange={(defaultAudience) => setSettings({ ...settings, defaultAudience })}
          options={audienceOptions}
        />
        <SelectField
          label="Everyone agrees again each year on: month"
          hint="The start of the school year. Agreements made before this date each year expire."
          value={String(settings.expiryMonth)}
          onChange={(v) => setSettings({ ...settings, expiryMonth: Number(v) })}
          options={months.map((m, i) => ({ value: String(i + 1), label: m }))}
        />
        <TextField
          label="Day of the month"
          type="number"
          min={1}
          max={31}
          value={String(settings.expiryDay)}
          onChange={(v) => setSettings({ ...settings, expiryDay: Number(v) })}
        />
        <ErrorAlert error={error} />
        <button type="submit" className="button button-primary">
          Save rules
        </button>
      </form>
    </section>
  );
}
