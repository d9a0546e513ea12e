import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { can, type SupervisionSession, type SupervisionSettings } from '@harbour/shared';
import { api } from '../api';
import { useUser } from '../auth';
import { DataTable } from '../components/DataTable';
import { ErrorAlert } from '../components/ErrorAlert';
import { DateTime } from '../components/time';
import { TrustWide, TrustWideNote } from '../components/TrustWide';
import { usePageTitle } from '../components/usePageTitle';

/** The supervised sessions running now (a teacher's own; the DSL and admins see all). */
export function SupervisionPage() {
  const user = useUser();
  const { t } = useTranslation();
  usePageTitle(t('supervision.title'));
  const [sessions, setSessions] = useState<SupervisionSession[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let live = true;
    const load = () =>
      api.get<{ sessions: SupervisionSession[] }>('/api/supervision').then(
        (r) => {
          if (!live) return;
          setSessions(r.sessions);
          setError(null);
        },
        (err: unknown) => live && setError(err),
      );
    void load();
    const timer = window.setInterval(() => void load(), 15_000);
    return () => {
      live = false;
      window.clearInterval(timer);
    };
  }, []);

  return (
    <>
      <h1>{t('supervision.title')}</h1>
      <p className="lead">
        {user.role === 'teacher' ? t('supervision.leadTeacher') : t('supervision.leadAll')}
      </p>
      <ErrorAlert error={error} />
      {sessions !== null &&
        (sessions.length === 0 ? (
          <p className="empty">{t('supervision.none')}</p>
        ) : (
          <DataTable
            caption={t('supervision.caption')}
            hideCaption
            rows={sessions}
            rowKey={(s) => s.id}
            columns={[
              {
                key: 'room',
                header: t('common.room'),
                rowHeader: true,
                cell: (s) => <Link to={`/rooms/${s.roomId}`}>{s.roomName}</Link>,
              },
              { key: 'by', header: t('supervision.by'), cell: (s) => s.teacherName },
              {
                key: 'started',
                header: t('supervision.started'),
                cell: (s) => <DateTime iso={s.startedAt} />,
              },
              { key: 'ends', header: t('supervision.ends'), cell: (s) => <DateTime iso={s.endsAt} /> },
            ]}
          />
        ))}
      {can(user.role, 'manageSupervision') && <SettingsForm />}
    </>
  );
}

function SettingsForm() {
  const { t } = useTranslation();
  const [settings, setSettings] = useState<SupervisionSettings | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    api.get<SupervisionSettings>('/api/supervision-settings').then(setSettings, setError);
  }, []);

  const save = async (change: Partial<SupervisionSettings>) => {
    setError(null);
    setSaved(false);
    try {
      setSettings(await api.patch<SupervisionSettings>('/api/supervision-settings', change));
      setSaved(true);
    } catch (err) {
      setError(err);
    }
  };

  if (!settings) return <ErrorAlert error={error} />;
  return (
    <section aria-labelledby="settings-heading" className="supervision-panel">
      <h2 id="settings-heading">{t('supervision.settings.title')}</h2>
      <p>{t('supervision.settings.text')}</p>
      <TrustWideNote />
      <TrustWide>
        <label>
          <input
            type="checkbox"
            checked={settings.thumbnailsEnabled}
            onChange={(e) => void save({ thumbnailsEnabled: e.target.checked })}
          />{' '}
          {t('supervision.settings.enabled')}
        </label>
        <div className="field field-inline">
          <label htmlFor="thumb-interval">{t('supervision.settings.interval')}</label>
          <select
            id="thumb-interval"
            value={settings.thumbnailIntervalSeconds}
            onChange={(e) => void save({ thumbnailIntervalSeconds: Number(e.target.value) })}
          >
            {[3, 5, 10, 20, 30].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </div>
      </TrustWide>
      <ErrorAlert error={error} />
      <p className="hint" aria-live="polite">
        {saved && error === null ? t('common.saved') : ''}
      </p>
    </section>
  );
}
