/** The always-there help badge: one big friendly button. No reading needed. */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ui } from '../api';
import { pictures } from './pictures';

export function BadgePage() {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    // The Linux shell finds the badge window by this title to keep it above others: it is a
    // name for the window manager, the same in every language (the button says the words).
    document.title = 'Harbour help';
  }, []);
  return (
    <main className="badge-page">
      <h1 className="visually-hidden">{t('badge.help')}</h1>
      <div className="badge-drag" aria-hidden="true" />
      <button
        type="button"
        className="help-badge"
        aria-label={t('badge.label')}
        title={t('badge.label')}
        disabled={busy}
        onClick={() => {
          setBusy(true);
          void ui.post('/api/tell', {}).finally(() => setBusy(false));
        }}
      >
        {pictures.lifebuoy}
        <span className="help-badge-text">{t('badge.help')}</span>
      </button>
    </main>
  );
}
