import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../auth';
import { ErrorAlert } from './ErrorAlert';
import { LanguageSwitch } from './LanguageSwitch';

/**
 * The frame for a step that comes before anything else (a new password, a second factor the
 * school requires): no navigation, since the server answers nothing else yet, only a way out.
 */
export function ForcedFrame({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const { signOut } = useAuth();
  const [error, setError] = useState<unknown>(null);
  return (
    <main id="main" className="auth-page">
      <div className="auth-card auth-card-wide">
        <LanguageSwitch />
        <p className="brand brand-large">{t('app.name')}</p>
        <ErrorAlert error={error} />
        {children}
        <p>
          <button
            type="button"
            className="button button-quiet"
            onClick={() => {
              setError(null);
              signOut().catch(setError);
            }}
          >
            {t('nav.signOut')}
          </button>
        </p>
      </div>
    </main>
  );
}
