/**
 * The alerts that must not be missed, on every page: held at the top of the window however
 * far the page is scrolled (issue 16 item 3: the banner once sat 1,830 px above the screen).
 * While anything waits the tab title says so; the adult is offered, once and from a click,
 * desktop notifications and, if the browser blocked it, sound. Notifications and the title
 * name no pupil: they can be seen by anyone passing the screen.
 */
import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import type { ConcernAlert, TellAlert } from '@harbour/shared';
import { api } from '../api';
import { ErrorAlert } from '../components/ErrorAlert';
import { TimeOfDay } from '../components/time';
import { useRowAction } from '../components/useAction';
import { setTitleAlert } from '../components/usePageTitle';
import { useCategories } from '../incidents/categories';
import { useAlerts } from './AlertsContext';
import { enableSound, onSoundState, ring, soundState } from './sound';

/** Ids this tab has already rung and notified for (kept across a reload, not across tabs). */
const announcedKey = 'harbour.announced';
function announced(): Set<string> {
  try {
    return new Set(JSON.parse(sessionStorage.getItem(announcedKey) ?? '[]') as string[]);
  } catch {
    return new Set();
  }
}
function remember(ids: Set<string>): void {
  try {
    sessionStorage.setItem(announcedKey, JSON.stringify([...ids].slice(-200)));
  } catch {
    // Private mode: the worst case is one more chime after a reload.
  }
}

const notificationsAskedKey = 'harbour.notificationsAsked';
const canNotify = () => typeof Notification !== 'undefined';

function notify(title: string, body: string, tag: string): void {
  if (!canNotify() || Notification.permission !== 'granted') return;
  try {
    // The tag makes two tabs (or a reload) replace one notification rather than add another.
    new Notification(title, { body, tag });
  } catch {
    // Some platforms allow notifications only from a service worker: the banner is there.
  }
}

/** At most this many concerns are listed in the banner; the rest are a link to the list. */
const concernsShown = 3;

export function AlertDock() {
  const { t } = useTranslation();
  const alerts = useAlerts();
  const categories = useCategories();
  const sound = useSyncExternalStore(onSoundState, soundState);
  const [notifyAsked, setNotifyAsked] = useState(
    () =>
      !canNotify() ||
      Notification.permission !== 'default' ||
      localStorage.getItem(notificationsAskedKey) === '1',
  );
  const seen = useRef<Set<string> | null>(null);

  const covered = alerts.tell.filter((a) => a.status === 'covered');
  // A pupil's report waiting for an adult is already the tell banner above: listed once.
  const tellIds = new Set(alerts.tell.map((a) => a.incidentId));
  const concerns = alerts.concerns.filter((c) => !tellIds.has(c.incidentId));
  const waiting = covered.length + concerns.length;

  // The tab title, on every page, while anything waits.
  useEffect(() => {
    if (waiting === 0) setTitleAlert('');
    else
      setTitleAlert(t(covered.length > 0 ? 'alerts.titleHelp' : 'alerts.titleConcern', { count: waiting }));
    return () => setTitleAlert('');
  }, [waiting, covered.length, t]);

  // A chime and a desktop notification for each new arrival (once per tab).
  useEffect(() => {
    seen.current ??= announced();
    const known = seen.current;
    let changed = false;
    for (const a of covered) {
      if (known.has(a.incidentId)) continue;
      known.add(a.incidentId);
      changed = true;
      notify(t('alerts.notifyHelp'), t('alerts.notifyWhere', { room: a.roomName, ref: a.ref }), a.incidentId);
    }
    for (const c of alerts.concerns) {
      if (known.has(c.incidentId)) continue;
      known.add(c.incidentId);
      changed = true;
      if (c.urgent) {
        ring();
        notify(
          t('alerts.notifyConcern', { category: categories.label(c.category) }),
          t('alerts.notifyRef', { ref: c.ref }),
          c.incidentId,
        );
      }
    }
    if (changed) remember(known);
  }, [covered, alerts.concerns, t, categories]);

  // A pupil waiting with a covered screen rings every few seconds until an adult answers.
  const anyCovered = covered.length > 0;
  useEffect(() => {
    if (!anyCovered) return;
    ring();
    const timer = window.setInterval(ring, 4000);
    return () => window.clearInterval(timer);
  }, [anyCovered]);

  if (alerts.tell.length === 0 && alerts.concerns.length === 0) {
    return alerts.error ? <ErrorAlert error={alerts.error} /> : null;
  }

  async function askNotifications() {
    localStorage.setItem(notificationsAskedKey, '1');
    setNotifyAsked(true);
    try {
      await Notification.requestPermission();
    } catch {
      // Refused or unsupported: nothing more to ask.
    }
  }

  return (
    <div className="alert-dock" data-testid="alert-dock">
      <ErrorAlert error={alerts.error} />
      {(sound === 'blocked' || !notifyAsked) && (
        <p className="alert-dock-offers">
          {sound === 'blocked' && (
            <>
              <span>{t('alerts.soundBlocked')}</span>{' '}
              <button type="button" className="button" onClick={() => void enableSound()}>
                {t('alerts.enableSound')}
              </button>
            </>
          )}
          {!notifyAsked && (
            <>
              <button type="button" className="button" onClick={() => void askNotifications()}>
                {t('alerts.enableNotifications')}
              </button>
              <button
                type="button"
                className="button button-quiet"
                onClick={() => {
                  localStorage.setItem(notificationsAskedKey, '1');
                  setNotifyAsked(true);
                }}
              >
                {t('alerts.notNow')}
              </button>
            </>
          )}
        </p>
      )}
      {alerts.tell.length > 0 && <TellList alerts={alerts.tell} />}
      {concerns.length > 0 && <ConcernList concerns={concerns} />}
    </div>
  );
}

