import { useTranslation } from 'react-i18next';
import type { Device } from '@harbour/shared';
import { DateTime } from './time';

/**
 * Tamper evidence on a computer: its Harbour service stopped while a pupil was signed in
 * ("stopped while in use", not just offline), or a session's helper stopped (killed, most
 * likely) and was started again. The server sends these only to staff who may know whose
 * session it was (the room's teachers, the DSL, technicians and admins).
 */
export function DeviceNotes({ device }: { device: Pick<Device, 'online' | 'stoppedInUse' | 'tamper'> }) {
  const { t } = useTranslation();
  const stopped = device.online ? null : (device.stoppedInUse ?? null);
  const tamper = device.tamper ?? [];
  if (!stopped && tamper.length === 0) return null;
  return (
    <ul className="device-notes" data-testid="device-notes">
      {stopped && (
        <li className="device-note device-note-stopped">
          {t('device.stoppedInUse', { user: stopped.user })} (<DateTime iso={stopped.at} />)
        </li>
      )}
      {tamper.map((note) => (
        <li key={`${note.kind}:${note.user}`} className="device-note" title={note.message}>
          {t('device.helperStopped', { user: note.user })} (<DateTime iso={note.since} />)
        </li>
      ))}
    </ul>
  );
}
