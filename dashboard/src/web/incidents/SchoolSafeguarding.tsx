/**
 * A school's own covered-screen and email settings (docs/trust.md), for a school's DSL in a
 * trust of several schools: the staff PIN, whether pupils may release their own screen, and
 * the mail server of the "a concern is waiting" email. Each says whether it is the school's own
 * or the trust's, and can be set for the school or cleared back to the trust's. The server
 * answers for this school only (`/api/safeguarding/schools/:id/…`).
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SafeguardingSettings } from '@harbour/shared';
import { api } from '../api';
import { SelectField, TextField } from '../components/Field';
import { SmtpForm } from './SmtpForm';

export function SchoolSafeguarding({
  schoolId,
  data,
  onSaved,
  onError,
}: {
  schoolId: number;
  /** What GET /api/safeguarding/settings gave this school's DSL: its effective values. */
  data: SafeguardingSettings;
  onSaved: (settings: SafeguardingSettings, message: string) => void;
  onError: (error: unknown) => void;
}) {
  const { t } = useTranslation();
  const base = `/api/safeguarding/schools/${schoolId}`;
  const inherited = data.inherited ?? { staffPin: true, smtp: true, pupilsMayRelease: true };
  const [pin, setPin] = useState('');

  const run = (work: () => Promise<SafeguardingSettings>, message: string) => {
    onError(null);
    work().then(
      (settings) => onSaved(settings, message),
      (e: unknown) => onError(e),
    );
  };
  const patch = (body: unknown, message: string) =>
    run(() => api.patch<SafeguardingSettings>(`${base}/settings`, body), message);
  const thenReload = (work: Promise<unknown>) =>
    work.then(() => api.get<SafeguardingSettings>(`${base}/settings`));

  const from = (own: boolean) => (
    <p className="hint" data-testid="setting-source">
      {own ? t('safeguarding.school.own') : t('safeguarding.school.inherited')}
    </p>
  );

  return (
    <div data-testid="school-settings">
      <section className="panel">
        <h2>{t('safeguarding.school.coverTitle')}</h2>
        <p className="hint">{t('safeguarding.school.hint')}</p>

        <h3>{t('safeguarding.school.releaseTitle')}</h3>
        {from(!inherited.pupilsMayRelease)}
        <p>
          {data.pupilsMayRelease
            ? t('safeguarding.school.releaseNowYes')
            : t('safeguarding.school.releaseNowNo')}
        </p>
        <SelectField
          label={t('safeguarding.school.releaseLabel')}
          name="pupilsMayRelease"
          value={inherited.pupilsMayRelease ? 'trust' : data.pupilsMayRelease ? 'yes' : 'no'}
          onChange={(v) =>
            patch({ pupilsMayRelease: v === 'trust' ? null : v === 'yes' }, t('safeguarding.cover.saved'))
          }
          options={[
            { value: 'trust', label: t('safeguarding.school.releaseTrust') },
            { value: 'yes', label: t('safeguarding.school.releaseYes') },
            { value: 'no', label: t('safeguarding.school.releaseNo') },
          ]}
        />

        <h3>{t('safeguarding.school.pinTitle')}</h3>
        {from(!inherited.staffPin)}
        <p>
          {!inherited.staffPin
            ? t('safeguarding.school.pinOwn')
            : data.staffPinSet
              ? t('safeguarding.school.pinTrust')
              : t('safeguarding.cover.noPin')}
        </p>
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            run(() => thenReload(api.put(`${base}/staff-pin`, { pin })), t('safeguarding.cover.pinSaved'));
            setPin('');
          }}
          noValidate
        >
          <TextField
            label={t('safeguarding.school.pinLabel')}
            name="pin"
            invalid={t('safeguarding.cover.pinInvalid')}
            type="password"
            inputMode="numeric"
            autoComplete="new-password"
            value={pin}
            onChange={setPin}
          />
          <button type="submit" className="button">
            {t('safeguarding.cover.setPin')}
          </button>
        </form>
        {!inherited.staffPin && (
          <button
            type="button"
            className="button button-quiet"
            onClick={() =>
              run(() => thenReload(api.del(`${base}/staff-pin`)), t('safeguarding.school.pinCleared'))
            }
          >
            {t('safeguarding.school.pinClear')}
          </button>
        )}
      </section>

      <SmtpForm
        shown={inherited.smtp ? null : data.smtp}
        emptyWhenNone
        saveLabel={t('safeguarding.school.emailSave')}
        onSave={(smtp) => patch({ smtp }, t('safeguarding.email.saved'))}
        actions={
          !inherited.smtp && (
            <button
              type="button"
              className="button button-quiet"
              onClick={() => patch({ smtp: null }, t('safeguarding.school.emailCleared'))}
            >
              {t('safeguarding.school.emailClear')}
            </button>
          )
        }
      >
        {from(!inherited.smtp)}
        <p className="hint">{t('safeguarding.school.emailHint')}</p>
      </SmtpForm>
    </div>
  );
}
