/**
 * Setting up a second factor: the server makes a TOTP secret, the page shows it as a QR code
 * (drawn here by the `qrcode` library, so the secret goes to no other service) and as text
 * to type in, the first code from the app confirms it, and the recovery codes are shown once.
 *
 * The secret lives only in this component's state: not in the address, the history, local
 * storage or any log, and it is dropped as soon as the app is confirmed.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import QRCode from 'qrcode';
import { ApiRequestError, api } from '../api';
import { useAuth } from '../auth';
import { ErrorAlert } from '../components/ErrorAlert';
import { TextField } from '../components/Field';
import { FormProblems } from '../components/formProblems';
import { RecoveryCodes } from '../components/RecoveryCodes';
import { useSubmit } from '../components/useAction';
import { usePageTitle } from '../components/usePageTitle';

type Step =
  | { kind: 'intro' }
  | { kind: 'scan'; secret: string; qr: string }
  | { kind: 'codes'; codes: string[] }
  | { kind: 'already' };

/** Only a path inside the dashboard: `?next=//evil.example` must not send anyone away. */
export function safeNext(next: string | null, fallback: string): string {
  return next !== null && /^\/(?![/\\])/.test(next) ? next : fallback;
}

export function SecondFactorSetupPage({ forced = false }: { forced?: boolean }) {
  const { t } = useTranslation();
  usePageTitle(t('secondFactor.setup.title'));
  const { refresh } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'), forced ? '/rooms' : '/account');
  const [step, setStep] = useState<Step>({ kind: 'intro' });
  const [code, setCode] = useState('');
  const start = useSubmit();
  const confirm = useSubmit();

  useEffect(() => {
    let cancelled = false;
    api.get<{ enrolled: boolean }>('/api/auth/second-factor').then(
      (status) => {
        if (!cancelled && status.enrolled) setStep((s) => (s.kind === 'intro' ? { kind: 'already' } : s));
      },
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, []);

  async function begin() {
    await start.run(async () => {
      const setup = await api.post<{ secret: string; otpauthUri: string }>('/api/auth/second-factor/setup');
      const svg = await QRCode.toString(setup.otpauthUri, {
        type: 'svg',
        margin: 2,
        errorCorrectionLevel: 'M',
      });
      setStep({
        kind: 'scan',
        secret: setup.secret,
        qr: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`,
      });
    });
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    await confirm.run(async () => {
      const typed = code.replace(/\s+/g, '');
      if (!/^\d{6}$/.test(typed)) {
        throw new ApiRequestError(0, 'validation_failed', 'code', [{ path: 'code', message: 'invalid' }]);
      }
      const { recoveryCodes } = await api.post<{ recoveryCodes: string[] }>(
        '/api/auth/second-factor/confirm',
        { code: typed },
      );
      setCode('');
      // The secret is no longer needed anywhere: only the codes remain, until "I have kept them".
      setStep({ kind: 'codes', codes: recoveryCodes });
    });
  }

  // The form's own check (status 0) is about the shape; the server's is about the code itself.
  const codeProblem =
    confirm.error instanceof ApiRequestError && confirm.error.status !== 0
      ? t('secondFactor.setup.wrongCode')
      : t('login.code.invalid');

  async function kept() {
    setStep({ kind: 'intro' });
    await refresh();
    void navigate(next, { replace: true });
  }

  return (
    <>
      <h1>{t('secondFactor.setup.title')}</h1>
      {forced && <p className="notice">{t('secondFactor.setup.forced')}</p>}
      {step.kind === 'already' && (
        <>
          <p>{t('secondFactor.setup.already')}</p>
          <p>
            <Link to="/account">{t('account.title')}</Link>
          </p>
        </>
      )}
      {step.kind === 'intro' && (
        <>
          <p>{t('secondFactor.setup.intro')}</p>
          <ErrorAlert error={start.error} />
          <button
            type="button"
            className="button button-primary"
            disabled={start.busy}
            onClick={() => void begin()}
          >
            {t('secondFactor.setup.start')}
          </button>
        </>
      )}
      {step.kind === 'scan' && (
        <>
          <section className="panel" aria-labelledby="second-factor-scan">
            <h2 id="second-factor-scan">{t('secondFactor.setup.scanTitle')}</h2>
            <p>{t('secondFactor.setup.scan')}</p>
            <img
              className="qr-code"
              src={step.qr}
              width={220}
              height={220}
              alt={t('secondFactor.setup.qrAlt')}
            />
            <p>{t('secondFactor.setup.manual')}</p>
            <p>
              <code className="totp-secret" data-testid="totp-secret">
                {step.secret.match(/.{1,4}/g)?.join(' ')}
              </code>
            </p>
          </section>
          <section className="panel" aria-labelledby="second-factor-confirm">
            <h2 id="second-factor-confirm">{t('secondFactor.setup.confirmTitle')}</h2>
            <FormProblems error={confirm.error}>
              <form onSubmit={submit} noValidate>
                <TextField
                  label={t('login.code.label')}
                  name="code"
                  hint={t('login.code.hint')}
                  invalid={codeProblem}
                  autoComplete="one-time-code"
                  inputMode="numeric"
                  spellCheck={false}
                  maxLength={12}
                  value={code}
                  onChange={setCode}
                  required
                />
                <ErrorAlert error={confirm.error} overrides={{ validation_failed: codeProblem }} />
                <button type="submit" className="button button-primary" disabled={confirm.busy}>
                  {t('secondFactor.setup.confirm')}
                </button>
              </form>
            </FormProblems>
          </section>
        </>
      )}
      {step.kind === 'codes' && <RecoveryCodes codes={step.codes} onKept={() => void kept()} />}
    </>
  );
}
