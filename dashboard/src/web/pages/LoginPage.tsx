/**
 * Signing in: email and password, then (for an account with a second factor) a code from the
 * authenticator app or a recovery code. Each step is its own component so that other ways in
 * (the school's single sign-on) can sit beside the password step.
 *
 * The code step holds nothing the app could use: until POST /api/auth/mfa succeeds the server
 * has only a pending sign-in that opens nothing, and /api/auth/me still says "signed out", so
 * going to another address just comes back here.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { loginRequestSchema, type LoginResponse, type Me } from '@harbour/shared';
import { ApiRequestError, api } from '../api';
import { useAuth } from '../auth';
import { ErrorAlert } from '../components/ErrorAlert';
import { TextField } from '../components/Field';
import { FormProblems } from '../components/formProblems';
import { LanguageSwitch } from '../components/LanguageSwitch';
import { useSubmit } from '../components/useAction';
import { usePageTitle } from '../components/usePageTitle';
import { retryAt } from '../errors';
import { useFormat } from '../i18n/format';
import { checkForm } from '../validate';

export function LoginPage({ sessionEnded }: { sessionEnded: boolean }) {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  // After the school's single sign-on without the provider's own second factor: the code step.
  const [step, setStep] = useState<'password' | 'code'>(params.get('step') === 'code' ? 'code' : 'password');
  const [notice, setNotice] = useState<string | null>(sessionEnded ? t('login.sessionEnded') : null);
  const ssoError = params.get('sso_error');
  usePageTitle(step === 'password' ? t('login.pageTitle') : t('login.code.pageTitle'));
  const { signedIn } = useAuth();
  const navigate = useNavigate();

  async function done(me: Me) {
    await signedIn(me.user);
    void navigate('/rooms', { replace: true });
  }

  return (
    <main id="main" className="auth-page">
      <div className="auth-card">
        <LanguageSwitch />
        <p className="brand brand-large">{t('app.name')}</p>
        {notice !== null && <p className="notice">{notice}</p>}
        {ssoError && (
          <p className="notice notice-error" role="alert">
            {t(`login.ssoError.${ssoError}`, { defaultValue: t('login.ssoError.other') })}
          </p>
        )}
        {step === 'password' && <SsoButton />}
        {step === 'password' ? (
          <PasswordStep
            onSignedIn={done}
            onCodeNeeded={() => {
              setNotice(null);
              setStep('code');
            }}
          />
        ) : (
          <CodeStep
            onSignedIn={done}
            onStartAgain={(why) => {
              setNotice(why);
              setStep('password');
            }}
          />
        )}
      </div>
    </main>
  );
}

/** The school's single sign-on, when an admin has set it up (GET /api/auth/sso). */
function SsoButton() {
  const { t } = useTranslation();
  const [sso, setSso] = useState<{ enabled: boolean; label: string | null } | null>(null);
  useEffect(() => {
    api.get<{ enabled: boolean; label: string | null }>('/api/auth/sso').then(setSso, () => setSso(null));
  }, []);
  if (!sso?.enabled) return null;
  return (
    <p>
      <a className="button button-primary" href="/api/auth/sso/start">
        {sso.label ?? t('login.sso')}
      </a>
    </p>
  );
}

/** "Try again at 16:40": the end of an account's lockout, in the reader's language and time zone. */
function useLockoutWords(error: unknown): string | undefined {
  const { t } = useTranslation();
  const format = useFormat();
  const at = retryAt(error);
  return at ? t('login.lockedOut', { time: format.shortTime(at.toISOString()) }) : undefined;
}