function TellList({ alerts }: { alerts: TellAlert[] }) {
  const { t } = useTranslation();
  const { updateTell } = useAlerts();
  const { busyId, error, run } = useRowAction();

  async function act(alert: TellAlert, what: 'acknowledge' | 'release') {
    await run(`${alert.incidentId}:${what}`, async () => {
      updateTell(await api.post<TellAlert>(`/api/tell/${alert.incidentId}/${what}`));
    });
  }

  return (
    <section className="tell-alerts" aria-labelledby="tell-alerts-heading">
      <h2 id="tell-alerts-heading" className="visually-hidden">
        {t('tell.heading')}
      </h2>
      <ErrorAlert error={error} />
      <ul>
        {alerts.map((a) => (
          <li key={a.incidentId} className={`tell-alert tell-alert-${a.status}`} data-incident={a.incidentId}>
            {/* A live region inside the item: a list item may not be an alert itself. */}
            <div role="alert">
              <p className="tell-alert-title">
                <Trans
                  i18nKey="tell.asked"
                  values={{ pupil: a.pupil ?? t('tell.aPupil'), device: a.deviceName, room: a.roomName }}
                  components={{ strong: <strong /> }}
                />
              </p>
              <p className="tell-alert-meta">
                <TimeOfDay iso={a.at} /> ·{' '}
                {a.status === 'covered'
                  ? t('tell.covered')
                  : t('tell.onTheWay', { name: a.acknowledgedBy ?? t('tell.anAdult') })}{' '}
                · <Link to={`/incidents/${a.incidentId}`}>{a.ref}</Link>
              </p>
              <div className="tell-alert-actions">
                {a.status === 'covered' && (
                  <button
                    type="button"
                    className="button button-primary"
                    disabled={busyId !== null}
                    onClick={() => void act(a, 'acknowledge')}
                  >
                    {t('tell.acknowledge')}
                  </button>
                )}
                <button
                  type="button"
                  className="button"
                  disabled={busyId !== null}
                  onClick={() => void act(a, 'release')}
                >
                  {t('tell.release')}
                </button>
              </div>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

function ConcernList({ concerns }: { concerns: ConcernAlert[] }) {
  const { t } = useTranslation();
  const { settle } = useAlerts();
  const categories = useCategories();
  const { busyId, error, run } = useRowAction();
  const shown = concerns.slice(0, concernsShown);
  const more = concerns.length - shown.length;

  async function acknowledge(c: ConcernAlert) {
    await run(c.incidentId, async () => {
      await api.post(`/api/concerns/${c.incidentId}/acknowledge`);
      settle(c.incidentId);
    });
  }

  return (
    <section className="concern-alerts" aria-labelledby="concern-alerts-heading">
      <h2 id="concern-alerts-heading" className="visually-hidden">
        {t('alerts.concernsHeading', { count: concerns.length })}
      </h2>
      <ErrorAlert error={error} />
      <ul>
        {shown.map((c) => (
          <li
            key={c.incidentId}
            className={`concern-alert${c.urgent ? ' concern-alert-urgent' : ''}`}
            data-incident={c.incidentId}
          >
            <div role="alert">
              <p className="concern-alert-title">
                <strong>{t(`alerts.newConcern.${c.source}`)}</strong>: {categories.label(c.category)}
              </p>
              <p className="concern-alert-meta">
                <TimeOfDay iso={c.createdAt} />
                {c.recordedBy && <> · {t('alerts.recordedBy', { name: c.recordedBy })}</>}
                {(c.roomName ?? c.deviceName) && (
                  <> · {[c.roomName, c.deviceName].filter(Boolean).join(', ')}</>
                )}{' '}
                · {c.ref}
              </p>
              <div className="tell-alert-actions">
                <Link className="button button-primary" to={`/incidents/${c.incidentId}`}>
                  {t('alerts.open', { ref: c.ref })}
                </Link>
                <button
                  type="button"
                  className="button"
                  disabled={busyId !== null}
                  onClick={() => void acknowledge(c)}
                >
                  {t('alerts.acknowledge')}
                </button>
              </div>
            </div>
          </li>
        ))}
      </ul>
      {more > 0 && (
        <p className="concern-alerts-more">
          <Link to="/incidents?state=new">{t('alerts.more', { count: more })}</Link>
        </p>
      )}
    </section>
  );
}
