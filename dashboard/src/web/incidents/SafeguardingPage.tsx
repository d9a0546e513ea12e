import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AuditVerify, SafeguardingSettings } from '@harbour/shared';
import { api } from '../api';
import { ErrorAlert } from '../components/ErrorAlert';
import { TextAreaField, TextField } from '../components/Field';
import { FormProblems } from '../components/formProblems';
import { TrustWide, TrustWideNote, useTrustSettingsReadOnly } from '../components/TrustWide';
import { useUser } from '../auth';
import { useTrustSchools } from '../schools';
import { DateTime } from '../components/time';
import { usePageTitle } from '../components/usePageTitle';
import { SchoolPicker, SchoolSafeguarding } from './SchoolSafeguarding';
import { SmtpForm } from './SmtpForm';
import { StaffPinForm } from './StaffPinForm';
import { useLoad } from './useLoad';

/** The DSL's settings: categories, retention, email, screen release, and the trail check. */
export function SafeguardingPage() {
  const { t } = useTranslation();
  usePageTitle(t('safeguarding.title'));
  const { data, error, set } = useLoad<SafeguardingSettings>('/api/safeguarding/settings');
  const purges = useLoad<{
    purges: { id: number; at: string; recordType: string; count: number; detail: string }[];
  }>('/api/retention/purges');
  const [saveError, setSaveError] = useState<unknown>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [categories, setCategories] = useState('');
  const [retention, setRetention] = useState({ incidents: '', evidence: '' });
  const [verify, setVerify] = useState<AuditVerify | null>(null);
  // A school's DSL in a trust of several schools: the PIN, release and email are their school's
  // own (or the trust's), set in their own panel; categories and retention stay the trust's.
  const user = useUser();
  const readOnly = useTrustSettingsReadOnly();
  const ownSchool = readOnly ? (user.schoolId ?? null) : null;
  // Trust-level staff of a trust of several schools choose a school to set its own (null for
  // everyone else, and with one school: the page is as before).
  const trustSchools = useTrustSchools();
  // A chosen school's panel has the same field names as the trust's: its refusal marks its own.
  const [schoolError, setSchoolError] = useState<unknown>(null);

  useEffect(() => {
    if (!data) return;
    setCategories(
      data.categories.map((c) => `${c.id}: ${c.label}${c.retired ? ' (retired)' : ''}`).join('\n'),
    );
    setRetention({ incidents: String(data.retention.incidents), evidence: String(data.retention.evidence) });
  }, [data]);

  async function save(body: unknown, done: string) {
    setSaveError(null);
    setSchoolError(null);
    setSaved(null);
    try {
      set(await api.patch<SafeguardingSettings>('/api/safeguarding/settings', body));
      setSaved(done);
    } catch (e) {
      setSaveError(e);
    }
  }

  const parsedCategories = () =>
    categories
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .map((line) => {
        const [id = '', ...rest] = line.split(':');
        const label = rest.join(':').trim();
        const retired = /\(retired\)$/.test(label);
        return { id: id.trim(), label: label.replace(/\s*\(retired\)$/, ''), retired };
      });

  return (
    <>
      <h1>{t('safeguarding.title')}</h1>
      <TrustWideNote />
      <ErrorAlert error={error} />
      <ErrorAlert error={saveError} />
      <ErrorAlert error={schoolError} />
      <div role="status">
        {saved && saveError === null && schoolError === null && <p className="confirmation">{saved}</p>}
      </div>
      {data && (
        <FormProblems error={saveError}>
          <TrustWide>
            <section className="panel">
              <h2>{t('safeguarding.categories.title')}</h2>
              <TextAreaField
                id="categories"
                label={t('safeguarding.categories.label')}
                name="categories"
                invalid={t('safeguarding.categories.invalid')}
                hint={t('safeguarding.categories.hint')}
                rows={14}
                value={categories}
                onChange={setCategories}
              />
              <button
                type="button"
                className="button button-primary"
                onClick={() =>
                  void save({ categories: parsedCategories() }, t('safeguarding.categories.saved'))
                }
              >
                {t('safeguarding.categories.save')}
              </button>
            </section>

            <section className="panel">
              <h2>{t('safeguarding.retention.title')}</h2>
              <p className="hint">{t('safeguarding.retention.hint')}</p>
              <TextField
                label={t('safeguarding.retention.incidents')}
                name="retention.incidents"
                invalid={t('safeguarding.retention.invalid')}
                type="number"
                min={1}
                max={100}
                value={retention.incidents}
                onChange={(v) => setRetention((r) => ({ ...r, incidents: v }))}
              />
              <TextField
                label={t('safeguarding.retention.evidence')}
                name="retention.evidence"
                invalid={t('safeguarding.retention.invalid')}
                type="number"
                min={1}
                max={100}
                value={retention.evidence}
                onChange={(v) => setRetention((r) => ({ ...r, evidence: v }))}
              />
              <button
                type="button"
                className="button button-primary"
                onClick={() =>
                  void save(
                    {
                      retention: {
                        incidents: Number(retention.incidents),
                        evidence: Number(retention.evidence),
                      },
                    },
                    t('safeguarding.retention.saved'),
                  )
                }
              >
                {t('safeguarding.retention.save')}
              </button>
              <h3>{t('safeguarding.retention.purged')}</h3>
              {purges.data?.purges.length ? (
                <ul>
                  {purges.data.purges.map((p) => (
                    <li key={p.id}>
                      <DateTime iso={p.at} />:{' '}
                      {t('safeguarding.retention.purge', {
                        count: p.count,
                        what: t(
                          `safeguarding.retention.type.${p.recordType === 'evidence' ? 'evidence' : 'incidents'}`,
                        ),
                        detail: p.detail,
                      })}
                    </li>
                  ))}
                </ul>
              ) : (
                <p className="muted">{t('safeguarding.retention.nothing')}</p>
              )}
            </section>

            {ownSchool === null && (
              <>
                <section className="panel">
                  <h2>{t('safeguarding.cover.title')}</h2>
                  <label className="check">
                    <input
                      type="checkbox"
                      checked={data.pupilsMayRelease}
                      onChange={(e) =>
                        void save({ pupilsMayRelease: e.target.checked }, t('safeguarding.cover.saved'))
                      }
                    />{' '}
                    {t('safeguarding.cover.pupilsMayRelease')}
                  </label>
                  <p>{data.staffPinSet ? t('safeguarding.cover.pinSet') : t('safeguarding.cover.noPin')}</p>
                  <StaffPinForm
                    label={t('safeguarding.cover.pin')}
                    onSet={(pin) => {
                      setSaveError(null);
                      setSchoolError(null);
                      setSaved(null);
                      return api.put('/api/safeguarding/staff-pin', { pin }).then(
                        () => {
                          setSaved(t('safeguarding.cover.pinSaved'));
                          set({ ...data, staffPinSet: true });
                        },
                        (err: unknown) => {
                          setSaveError(err);
                          throw err;
                        },
                      );
                    }}
                  />
                </section>

                <SmtpForm
                  shown={data.smtp}
                  saveLabel={t('safeguarding.email.save')}
                  onSave={(smtp) => void save({ smtp }, t('safeguarding.email.saved'))}
                  actions={
                    <button
                      type="button"
                      className="button button-quiet"
                      onClick={() => void save({ smtp: null }, t('safeguarding.email.offDone'))}
                    >
                      {t('safeguarding.email.off')}
                    </button>
                  }
                >
                  <p className="hint">{t('safeguarding.email.hint')}</p>
                </SmtpForm>
              </>
            )}
          </TrustWide>
          {ownSchool !== null && (
            <SchoolSafeguarding
              schoolId={ownSchool}
              data={data}
              onSaved={(settings, message) => {
                set(settings);
                setSaved(message);
              }}
              onError={(e) => {
                setSaveError(e);
                if (e !== null) setSaved(null);
              }}
            />
          )}
        </FormProblems>
      )}
      {data && trustSchools && (
        <FormProblems error={schoolError}>
          <SchoolPicker
            schools={trustSchools}
            onSaved={setSaved}
            onError={(e) => {
              setSaveError(null);
              setSchoolError(e);
              if (e !== null) setSaved(null);
            }}
          />
        </FormProblems>
      )}
      <section className="panel">
        <h2>{t('safeguarding.audit.title')}</h2>
        <p className="hint">{t('safeguarding.audit.hint')}</p>
        <button
          type="button"
          className="button"
          onClick={() => {
            setVerify(null);
            api.get<AuditVerify>('/api/audit/verify').then(setVerify, (e: unknown) => setSaveError(e));
          }}
        >
          {t('safeguarding.audit.check')}
        </button>
        <div role="status" data-testid="audit-verify">
          {verify &&
            (verify.ok ? (
              <p className="confirmation">
                {t('safeguarding.audit.intact', { count: verify.entries })}
                {verify.checkpoint && (
                  <>
                    {' '}
                    {t('safeguarding.audit.checkpoint', {
                      entries: verify.checkpoint.entries,
                      head: verify.checkpoint.head.slice(0, 16),
                    })}{' '}
                    (<DateTime iso={verify.checkpoint.at} />)
                  </>
                )}
              </p>
            ) : verify.brokenAt ? (
              <p className="alert alert-error">
                {t('safeguarding.audit.broken', { id: verify.brokenAt.id, action: verify.brokenAt.action })}{' '}
                <DateTime iso={verify.brokenAt.at} />: <span lang="en">{verify.reason}</span>
              </p>
            ) : (
              <p className="alert alert-error">
                {t('safeguarding.audit.brokenPlain')} <span lang="en">{verify.reason}</span>
              </p>
            ))}
        </div>
      </section>
    </>
  );
}