function PasswordStep({
  onSignedIn,
  onCodeNeeded,
}: {
  onSignedIn: (me: Me) => Promise<void>;
  onCodeNeeded: () => void;
}) {
  const { t } = useTranslation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, run } = useSubmit();
  const lockedOut = useLockoutWords(error);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    await run(async () => {
      const body = { email, password };
      checkForm(loginRequestSchema, body);
      const answer = await api.post<LoginResponse>('/api/auth/login', body);
      if ('mfaRequired' in answer) {
        setPassword('');
        onCodeNeeded();
      } else await onSignedIn(answer);
    });
  }

  return (
    <>
      <h1>{t('login.title')}</h1>
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
          <ErrorAlert
            error={error}
            overrides={{
              unauthenticated: t('login.wrong'),
              ...(lockedOut !== undefined && { rate_limited: lockedOut }),
            }}
          />
          <button type="submit" className="button button-primary" disabled={busy}>
            {t('login.submit')}
          </button>
        </form>
      </FormProblems>
      <p className="hint">{t('login.forgotten')}</p>
    </>
  );
}

const recoveryShape = /^[a-z0-9]{4}(-?[a-z0-9]{4}){3}$/i;

/** The server's words when the pending sign-in has gone (expired, or never made): start again. */
const pendingGone = /email and password first/;

function CodeStep({
  onSignedIn,
  onStartAgain,
}: {
  onSignedIn: (me: Me) => Promise<void>;
  onStartAgain: (why: string | null) => void;
}) {
  const { t } = useTranslation();
  const [recovery, setRecovery] = useState(false);
  const [code, setCode] = useState('');
  const { busy, error, run } = useSubmit();
  const lockedOut = useLockoutWords(error);
  const input = useRef<HTMLDivElement>(null);

  // The step replaced the password form: put the focus where the code goes.
  useEffect(() => {
    input.current?.querySelector('input')?.focus();
  }, [recovery]);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    await run(async () => {
      // People copy codes as "123 456"; the server wants the digits.
      const typed = recovery ? code.trim() : code.replace(/\s+/g, '');
      // A recovery code typed into the app's box is taken too: the server tells them apart.
      const fits = recovery ? typed.length >= 6 : /^\d{6}$/.test(typed) || recoveryShape.test(typed);
      if (!fits) {
        throw new ApiRequestError(0, 'validation_failed', 'code', [{ path: 'code', message: 'invalid' }]);
      }
      try {
        const me = await api.post<Me>('/api/auth/mfa', { code: typed });
        setCode('');
        await onSignedIn(me);
      } catch (err) {
        setCode('');
        if (
          err instanceof ApiRequestError &&
          err.code === 'unauthenticated' &&
          pendingGone.test(err.message)
        ) {
          onStartAgain(t('login.code.expired'));
          return;
        }
        throw err;
      }
    });
  }

  return (
    <>
      <h1>{t('login.code.title')}</h1>
      <p>{recovery ? t('login.code.recoveryIntro') : t('login.code.intro')}</p>
      <FormProblems error={error}>
        <form onSubmit={submit} noValidate>
          <div ref={input}>
            <TextField
              key={recovery ? 'recovery' : 'totp'}
              label={recovery ? t('login.code.recoveryLabel') : t('login.code.label')}
              name="code"
              invalid={recovery ? t('login.code.recoveryInvalid') : t('login.code.invalid')}
              hint={recovery ? t('login.code.recoveryHint') : t('login.code.hint')}
              autoComplete="one-time-code"
              inputMode={recovery ? 'text' : 'numeric'}
              spellCheck={false}
              maxLength={40}
              value={code}
              onChange={setCode}
              required
            />
          </div>
          <ErrorAlert
            error={error}
            overrides={{
              unauthenticated: t('login.code.wrong'),
              validation_failed: recovery ? t('login.code.recoveryInvalid') : t('login.code.invalid'),
              ...(lockedOut !== undefined && { rate_limited: lockedOut }),
            }}
          />
          <button type="submit" className="button button-primary" disabled={busy}>
            {t('login.code.submit')}
          </button>
        </form>
      </FormProblems>
      <p>
        <button
          type="button"
          className="button button-quiet"
          onClick={() => {
            setCode('');
            setRecovery(!recovery);
          }}
        >
          {recovery ? t('login.code.useApp') : t('login.code.useRecovery')}
        </button>
      </p>
      <p>
        <button type="button" className="button button-quiet" onClick={() => onStartAgain(null)}>
          {t('login.code.startAgain')}
        </button>
      </p>
      <p className="hint">{t('login.code.lostPhone')}</p>
    </>
  );
}
