/** The always-there help badge: one big friendly button. No reading needed. */
import { useEffect, useState } from 'react';
import { ui } from '../api';
import { pictures } from './pictures';

export function BadgePage() {
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    // The Linux shell finds the badge window by this title to keep it above others.
    document.title = 'Harbour help';
  }, []);
  return (
    <main className="badge-page">
      <div className="badge-drag" aria-hidden="true" />
      <button
        type="button"
        className="help-badge"
        aria-label="Help: hide my screen and tell a grown-up"
        title="Help: hide my screen and tell a grown-up"
        disabled={busy}
        onClick={() => {
          setBusy(true);
          void ui.post('/api/tell', {}).finally(() => setBusy(false));
        }}
      >
        {pictures.lifebuoy}
        <span className="help-badge-text">Help</span>
      </button>
    </main>
  );
}
