import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import { limits, setupRequestSchema, type User } from '@harbour/shared';
import { api } from '../api';
import { useAuth } from '../auth';
import { ErrorAlert } from '../components/ErrorAlert';
import { TextField } from '../components/Field';
import { FormProblems } from '../components/formProblems';
import { LanguageSwitch } from '../components/LanguageSwitch';
import { usePasswordProblem } from '../components/passwordProblem';
import { useSubmit } from '../components/useAction';
import { usePageTitle } from '../components/usePageTitle';
import { checkForm } from '../validate';

/** First run: create the first administrator, who is then signed in. */
export function SetupPage() {
  const { t } = useTranslation();
  usePageTitle(t('setup.pageTitle'));
  const { signedIn } = useAuth();
  const navigate = useNavigate();
  const [email, setEmail] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, run } = useSubmit();
  const passwordProblem = usePasswordProblem(error, 'password');

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    await run(async () => {
      const body = { email, displayName, password };
      checkForm(setupRequestSchema, body);
      const { user } = await api.post<{ user: User }>('/api/setup', body);
      await signedIn(user);
      void navigate('/rooms', { replace: true });
    });
  }

  return (
    <main id="main" className="auth-page">
      <div className="auth-card">
        <LanguageSwitch />
        <p className="brand brand-large">{t('app.name')}</p>
        <h1>{t('setup.title')}</h1>
        <p>{t('setup.intro')}</p>
        <FormProblems error={error}>
          <form onSubmit={submit} noValidate>
            <TextField
              label={t('login.email')}
              name="email"
              invalid={t('login.emailInvalid')}
              type="email"
              autoComplete="email"
              value={email}
              onChange={setEmail}
              required
            />
            <TextField
              label={t('setup.name')}
              name="displayName"
              invalid={t('setup.nameInvalid')}
              autoComplete="name"
              value={displayName}
              onChange={setDisplayName}
              required
            />
            <TextField
              label={t('login.password')}
              name="password"
              invalid={passwordProblem}
              type="password"
              autoComplete="new-password"
              hint={t('setup.passwordHint', { min: limits.passwordMin })}
              value={password}
              onChange={setPassword}
              required
            />
            <ErrorAlert error={error} />
            <button type="submit" className="button button-primary" disabled={busy}>
              {t('setup.submit')}
            </button>
          </form>
        </FormProblems>
      </div>
    </main>
  );
}
