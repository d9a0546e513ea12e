/**
 * Pupils asking for help: a banner on every page for the DSL and for teachers supervising
 * the room, with a sound, that stays until an adult acknowledges it. Acknowledging tells
 * the pupil their teacher is on the way; releasing uncovers their screen.
 */
import { useEffect, useRef, useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { can, type TellAlert } from '@harbour/shared';
import { api } from '../api';
import { useUser } from '../auth';
import { ErrorAlert } from '../components/ErrorAlert';
import { DateTime } from '../components/time';
import { useRowAction } from '../components/useAction';
import { createDashboardSocket } from '../live';

function upsert(list: TellAlert[], alert: TellAlert): TellAlert[] {
  const others = list.filter((a) => a.incidentId !== alert.incidentId);
  return alert.status === 'released' ? others : [...others, alert];
}

/** A gentle two-tone chime (Web Audio; no file to load). Browsers may hold it until the page is clicked once. */
function chime(ctx: AudioContext): void {
  for (const [i, freq] of [660, 880].entries()) {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.0001, ctx.currentTime + i * 0.25);
    gain.gain.exponentialRampToValueAtTime(0.2, ctx.currentTime + i * 0.25 + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + i * 0.25 + 0.22);
    osc.connect(gain).connect(ctx.destination);
    osc.start(ctx.currentTime + i * 0.25);
    osc.stop(ctx.currentTime + i * 0.25 + 0.25);
  }
}

export function TellAlerts() {
  const user = useUser();
  const allowed = can(user.role, 'viewIncidents');
  const [alerts, setAlerts] = useState<TellAlert[]>([]);
  const { busyId, error, setError, run } = useRowAction();
  const audio = useRef<AudioContext | null>(null);
  const { t } = useTranslation();

  useEffect(() => {
    if (!allowed) return;
    let disposed = false;
    const socket = createDashboardSocket();
    const load = () =>
      api.get<{ alerts: TellAlert[] }>('/api/tell/alerts').then(
        (d) => {
          if (!disposed) setAlerts(d.alerts);
        },
        (e: unknown) => {
          if (!disposed) setError(e);
        },
      );
    socket.on('connect', () => void load());
    socket.on('tell:alert', (alert) => setAlerts((list) => upsert(list, alert)));
    return () => {
      disposed = true;
      socket.removeAllListeners();
      socket.disconnect();
    };
  }, [allowed]);

  const waiting = alerts.some((a) => a.status === 'covered');
  useEffect(() => {
    if (!waiting) return;
    const ring = () => {
      try {
        audio.current ??= new AudioContext();
        if (audio.current.state === 'suspended') void audio.current.resume();
        chime(audio.current);
      } catch {
        // No audio device: the banner is still there.
      }
    };
    ring();
    const timer = window.setInterval(ring, 4000);
    return () => window.clearInterval(timer);
  }, [waiting]);

  if (!allowed || alerts.length === 0) return error ? <ErrorAlert error={error} /> : null;

  async function act(alert: TellAlert, what: 'acknowledge' | 'release') {
    await run(`${alert.incidentId}:${what}`, async () => {
      const updated = await api.post<TellAlert>(`/api/tell/${alert.incidentId}/${what}`);
      setAlerts((list) => upsert(list, updated));
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
          <li
            key={a.incidentId}
            className={`tell-alert tell-alert-${a.status}`}
            role="alert"
            data-incident={a.incidentId}
          >
            <p className="tell-alert-title">
              <Trans
                i18nKey="tell.asked"
                values={{ pupil: a.pupil ?? t('tell.aPupil'), device: a.deviceName, room: a.roomName }}
                components={{ strong: <strong /> }}
              />
            </p>
            <p className="tell-alert-meta">
              <DateTime iso={a.at} /> ·{' '}
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
          </li>
        ))}
      </ul>
    </section>
  );
}
