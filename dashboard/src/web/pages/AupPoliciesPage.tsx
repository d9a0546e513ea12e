import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import {
  aupIcons,
  aupSettingsSchema,
  createAupVersionRequestSchema,
  samplePoliciesByLanguage,
  uiLanguages,
  type AupContent,
  type AupDocument,
  type AupSettings,
  type Room,
  type UiLanguage,
} from '@harbour/shared';
import { api } from '../api';
import { DataTable } from '../components/DataTable';
import { ErrorAlert } from '../components/ErrorAlert';
import { SelectField, TextAreaField, TextField } from '../components/Field';
import { FormProblems } from '../components/formProblems';
import { TrustWide, TrustWideNote } from '../components/TrustWide';
import { useSubmit } from '../components/useAction';
import { usePageTitle } from '../components/usePageTitle';
import { useFormat } from '../i18n/format';
import { audienceDescription, audienceLabel } from '../labels';
import { checkForm } from '../validate';

interface AudienceOverview {
  id: string;
  name: string;
  description: string;
  published: AupDocument | null;
  versions: number;
}

/** The acceptable use policies: one per audience, edited as new versions; and who gets which. */
export function AupPoliciesPage() {
  const { t } = useTranslation();
  usePageTitle(t('policies.title'));
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
      <h1>{t('policies.title')}</h1>
      <p className="lead">{t('policies.lead')}</p>
      <TrustWideNote />
      <ErrorAlert error={error} />
      <div role="status" className="confirmation">
        {confirmation !== null && <p>{confirmation}</p>}
      </div>
      {audiences === null ? (
        <p className="muted">{t('common.loading')}</p>
      ) : (
        <DataTable
          label={t('policies.byAudience')}
          rows={audiences}
          rowKey={(a) => a.id}
          columns={[
            {
              key: 'audience',
              header: t('register.audience'),
              rowHeader: true,
              cell: (a) => (
                <>
                  {audienceLabel(t, a.id, a.name)}
                  <br />
                  <span className="muted">{audienceDescription(t, a.id, a.description)}</span>
                </>
              ),
            },
            {
              key: 'published',
              header: t('policies.published'),
              cell: (a) =>
                a.published
                  ? t('policies.versionTitle', {
                      version: a.published.version,
                      title: a.published.content.title,
                    })
                  : t('common.none'),
            },
            { key: 'versions', header: t('policies.versions'), cell: (a) => a.versions },
            {
              key: 'actions',
              header: t('common.actions'),
              hideHeader: true,
              cell: (a) => (
                <button
                  type="button"
                  className="button button-small"
                  onClick={() => {
                    setConfirmation(null);
                    setSelected(a.id);
                  }}
                >
                  {t('policies.edit', { name: audienceLabel(t, a.id, a.name) })}
                </button>
              ),
            },
          ]}
        />
      )}
      <TrustWide>
        {selected && audiences && (
          <PolicyEditor
            key={selected}
            audience={audiences.find((a) => a.id === selected) ?? null}
            onTried={() => setConfirmation(null)}
            onSaved={(doc) => {
              setConfirmation(
                doc.status === 'published'
                  ? t('policies.publishedDone', { version: doc.version })
                  : t('policies.draftDone', { version: doc.version }),
              );
              reload();
            }}
          />
        )}
        {audiences && (
          <SettingsForm
            audiences={audiences}
            onTried={() => setConfirmation(null)}
            onSaved={() => setConfirmation(t('policies.settings.saved'))}
          />
        )}
      </TrustWide>
    </>
  );
}

