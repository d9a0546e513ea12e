import { useEffect, useRef } from 'react';
import type { Device } from '@harbour/shared';
import { OnlineStatus } from './OnlineStatus';
import { formatDateTime } from './time';

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
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);
  return (
    <dialog ref={ref} className="device-dialog" aria-labelledby="device-dialog-title" onClose={onClose}>
      <h2 id="device-dialog-title">{device.hostname}</h2>
      <OnlineStatus online={device.online} />
      <p>{device.user ?? 'Nobody signed in'}</p>
      {thumbnail ? (
        <figure>
          <img className="device-large" src={thumbnail.src} alt={`Screen of ${device.hostname}`} />
          <figcaption>Captured {formatDateTime(thumbnail.capturedAt)}</figcaption>
        </figure>
      ) : (
        <p className="muted">
          No live picture: the room is not supervised, or the school has pictures turned off.
        </p>
      )}
      <form method="dialog">
        <button type="submit" className="button">
          Close
        </button>
      </form>
    </dialog>
  );
}
