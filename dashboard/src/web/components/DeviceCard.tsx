import type { Device } from '@harbour/shared';
import { AupBadge } from './aupStatus';
import { OnlineStatus } from './OnlineStatus';
import { RelativeTime } from './time';

/** One computer in the live room grid. */
export function DeviceCard({ device, now }: { device: Device; now: number }) {
  return (
    <li
      role="listitem"
      data-device-id={device.id}
      className={device.online ? 'device-card device-online' : 'device-card device-offline'}
    >
      <h2 className="device-name">{device.hostname}</h2>
      <OnlineStatus online={device.online} />
      <dl className="device-facts">
        <div>
          <dt>User</dt>
          <dd>{device.user ?? <span className="muted">Nobody signed in</span>}</dd>
        </div>
        {device.aup && (
          <div>
            <dt>Computer rules</dt>
            <dd>
              <AupBadge status={device.aup.status} />
            </dd>
          </div>
        )}
        <div>
          <dt>Last seen</dt>
          <dd>
            {device.online ? (
              'Now'
            ) : device.lastSeen === null ? (
              'Never'
            ) : (
              <RelativeTime iso={device.lastSeen} now={now} />
            )}
          </dd>
        </div>
      </dl>
    </li>
  );
}
