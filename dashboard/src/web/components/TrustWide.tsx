/**
 * Settings that are one for the whole trust (docs/trust.md): while the trust has several
 * schools the server refuses a school's own staff a change to them (403), so they see the
 * form read-only, with a one-line note, instead of a form that fails on save. With one
 * school, or for trust-level staff, nothing here changes the page.
 */
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../auth';

/** Whether the trust's settings are read-only to the signed-in member of staff. */
export function useTrustSettingsReadOnly(): boolean {
  const { state } = useAuth();
  return state.status === 'signedIn' && state.session.trustSettingsReadOnly === true;
}

/** The one-line note, for whoever may not change the trust's settings (once per page). */
export function TrustWideNote() {
  const { t } = useTranslation();
  if (!useTrustSettingsReadOnly()) return null;
  return <p className="notice">{t('trust.settingsReadOnly')}</p>;
}

/** Its controls disabled for whoever may not change the trust's settings. */
export function TrustWide({ children }: { children: ReactNode }) {
  if (!useTrustSettingsReadOnly()) return <>{children}</>;
  return (
    <fieldset className="trust-wide" disabled>
      {children}
    </fieldset>
  );
}
