import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { api } from '../api';
import { useUser } from '../auth';
import { ChangePasswordForm } from '../components/ChangePasswordForm';
import { ErrorAlert } from '../components/ErrorAlert';
import { RecoveryCodes } from '../components/RecoveryCodes';
import { useSubmit } from '../components/useAction';
import { usePageTitle } from '../components/usePageTitle';
import { useLoad } from '../incidents/useLoad';

/** Your own account: your password, and your second factor with its recovery codes. */
export function AccountPage() {
  const { t } = useTranslation();
  usePageTitle(t('account.title'));
  const user = useUser();
  const [changed, setChanged] = useState(false);
  return (
    <>
      <h1>{t('account.title')}</h1>
      <p className="lead">
        {user.displayName} · <span className="address">{user.email}</span> · {t(`enums.role.${user.role}`)}
      </p>
      <section className="panel" aria-labelledby="account-password">
        <h2 id="account-password">{t('account.password.title')}</h2>
        {user.sso && <p className="hint">{t('account.password.sso')}</p>}
        <div role="status" className="confirmation">
          {changed && <p>{t('account.password.changed')}</p>}
        </div>
        <ChangePasswordForm currentLabel={t('account.password.current')} onChanged={() => setChanged(true)} />
      </section>
      <SecondFactorSection />
    </>
  );
}

function SecondFactorSection() {
  const { t } = useTranslation();
  const status = useLoad<{ enrolled: boolean; recoveryCodesLeft: number }>('/api/auth/second-factor');
  const [asking, setAsking] = useState(false);
  const [codes, setCodes] = useState<string[] | null>(null);
  const renew = useSubmit();

  async function newCodes() {
    await renew.run(async () => {
      const answer = await api.post<{ recoveryCodes: string[] }>('/api/auth/second-factor/recovery-codes');
      setAsking(false);
      setCodes(answer.recoveryCodes);
    });
  }

  return (
    <section className="panel" aria-labelledby="account-second-factor">
      <h2 id="account-second-factor">{t('account.secondFactor.title')}</h2>
      <p>{t('account.secondFactor.why')}</p>
      <ErrorAlert error={status.error} />
      {status.data === null ? (
        status.error === null && <p className="muted">{t('common.loading')}</p>
      ) : !status.data.enrolled ? (
        <>
          <p>
            <span className="badge badge-warning">{t('account.secondFactor.off')}</span>
          </p>
          <Link className="button button-primary" to="/account/second-factor">
            {t('account.secondFactor.setUp')}
          </Link>
        </>
      ) : codes !== null ? (
        <RecoveryCodes
          codes={codes}
          onKept={() => {
            setCodes(null);
            status.reload();
          }}
        />
      ) : (
        <>
          <p>
            <span className="badge badge-good">{t('account.secondFactor.on')}</span>{' '}
            {t('account.secondFactor.codesLeft', { count: status.data.recoveryCodesLeft })}
          </p>
          <p className="hint">{t('account.secondFactor.lost')}</p>
          <ErrorAlert error={renew.error} secondFactorGuards="recoveryCodes" />
          {asking ? (
            <div className="panel-highlight">
              <p>{t('account.secondFactor.renewConfirm')}</p>
              <p className="button-row">
                <button
                  type="button"
                  className="button button-primary"
                  disabled={renew.busy}
                  onClick={() => void newCodes()}
                >
                  {t('account.secondFactor.renewYes')}
                </button>
                <button type="button" className="button" onClick={() => setAsking(false)}>
                  {t('common.cancel')}
                </button>
              </p>
            </div>
          ) : (
            <button type="button" className="button" onClick={() => setAsking(true)}>
              {t('account.secondFactor.renew')}
            </button>
          )}
        </>
      )}
    </section>
  );
}
