import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { loginRequestSchema, type LoginResponse, type User } from '@harbour/shared';
import { api } from '../api';
import { useAuth } from '../auth';
import { ErrorAlert } from '../components/ErrorAlert';
import { TextField } from '../components/Field';
import { FormProblems } from '../components/formProblems';
import { LanguageSwitch } from '../components/LanguageSwitch';
import { useSubmit } from '../components/useAction';
import { usePageTitle } from '../components/usePageTitle';
import { checkForm } from '../validate';

export function LoginPage({ sessionEnded }: { sessionEnded: boolean }) {
  const { t } = useTranslation();
  usePageTitle(t('login.pageTitle'));
  const { signedIn } = useAuth();
  const navigate = useNavigate();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [params] = useSearchParams();
  // After a password (or SSO without the provider's own second factor): the code step.
  const [needCode, setNeedCode] = useState(params.get('step') === 'code');
  const [code, setCode] = useState('');
  const [sso, setSso] = useState<{ enabled: boolean; label: string | null } | null>(null);
  const ssoError = params.get('sso_error');
  const { busy, error, run } = useSubmit();

  useEffect(() => {
    api.get<{ enabled: boolean; label: string | null }>('/api/auth/sso').then(setSso, () => setSso(null));
  }, []);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    await run(async () => {
      const body = { email, password };
      checkForm(loginRequestSchema, body);
      const answer = await api.post<LoginResponse>('/api/auth/login', body);
      if ('mfaRequired' in answer) {
        setNeedCode(true);
        return;
      }
      signedIn(answer.user);
      void navigate('/rooms', { replace: true });
    });
  }

  async function submitCode(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    await run(async () => {
      const { user } = await api.post<{ user: User }>('/api/auth/mfa', { code: code.trim() });
      signedIn(user);
      void navigate('/rooms', { replace: true });
    });
  }

  if (needCode) {
    return (
      <main id="main" className="auth-page">
        <div className="auth-card">
          <LanguageSwitch />
          <p className="brand brand-large">{t('app.name')}</p>
          <h1>{t('login.codeTitle')}</h1>
          <p>{t('login.codeHint')}</p>
          <FormProblems error={error}>
            <form onSubmit={submitCode} noValidate>
              <TextField
                label={t('login.code')}
                name="code"
                invalid={t('login.codeMissing')}
                autoComplete="one-time-code"
                inputMode="text"
                value={code}
                onChange={setCode}
                required
              />
              <ErrorAlert error={error} overrides={{ unauthenticated: t('login.codeWrong') }} />
              <button type="submit" className="button button-primary" disabled={busy}>
                {t('login.codeSubmit')}
              </button>
            </form>
          </FormProblems>
        </div>
      </main>
    );
  }

  return (
    <main id="main" className="auth-page">
      <div className="auth-card">
        <LanguageSwitch />
        <p className="brand brand-large">{t('app.name')}</p>
        <h1>{t('login.title')}</h1>
        {sessionEnded && <p className="notice">{t('login.sessionEnded')}</p>}
        {ssoError && (
          <p className="notice notice-error" role="alert">
            {t(`login.ssoError.${ssoError}`, { defaultValue: t('login.ssoError.other') })}
          </p>
        )}
        {sso?.enabled && (
          <p>
            <a className="button button-primary" href="/api/auth/sso/start">
              {sso.label ?? t('login.sso')}
            </a>
          </p>
        )}
        <FormProblems error={error}>
          <form onSubmit={submit} noValidate>
            <TextField
              label={t('login.email')}
              name="email"
              invalid={t('login.emailInvalid')}
              type="email"
              autoComplete="username"
              value={email}
              onChange={setEmail}
              required
            />
            <TextField
              label={t('login.password')}
              name="password"
              invalid={t('login.passwordMissing')}
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={setPassword}
              required
            />
            <ErrorAlert error={error} overrides={{ unauthenticated: t('login.wrong') }} />
            <button type="submit" className="button button-primary" disabled={busy}>
              {t('login.submit')}
            </button>
          </form>
        </FormProblems>
        <p className="hint">{t('login.forgotten')}</p>
      </div>
    </main>
  );
}
