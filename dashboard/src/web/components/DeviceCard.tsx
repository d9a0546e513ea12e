import { useTranslation } from 'react-i18next';
import type { Device, DeviceActivity } from '@harbour/shared';
import { notMonitored } from './activity';
import { AupBadge } from './aupStatus';
import { OnlineStatus } from './OnlineStatus';
import { RelativeTime } from './time';

/** One computer in the live room grid. */
export function DeviceCard({
  device,
  now,
  thumbnail,
  chooser,
  onOpen,
  activity,
  help,
}: {
  device: Device;
  /** A pupil at this computer asked for help and no adult has released it yet. */
  help?: 'covered' | 'acknowledged' | undefined;
  /**
   * What the computer shows now, for staff who may read activity (undefined: not shown at
   * all; null: nothing recorded yet, so not monitored).
   */
  activity?: DeviceActivity | null | undefined;
  now: number;
  /** A live picture of the screen (only while supervised, if the school allows). */
  thumbnail?: { src: string; capturedAt: string } | undefined;
  /** While supervising: tick to act on this computer only. */
  chooser?: { chosen: boolean; onChange: (chosen: boolean) => void } | undefined;
  onOpen?: (() => void) | undefined;
}) {
  const { t } = useTranslation();
  return (
    <li
      role="listitem"
      data-device-id={device.id}
      className={`device-card ${device.online ? 'device-online' : 'device-offline'}${help ? ' device-help' : ''}`}
    >
      {help && (
        <p className="device-help-badge" data-testid="tile-help">
          {t(help === 'covered' ? 'device.askedForHelp' : 'device.helpOnTheWay')}
        </p>
      )}
      <div className="device-card-head">
        <h2 className="device-name">{device.hostname}</h2>
        {chooser && (
          <label className="chooser">
            <input
              type="checkbox"
              checked={chooser.chosen}
              onChange={(e) => chooser.onChange(e.target.checked)}
            />
            <span className="visually-hidden">{t('device.choose', { name: device.hostname })}</span>
          </label>
        )}
      </div>
      {thumbnail && (
        <img
          className="device-thumbnail"
          src={thumbnail.src}
          alt={t('device.screenOf', { name: device.hostname })}
        />
      )}
      <OnlineStatus online={device.online} />
      <dl className="device-facts">
        <div>
          <dt>{t('device.user')}</dt>
          <dd>{device.user ?? <span className="muted">{t('device.nobody')}</span>}</dd>
        </div>
        {device.aup && (
          <div>
            <dt>{t('device.aup')}</dt>
            <dd>
              <AupBadge status={device.aup.status} />
            </dd>
          </div>
        )}
        {activity !== undefined && device.online && (
          <div data-testid="tile-monitoring">
            <dt>{t('device.monitoring')}</dt>
            <dd>
              {activity === null ? (
                <span className="not-monitored">{t('room.activity.notMonitored')}</span>
              ) : (
                (() => {
                  const why = notMonitored(t, activity);
                  if (why?.part === 'screen') return <span className="not-monitored">{why.text}</span>;
                  return (
                    <>
                      {activity.app ?? t('device.monitored')}
                      {activity.domain && <> · {activity.domain}</>}
                      {why && (
                        <>
                          {' '}
                          <span className="not-monitored">({why.text})</span>
                        </>
                      )}
                    </>
                  );
                })()
              )}
            </dd>
          </div>
        )}
        <div>
          <dt>{t('device.lastSeen')}</dt>
          <dd>
            {device.online ? (
              t('time.now')
            ) : device.lastSeen === null ? (
              t('time.never')
            ) : (
              <RelativeTime iso={device.lastSeen} now={now} />
            )}
          </dd>
        </div>
      </dl>
      {onOpen && (
        <button type="button" className="button button-quiet button-small" onClick={onOpen}>
          {t('device.open', { name: device.hostname })}
        </button>
      )}
    </li>
  );
}
