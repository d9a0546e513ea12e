import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import { loginRequestSchema, type User } from '@harbour/shared';
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
  const { busy, error, run } = useSubmit();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    await run(async () => {
      const body = { email, password };
      checkForm(loginRequestSchema, body);
      const { user } = await api.post<{ user: User }>('/api/auth/login', body);
      signedIn(user);
      void navigate('/rooms', { replace: true });
    });
  }

  return (
    <main id="main" className="auth-page">
      <div className="auth-card">
        <LanguageSwitch />
        <p className="brand brand-large">{t('app.name')}</p>
        <h1>{t('login.title')}</h1>
        {sessionEnded && <p className="notice">{t('login.sessionEnded')}</p>}
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
