import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { passwordResetRequestSchema } from '@harbour/shared';
import { api } from '../api';
import { checkNewPassword, NewPasswordFields } from '../components/ChangePasswordForm';
import { ErrorAlert } from '../components/ErrorAlert';
import { FormProblems } from '../components/formProblems';
import { LanguageSwitch } from '../components/LanguageSwitch';
import { usePasswordProblem } from '../components/passwordProblem';
import { useSubmit } from '../components/useAction';
import { usePageTitle } from '../components/usePageTitle';
import { checkForm } from '../validate';

/**
 * The page an administrator's reset link opens (`/reset-password#hpr_…`). The token is in the
 * fragment, which browsers never send to a server or put in a Referer; the page takes it out
 * of the address at once so it stays in neither the history nor a screenshot.
 */
export function ResetPasswordPage() {
  const { t } = useTranslation();
  usePageTitle(t('password.reset.title'));
  const [token] = useState(() => window.location.hash.replace(/^#/, ''));
  const [newPassword, setNew] = useState('');
  const [again, setAgain] = useState('');
  const [done, setDone] = useState(false);
  const { busy, error, run } = useSubmit();
  const problem = usePasswordProblem(error, 'newPassword');

  useEffect(() => {
    if (window.location.hash !== '')
      window.history.replaceState(window.history.state, '', window.location.pathname);
  }, []);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    await run(async () => {
      const body = { token, newPassword };
      checkNewPassword(newPassword, again);
      checkForm(passwordResetRequestSchema, body);
      await api.post('/api/auth/password-reset', body);
      setNew('');
      setAgain('');
      setDone(true);
    });
  }

  return (
    <main id="main" className="auth-page">
      <div className="auth-card">
        <LanguageSwitch />
        <p className="brand brand-large">{t('app.name')}</p>
        <h1>{t('password.reset.title')}</h1>
        {done ? (
          <>
            <p role="status">{t('password.reset.done')}</p>
            <p>
              <Link to="/login">{t('login.submit')}</Link>
            </p>
          </>
        ) : token === '' ? (
          <p>{t('password.reset.noToken')}</p>
        ) : (
          <FormProblems error={error}>
            <form onSubmit={submit} noValidate>
              <NewPasswordFields
                newPassword={newPassword}
                again={again}
                setNew={setNew}
                setAgain={setAgain}
                problem={problem}
              />
              <ErrorAlert error={error} overrides={{ unauthenticated: t('password.reset.expired') }} />
              <button type="submit" className="button button-primary" disabled={busy}>
                {t('password.submit')}
              </button>
            </form>
          </FormProblems>
        )}
      </div>
    </main>
  );
}
