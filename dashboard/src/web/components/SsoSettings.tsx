import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { roles, type SsoConfigView, type SsoPreset, type SsoRoleRule } from '@harbour/shared';
import { api } from '../api';
import { ErrorAlert } from './ErrorAlert';
import { SelectField, TextAreaField, TextField } from './Field';
import { FormProblems } from './formProblems';
import { TrustWideNote, useTrustSettingsReadOnly } from './TrustWide';
import { useSubmit } from './useAction';

/** Role rules as lines an admin can type: `group:<id>=teacher`, `domain:school.example=teacher`. */
const rulesToText = (rules: readonly SsoRoleRule[]) =>
  rules.map((r) => `${r.kind}:${r.value}=${r.role}`).join('\n');
function textToRules(text: string): SsoRoleRule[] | null {
  const rules: SsoRoleRule[] = [];
  for (const line of text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)) {
    const m = /^(group|domain):(.+)=(\w+)$/.exec(line);
    const role = roles.find((r) => r === m?.[3]);
    if (!m || !role) return null;
    rules.push({ kind: m[1] as 'group' | 'domain', value: m[2]!.trim(), role });
  }
  return rules;
}

/** The school's single sign-on: a preset or any provider, the client, and who gets which role. */
export function SsoSettings() {
  const { t } = useTranslation();
  const [view, setView] = useState<SsoConfigView | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [form, setForm] = useState({
    enabled: false,
    preset: 'entra' as SsoPreset,
    tenant: '',
    issuer: '',
    clientId: '',
    clientSecret: '',
    label: '',
    createAccounts: false,
    rules: '',
  });
  const [saved, setSaved] = useState(false);
  const [rulesInvalid, setRulesInvalid] = useState(false);
  const { busy, error, run } = useSubmit();
  const readOnly = useTrustSettingsReadOnly();

  useEffect(() => {
    api.get<SsoConfigView>('/api/identity/sso').then((v) => {
      setView(v);
      setForm({
        enabled: v.enabled,
        preset: v.preset,
        tenant: v.tenant ?? '',
        issuer: v.issuer ?? '',
        clientId: v.clientId,
        clientSecret: '',
        label: v.label ?? '',
        createAccounts: v.createAccounts,
        rules: rulesToText(v.roles),
      });
    }, setLoadError);
  }, []);

  const set =
    <K extends keyof typeof form>(key: K) =>
    (value: (typeof form)[K]) => {
      setSaved(false);
      setForm((f) => ({ ...f, [key]: value }));
    };

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const rules = textToRules(form.rules);
    setRulesInvalid(rules === null);
    if (!rules) return;
    await run(async () => {
      await api.put('/api/identity/sso', {
        enabled: form.enabled,
        preset: form.preset,
        ...(form.preset === 'entra' && { tenant: form.tenant }),
        ...(form.preset === 'oidc' && { issuer: form.issuer }),
        clientId: form.clientId,
        ...(form.clientSecret && { clientSecret: form.clientSecret }),
        ...(form.label && { label: form.label }),
        createAccounts: form.createAccounts,
        roles: rules,
      });
      setSaved(true);
    });
  }

  if (loadError) return <ErrorAlert error={loadError} />;
  if (!view) return null;
  const locked = view.fromEnvironment;
  return (
    <section aria-labelledby="sso-title">
      <h2 id="sso-title">{t('sso.title')}</h2>
      <p>{t('sso.lead')}</p>
      <p>
        {t('sso.redirectUri')}: <code>{view.redirectUri}</code>
      </p>
      {locked && <p className="notice">{t('sso.fromEnvironment')}</p>}
      <TrustWideNote />
      <FormProblems error={error}>
        <form onSubmit={submit} noValidate>
          <fieldset disabled={locked || readOnly}>
            <label className="checkbox">
              <input
                type="checkbox"
                checked={form.enabled}
                onChange={(e) => set('enabled')(e.target.checked)}
              />{' '}
              {t('sso.enabled')}
            </label>
            <SelectField
              label={t('sso.preset')}
              name="preset"
              value={form.preset}
              onChange={(v) => set('preset')(v as SsoPreset)}
              options={(['entra', 'google', 'oidc'] as const).map((p) => ({
                value: p,
                label: t(`sso.presets.${p}`),
              }))}
            />
            {form.preset === 'entra' && (
              <TextField
                label={t('sso.tenant')}
                name="tenant"
                value={form.tenant}
                onChange={set('tenant')}
                required
              />
            )}
            {form.preset === 'oidc' && (
              <TextField
                label={t('sso.issuer')}
                name="issuer"
                value={form.issuer}
                onChange={set('issuer')}
                required
              />
            )}
            <TextField
              label={t('sso.clientId')}
              name="clientId"
              value={form.clientId}
              onChange={set('clientId')}
              required
            />
            <TextField
              label={t('sso.clientSecret')}
              hint={view.hasClientSecret ? t('sso.clientSecretKept') : undefined}
              name="clientSecret"
              type="password"
              autoComplete="off"
              value={form.clientSecret}
              onChange={set('clientSecret')}
            />
            <TextField
              label={t('sso.label')}
              name="label"
              value={form.label}
              onChange={set('label')}
              maxLength={100}
            />
            <label className="checkbox">
              <input
                type="checkbox"
                checked={form.createAccounts}
                onChange={(e) => set('createAccounts')(e.target.checked)}
              />{' '}
              {t('sso.createAccounts')}
            </label>
            <TextAreaField
              label={t('sso.rules')}
              hint={t('sso.rulesHint')}
              name="roles"
              value={form.rules}
              onChange={set('rules')}
            />
            {rulesInvalid && (
              <p className="field-problem" role="alert">
                {t('sso.rulesInvalid')}
              </p>
            )}
            <ErrorAlert error={error} />
            <button type="submit" className="button button-primary" disabled={busy}>
              {t('sso.save')}
            </button>
            {saved && (
              <p role="status" className="confirmation">
                {t('sso.saved')}
              </p>
            )}
          </fieldset>
        </form>
      </FormProblems>
    </section>
  );
}
