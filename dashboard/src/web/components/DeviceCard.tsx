import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import type { ControlAction, Device, DeviceActivity } from '@harbour/shared';
import { notMonitored } from './activity';
import { AupBadge } from './aupStatus';
import { DeviceNotes } from './DeviceNotes';
import { OnlineStatus } from './OnlineStatus';
import { PersonName } from './PersonName';
import { RelativeTime } from './time';

export type TileControl = { kind: ControlAction['kind']; state: ControlAction['targets'][number]['state'] };

/** Each computer's latest cover, release or message from the actions seen (newest first). */
export function latestControls(actions: ControlAction[]): Map<string, TileControl> {
  const out = new Map<string, TileControl>();
  for (const action of actions) {
    for (const target of action.targets) {
      if (!out.has(target.deviceId)) out.set(target.deviceId, { kind: action.kind, state: target.state });
    }
  }
  return out;
}

function controlText(t: TFunction, c: TileControl): string | null {
  if (c.state === 'not_reached') return t('device.control.notReached');
  if (c.kind === 'release') return null;
  if (c.state === 'sent') return t(c.kind === 'cover' ? 'device.control.covering' : 'device.control.sending');
  return t(c.kind === 'cover' ? 'device.control.covered' : 'device.control.message');
}

/** One computer in the live room grid: what it shows, and what the teacher did to it, at a glance. */
export function DeviceCard({
  device,
  now,
  thumbnail,
  chooser,
  onOpen,
  activity,
  help,
  control,
  live = true,
  awaitingPicture = false,
}: {
  device: Device;
  /** The teacher's latest control on this computer and what became of it. */
  control?: TileControl | undefined;
  /** False while the server cannot be reached (the tile then does not claim "Online"). */
  live?: boolean;
  /** Thumbnails are on and this computer's first picture has not arrived yet. */
  awaitingPicture?: boolean;
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
      {thumbnail ? (
        <img
          className="device-thumbnail"
          src={thumbnail.src}
          alt={t('device.screenOf', { name: device.hostname })}
        />
      ) : (
        awaitingPicture &&
        device.online && (
          <div className="device-thumbnail device-thumbnail-waiting" data-testid="tile-waiting">
            {t('device.waitingForPicture')}
          </div>
        )
      )}
      <p className="tile-badges">
        <OnlineStatus online={device.online} known={live} />
        {live && device.online && activity?.state === 'idle' && (
          <span className="tile-badge" data-testid="tile-idle">
            {t('device.idle')}
          </span>
        )}
        {live && device.online && activity?.state === 'locked' && (
          <span className="tile-badge">{t('device.locked')}</span>
        )}
        {(() => {
          const text = control ? controlText(t, control) : null;
          if (!text || !control) return null;
          return (
            <span
              className={`tile-badge tile-control-${control.state === 'not_reached' ? 'missed' : control.kind}`}
              data-testid="tile-control"
            >
              {text}
            </span>
          );
        })()}
      </p>
      <DeviceNotes device={device} />
      <dl className="device-facts">
        <div>
          <dt>{t('device.user')}</dt>
          <dd>
            {device.user ? (
              <PersonName login={device.user} person={device.person} />
            ) : (
              <span className="muted">{t('device.nobody')}</span>
            )}
          </dd>
        </div>
        {device.aup && (
          <div>
            <dt>{t('device.aup')}</dt>
            <dd>
              <AupBadge status={device.aup.status} />
            </dd>
          </div>
        )}
        {device.user !== null && device.aupGate === false && (
          <div data-testid="tile-aup-off">
            <dt>{t('device.aup')}</dt>
            <dd className="muted">{t('device.aupNotShown')}</dd>
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
