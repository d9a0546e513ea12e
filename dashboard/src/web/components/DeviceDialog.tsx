import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { Device } from '@harbour/shared';
import { useFormat } from '../i18n/format';
import { DeviceNotes } from './DeviceNotes';
import { OnlineStatus } from './OnlineStatus';
import { PersonName } from './PersonName';

/** A larger live view of one computer. */
export function DeviceDialog({
  device,
  thumbnail,
  onClose,
}: {
  device: Device;
  thumbnail: { src: string; capturedAt: string } | undefined;
  onClose: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const { t } = useTranslation();
  const f = useFormat();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);
  return (
    <dialog ref={ref} className="device-dialog" aria-labelledby="device-dialog-title" onClose={onClose}>
      <h2 id="device-dialog-title">{device.hostname}</h2>
      <OnlineStatus online={device.online} />
      <DeviceNotes device={device} />
      <p>{device.user ? <PersonName login={device.user} person={device.person} /> : t('device.nobody')}</p>
      {thumbnail ? (
        <figure>
          <img
            className="device-large"
            src={thumbnail.src}
            alt={t('device.screenOf', { name: device.hostname })}
          />
          <figcaption>{t('device.captured', { when: f.dateTime(thumbnail.capturedAt) })}</figcaption>
        </figure>
      ) : (
        <p className="muted">{t('device.noPicture')}</p>
      )}
      <form method="dialog">
        <button type="submit" className="button">
          {t('common.close')}
        </button>
      </form>
    </dialog>
  );
}