function PolicyEditor({
  audience,
  onSaved,
  onTried,
}: {
  audience: AudienceOverview | null;
  onSaved: (doc: AupDocument) => void;
  onTried: () => void;
}) {
  const { t } = useTranslation();
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
  }, [audience, setError]);

  if (!audience) return null;
  if (!content) return <p className="muted">{t('common.loading')}</p>;
  const name = audienceLabel(t, audience.id, audience.name);
  const set = (patch: Partial<AupContent>) => setContent({ ...content, ...patch });
  const setRule = (index: number, patch: Partial<AupContent['rules'][number]>) =>
    set({ rules: content.rules.map((r, i) => (i === index ? { ...r, ...patch } : r)) });
  const sample = (language: UiLanguage) => samplePoliciesByLanguage[language][audience.id];

  async function save(event: FormEvent) {
    event.preventDefault();
    if (!audience || !content) return;
    onTried();
    await run(async () => {
      const body = { audience: audience.id, content, publish, showNow: publish && showNow };
      checkForm(createAupVersionRequestSchema, body);
      const doc = await api.post<AupDocument>('/api/aup/documents', body);
      setVersions((v) => [doc, ...v]);
      onSaved(doc);
    });
  }

  async function publishVersion(doc: AupDocument) {
    onTried();
    await run(async () => {
      const published = await api.post<AupDocument>(`/api/aup/documents/${doc.id}/publish`, {
        showNow: false,
      });
      onSaved(published);
      const r = await api.get<{ documents: AupDocument[] }>(
        `/api/aup/documents?audience=${encodeURIComponent(audience?.id ?? '')}`,
      );
      setVersions(r.documents);
    });
  }

  return (
    <section className="panel" aria-labelledby="editor-title">
      <h2 id="editor-title">{t('policies.editor.title', { name })}</h2>
      <div className="toolbar">
        {uiLanguages.map(
          (language) =>
            sample(language) && (
              <button
                key={language}
                type="button"
                className="button button-small"
                onClick={() => {
                  const fresh = sample(language);
                  if (fresh) setContent(fresh);
                }}
              >
                {t('policies.editor.fromSample', { language: t(`enums.language.${language}`) })}
              </button>
            ),
        )}
      </div>
      <FormProblems error={error}>
        <form onSubmit={save} noValidate>
          <TextField
            label={t('policies.editor.titleField')}
            name="content.title"
            value={content.title}
            onChange={(title) => set({ title })}
          />
          <SelectField
            label={t('policies.editor.language')}
            name="content.language"
            hint={t('policies.editor.languageHint')}
            value={content.language ?? 'en'}
            onChange={(v) => set({ language: v === 'cy' ? 'cy' : 'en' })}
            options={uiLanguages.map((l) => ({ value: l, label: t(`enums.language.${l}`) }))}
          />
          <SelectField
            label={t('policies.editor.layout')}
            name="content.layout"
            hint={t('policies.editor.layoutHint')}
            value={content.layout}
            onChange={(v) => set({ layout: v === 'large' ? 'large' : 'standard' })}
            options={[
              { value: 'large', label: t('policies.editor.large') },
              { value: 'standard', label: t('policies.editor.standard') },
            ]}
          />
          <TextAreaField
            label={t('policies.editor.intro')}
            name="content.intro"
            value={content.intro}
            onChange={(intro) => set({ intro })}
          />
          {content.rules.map((rule, index) => (
            <fieldset key={index} className="rule-editor">
              <legend>{t('policies.editor.rule', { n: index + 1 })}</legend>
              <TextAreaField
                label={t('policies.editor.ruleText', { n: index + 1 })}
                name={`content.rules[${index}].text`}
                value={rule.text}
                onChange={(text) => setRule(index, { text })}
              />
              <SelectField
                label={t('policies.editor.rulePicture', { n: index + 1 })}
                value={rule.icon ?? ''}
                onChange={(v) => {
                  const icon = aupIcons.find((i) => i === v);
                  setRule(index, { icon });
                }}
                options={[
                  { value: '', label: t('policies.editor.noPicture') },
                  ...aupIcons.map((i) => ({ value: i, label: t(`policies.icons.${i}`) })),
                ]}
              />
              {rule.icon && (
                <TextField
                  label={t('policies.editor.pictureLabel', { n: index + 1 })}
                  name={`content.rules[${index}].iconLabel`}
                  hint={t('policies.editor.pictureLabelHint')}
                  value={rule.iconLabel ?? ''}
                  onChange={(iconLabel) => setRule(index, { iconLabel: iconLabel || undefined })}
                />
              )}
              <button
                type="button"
                className="button button-danger button-small"
                onClick={() => set({ rules: content.rules.filter((_, i) => i !== index) })}
              >
                {t('policies.editor.removeRule', { n: index + 1 })}
              </button>
            </fieldset>
          ))}
          <p>
            <button
              type="button"
              className="button"
              onClick={() => set({ rules: [...content.rules, { text: '' }] })}
            >
              {t('policies.editor.addRule')}
            </button>
          </p>
          <TextAreaField
            label={t('policies.editor.closing')}
            name="content.closing"
            value={content.closing}
            onChange={(closing) => set({ closing })}
          />
          <label className="check">
            <input type="checkbox" checked={publish} onChange={(e) => setPublish(e.target.checked)} />{' '}
            {t('policies.editor.publish')}
          </label>
          {publish && (
            <label className="check">
              <input type="checkbox" checked={showNow} onChange={(e) => setShowNow(e.target.checked)} />{' '}
              {t('policies.editor.showNow')}
            </label>
          )}
          <ErrorAlert error={error} />
          <button type="submit" className="button button-primary" disabled={busy}>
            {t('policies.editor.save')}
          </button>
        </form>
      </FormProblems>
      <h3>{t('policies.versions')}</h3>
      <ul>
        {versions.map((v) => (
          <li key={v.id}>
            {t('policies.editor.versionLine', {
              version: v.version,
              status: t(`enums.aupDocumentStatus.${v.status}`),
              by: v.createdBy,
              title: v.content.title,
            })}{' '}
            <button type="button" className="button button-small" onClick={() => setContent(v.content)}>
              {t('policies.editor.startFrom', { version: v.version })}
            </button>{' '}
            {v.status !== 'published' && (
              <button type="button" className="button button-small" onClick={() => void publishVersion(v)}>
                {t('policies.editor.publishVersion', { version: v.version })}
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

function SettingsForm({
  audiences,
  onSaved,
  onTried,
}: {
  audiences: AudienceOverview[];
  onSaved: () => void;
  onTried: () => void;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  const [settings, setSettings] = useState<AupSettings | null>(null);
  const [rooms, setRooms] = useState<Room[]>([]);
  const { busy, error, setError, run } = useSubmit();

  useEffect(() => {
    api.get<AupSettings>('/api/aup/settings').then(setSettings, setError);
    api.get<{ rooms: Room[] }>('/api/rooms').then((r) => setRooms(r.rooms), setError);
  }, [setError]);
  if (!settings) return <ErrorAlert error={error} />;
  const audienceOptions = audiences.map((a) => ({ value: a.id, label: audienceLabel(t, a.id, a.name) }));
  const setRule = (index: number, patch: Partial<AupSettings['rules'][number]>) =>
    setSettings({ ...settings, rules: settings.rules.map((r, i) => (i === index ? { ...r, ...patch } : r)) });

  async function save(event: FormEvent) {
    event.preventDefault();
    onTried();
    await run(async () => {
      checkForm(aupSettingsSchema, settings);
      setSettings(await api.put<AupSettings>('/api/aup/settings', settings));
      onSaved();
    });
  }

  return (
    <section className="panel" aria-labelledby="settings-title">
      <h2 id="settings-title">{t('policies.settings.title')}</h2>
      <p className="hint">{t('policies.settings.hint')}</p>
      <FormProblems error={error}>
        <form onSubmit={save} noValidate>
          <SelectField
            label={t('policies.settings.language')}
            name="language"
            hint={t('policies.settings.languageHint')}
            value={settings.language ?? 'en'}
            onChange={(v) => setSettings({ ...settings, language: v === 'cy' ? 'cy' : 'en' })}
            options={uiLanguages.map((l) => ({ value: l, label: t(`enums.language.${l}`) }))}
          />
          {settings.rules.map((rule, index) => (
            <fieldset key={index} className="rule-editor">
              <legend>{t('policies.editor.rule', { n: index + 1 })}</legend>
              <SelectField
                label={t('policies.settings.matchBy', { n: index + 1 })}
                value={rule.kind}
                onChange={(v) =>
                  setRule(index, {
                    kind: v === 'group' ? 'group' : v === 'room' ? 'room' : 'username',
                    pattern: '',
                  })
                }
                options={[
                  { value: 'group', label: t('policies.settings.kind.group') },
                  { value: 'username', label: t('policies.settings.kind.username') },
                  { value: 'room', label: t('policies.settings.kind.room') },
                ]}
              />
              {rule.kind === 'room' ? (
                <SelectField
                  label={t('policies.settings.room', { n: index + 1 })}
                  name={`rules[${index}].pattern`}
                  invalid={t('policies.settings.roomMissing')}
                  value={rule.pattern}
                  onChange={(pattern) => setRule(index, { pattern })}
                  options={[
                    { value: '', label: t('policies.settings.chooseRoom') },
                    ...rooms.map((r) => ({ value: r.id, label: r.name })),
                  ]}
                />
              ) : (
                <TextField
                  label={
                    rule.kind === 'group'
                      ? t('policies.settings.group', { n: index + 1 })
                      : t('policies.settings.pattern', { n: index + 1 })
                  }
                  name={`rules[${index}].pattern`}
                  value={rule.pattern}
                  onChange={(pattern) => setRule(index, { pattern })}
                />
              )}
              <SelectField
                label={t('policies.settings.policy', { n: index + 1 })}
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
                {t('policies.editor.removeRule', { n: index + 1 })}
              </button>
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
              {t('policies.editor.addRule')}
            </button>
          </p>
          <SelectField
            label={t('policies.settings.default')}
            value={settings.defaultAudience}
            onChange={(defaultAudience) => setSettings({ ...settings, defaultAudience })}
            options={audienceOptions}
          />
          <SelectField
            label={t('policies.settings.month')}
            hint={t('policies.settings.monthHint')}
            value={String(settings.expiryMonth)}
            onChange={(v) => setSettings({ ...settings, expiryMonth: Number(v) })}
            options={Array.from({ length: 12 }, (_, i) => ({
              value: String(i + 1),
              label: f.monthName(i + 1),
            }))}
          />
          <TextField
            label={t('policies.settings.day')}
            name="expiryDay"
            invalid={t('policies.settings.dayInvalid')}
            type="number"
            min={1}
            max={31}
            value={String(settings.expiryDay)}
            onChange={(v) => setSettings({ ...settings, expiryDay: Number(v) })}
          />
          <ErrorAlert error={error} />
          <button type="submit" className="button button-primary" disabled={busy}>
            {t('policies.settings.save')}
          </button>
        </form>
      </FormProblems>
    </section>
  );
}
