import { useTranslation } from 'react-i18next';

/** "Online" or "Offline", told by text, colour and shape (never colour alone). */
export function OnlineStatus({ online, known = true }: { online: boolean; known?: boolean }) {
  const { t } = useTranslation();
  if (!known) {
    // The server cannot be reached: the last state seen may no longer be true.
    return (
      <span className="presence presence-unknown">
        <svg
          className="presence-icon"
          viewBox="0 0 16 16"
          width="14"
          height="14"
          aria-hidden="true"
          focusable="false"
        >
          <path d="M3 8h10" stroke="currentColor" strokeWidth="2" />
        </svg>
        <span className="presence-text">{t('device.unknown')}</span>
      </span>
    );
  }
  return (
    <span className={online ? 'presence presence-online' : 'presence presence-offline'}>
      <svg
        className="presence-icon"
        viewBox="0 0 16 16"
        width="14"
        height="14"
        aria-hidden="true"
        focusable="false"
      >
        {online ? (
          <circle cx="8" cy="8" r="6" fill="currentColor" />
        ) : (
          <circle cx="8" cy="8" r="5" fill="none" stroke="currentColor" strokeWidth="2" />
        )}
      </svg>
      <span className="presence-text">{online ? t('device.online') : t('device.offline')}</span>
    </span>
  );
}
