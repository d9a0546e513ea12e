/**
 * A school's own covered-screen and email settings (docs/trust.md), for a school's DSL in a
 * trust of several schools: the staff PIN, whether pupils may release their own screen, and
 * the mail server of the "a concern is waiting" email. Each says whether it is the school's own
 * or the trust's, and can be set for the school or cleared back to the trust's. The server
 * answers for this school only (`/api/safeguarding/schools/:id/…`). Trust-level staff get the
 * same panel for the school they choose (`SchoolPicker`), worded "this school" instead of
 * "your school".
 */
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SafeguardingSettings, School } from '@harbour/shared';
import { api } from '../api';
import { ErrorAlert } from '../components/ErrorAlert';
import { SelectField } from '../components/Field';
import { SmtpForm } from './SmtpForm';
import { StaffPinForm } from './StaffPinForm';
import { useLoad } from './useLoad';

/** The panel's words that say whose school it is: the DSL's own ("your") or one chosen ("this"). */
type Worded =
  | 'hint'
  | 'own'
  | 'inherited'
  | 'coverTitle'
  | 'releaseNowYes'
  | 'releaseNowNo'
  | 'releaseYes'
  | 'releaseNo'
  | 'pinOwn'
  | 'pinTrust'
  | 'pinLabel'
  | 'pinCleared'
  | 'emailHint'
  | 'emailSave'
  | 'emailCleared';

export function SchoolSafeguarding({
  schoolId,
  data,
  chosen = false,
  onSaved,
  onError,
}: {
  schoolId: number;
  /**
   * The school's effective values: what GET /api/safeguarding/settings gave its own DSL, or
   * GET /api/safeguarding/schools/:id/settings for the school trust-level staff chose.
   */
  data: SafeguardingSettings;
  /** Trust-level staff chose this school: "this school", not "your school". */
  chosen?: boolean;
  onSaved: (settings: SafeguardingSettings, message: string) => void;
  onError: (error: unknown) => void;
}) {
  const { t } = useTranslation();
  const w = (key: Worded) => t(chosen ? `safeguarding.chosenSchool.${key}` : `safeguarding.school.${key}`);
  const base = `/api/safeguarding/schools/${schoolId}`;
  const inherited = data.inherited ?? { staffPin: true, smtp: true, pupilsMayRelease: true };

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
      {own ? w('own') : w('inherited')}
    </p>
  );

  return (
    <div data-testid="school-settings" data-school-id={schoolId}>
      <section className="panel">
        <h2>{w('coverTitle')}</h2>
        <p className="hint">{w('hint')}</p>

        <h3>{t('safeguarding.school.releaseTitle')}</h3>
        {from(!inherited.pupilsMayRelease)}
        <p>{data.pupilsMayRelease ? w('releaseNowYes') : w('releaseNowNo')}</p>
        <SelectField
          label={t('safeguarding.school.releaseLabel')}
          name="pupilsMayRelease"
          value={inherited.pupilsMayRelease ? 'trust' : data.pupilsMayRelease ? 'yes' : 'no'}
          onChange={(v) =>
            patch({ pupilsMayRelease: v === 'trust' ? null : v === 'yes' }, t('safeguarding.cover.saved'))
          }
          options={[
            { value: 'trust', label: t('safeguarding.school.releaseTrust') },
            { value: 'yes', label: w('releaseYes') },
            { value: 'no', label: w('releaseNo') },
          ]}
        />

        <h3>{t('safeguarding.school.pinTitle')}</h3>
        {from(!inherited.staffPin)}
        <p>
          {!inherited.staffPin
            ? w('pinOwn')
            : data.staffPinSet
              ? w('pinTrust')
              : t('safeguarding.cover.noPin')}
        </p>
        <StaffPinForm
          label={w('pinLabel')}
          onSet={(pin) =>
            run(() => thenReload(api.put(`${base}/staff-pin`, { pin })), t('safeguarding.cover.pinSaved'))
          }
        />
        {!inherited.staffPin && (
          <button
            type="button"
            className="button button-quiet"
            onClick={() => run(() => thenReload(api.del(`${base}/staff-pin`)), w('pinCleared'))}
          >
            {t('safeguarding.school.pinClear')}
          </button>
        )}
      </section>

      <SmtpForm
        shown={inherited.smtp ? null : data.smtp}
        emptyWhenNone
        saveLabel={w('emailSave')}
        onSave={(smtp) => patch({ smtp }, t('safeguarding.email.saved'))}
        actions={
          !inherited.smtp && (
            <button
              type="button"
              className="button button-quiet"
              onClick={() => patch({ smtp: null }, w('emailCleared'))}
            >
              {t('safeguarding.school.emailClear')}
            </button>
          )
        }
      >
        {from(!inherited.smtp)}
        <p className="hint">{w('emailHint')}</p>
      </SmtpForm>
    </div>
  );
}

/**
 * Trust-level staff of a trust of several schools choose one of the trust's schools and get
 * its own panel, as its DSL sees it. Only they are given the list (`useTrustSchools`); which
 * school anyone may read or set is the server's to decide (`perSchool`: a school's staff
 * naming another school get 403), not this picker's.
 */
export function SchoolPicker({
  schools,
  onSaved,
  onError,
}: {
  schools: School[];
  onSaved: (message: string) => void;
  onError: (error: unknown) => void;
}) {
  const { t } = useTranslation();
  const [chosen, setChosen] = useState('');
  const current = useRef(chosen);
  current.current = chosen;
  const { data, error, set } = useLoad<SafeguardingSettings>(
    chosen === '' ? null : `/api/safeguarding/schools/${chosen}/settings`,
  );
  // Never one school's values under another's name: while the chosen school's load, or when a
  // change to the one chosen before comes back late, nothing (or the right one) is shown.
  const shown = data !== null && String(data.school) === chosen ? data : null;

  return (
    <>
      <section className="panel">
        <h2>{t('safeguarding.schoolPicker.title')}</h2>
        <p className="hint">{t('safeguarding.schoolPicker.hint')}</p>
        <SelectField
          label={t('schools.column')}
          name="school"
          value={chosen}
          onChange={(id) => {
            onError(null);
            setChosen(id);
          }}
          options={[
            { value: '', label: t('schools.choose') },
            ...schools.map((s) => ({ value: String(s.id), label: s.name })),
          ]}
        />
      </section>
      <ErrorAlert error={error} />
      {shown && (
        <SchoolSafeguarding
          key={chosen}
          schoolId={Number(chosen)}
          data={shown}
          chosen
          onSaved={(settings, message) => {
            if (String(settings.school) === current.current) set(settings);
            onSaved(message);
          }}
          onError={onError}
        />
      )}
    </>
  );
}
