import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, NavLink, Outlet, useLocation } from 'react-router-dom';
import { can, type Permission } from '@harbour/shared';
import { api } from '../api';
import { useAuth, useUser } from '../auth';
import { AlertDock } from '../alerts/AlertDock';
import { AlertsProvider, useAlerts } from '../alerts/AlertsContext';
import { ErrorAlert } from './ErrorAlert';
import { flagsChangedEvent } from './FlagList';
import { LanguageSwitch } from './LanguageSwitch';

/** `trustLevel`: for trust-level staff only (no school of their own). */
const navItems: { to: string; key: NavKey; permission: Permission | null; trustLevel?: boolean }[] = [
  { to: '/', key: 'home', permission: null },
  { to: '/rooms', key: 'rooms', permission: null },
  { to: '/devices', key: 'devices', permission: null },
  { to: '/incidents', key: 'incidents', permission: 'viewIncidents' },
  { to: '/safeguarding', key: 'safeguarding', permission: 'manageIncidents' },
  { to: '/supervision', key: 'supervision', permission: 'viewSupervision' },
  { to: '/activity', key: 'activity', permission: 'readActivity' },
  { to: '/flags', key: 'flags', permission: 'viewFlags' },
  { to: '/watchlists', key: 'watchlists', permission: 'manageWatchlists' },
  { to: '/enrolment', key: 'enrolment', permission: 'manageDevices' },
  { to: '/aup/policies', key: 'aupPolicies', permission: 'manageAup' },
  { to: '/aup/register', key: 'aupRegister', permission: 'viewAupRegister' },
  { to: '/pupils', key: 'pupils', permission: 'viewPupils' },
  { to: '/classes', key: 'classes', permission: 'viewPupils' },
  { to: '/users', key: 'users', permission: 'manageUsers' },
  { to: '/schools', key: 'schools', permission: 'manageUsers', trustLevel: true },
];
type NavKey =
  | 'home'
  | 'rooms'
  | 'devices'
  | 'incidents'
  | 'safeguarding'
  | 'supervision'
  | 'activity'
  | 'flags'
  | 'watchlists'
  | 'enrolment'
  | 'aupPolicies'
  | 'aupRegister'
  | 'pupils'
  | 'classes'
  | 'users'
  | 'schools';

/** How many flags wait for triage: read now, every 30 s, and whenever a flag is triaged here. */
function useOpenFlags(enabled: boolean): number {
  const [open, setOpen] = useState(0);
  useEffect(() => {
    if (!enabled) return;
    let stopped = false;
    const read = () =>
      void api.get<{ open: number }>('/api/flags/counts').then(
        (r) => {
          if (!stopped) setOpen(r.open);
        },
        () => undefined,
      );
    read();
    const timer = setInterval(read, 30_000);
    window.addEventListener(flagsChangedEvent, read);
    return () => {
      stopped = true;
      clearInterval(timer);
      window.removeEventListener(flagsChangedEvent, read);
    };
  }, [enabled]);
  return open;
}

/** The signed-in frame: header with navigation and account, the alerts, then the page. */
export function Layout() {
  return (
    <AlertsProvider>
      <Frame />
    </AlertsProvider>
  );
}

function NavCount({ count, label }: { count: number; label: string }) {
  if (count === 0) return null;
  return (
    <>
      {' '}
      <span className="nav-count" aria-hidden="true">
        {count}
      </span>
      <span className="visually-hidden"> ({label})</span>
    </>
  );
}

function Frame() {
  const user = useUser();
  const { signOut } = useAuth();
  const location = useLocation();
  const mainRef = useRef<HTMLElement>(null);
  const firstRender = useRef(true);
  const [error, setError] = useState<unknown>(null);
  const { t } = useTranslation();
  const openFlags = useOpenFlags(can(user.role, 'viewFlags'));
  const { concerns } = useAlerts();

  // After moving between pages, put keyboard and screen-reader focus at the start of the new page.
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    mainRef.current?.focus();
  }, [location.pathname]);

  async function handleSignOut() {
    setError(null);
    try {
      await signOut();
    } catch (err) {
      setError(err);
    }
  }

  return (
    <>
      <a className="skip-link" href="#main">
        {t('nav.skip')}
      </a>
      <header className="site-header">
        <div className="site-header-inner">
          <Link to="/" className="brand">
            {t('app.name')}
          </Link>
          <nav aria-label={t('nav.label')} className="site-nav">
            <ul>
              {navItems
                .filter((item) => item.permission === null || can(user.role, item.permission))
                .filter((item) => !item.trustLevel || (user.schoolId ?? null) === null)
                .map((item) => (
                  <li key={item.to}>
                    <NavLink to={item.to} end={item.to === '/'}>
                      {t(`nav.${item.key}`)}
                      {item.key === 'flags' && (
                        <NavCount count={openFlags} label={t('nav.flagsWaiting', { count: openFlags })} />
                      )}
                      {item.key === 'incidents' && (
                        <NavCount
                          count={concerns.length}
                          label={t('nav.concernsWaiting', { count: concerns.length })}
                        />
                      )}
                    </NavLink>
                  </li>
                ))}
            </ul>
          </nav>
          <div className="account">
            <p className="account-who">
              <Link to="/account" className="account-name">
                {user.displayName}
                <span className="visually-hidden"> ({t('account.title')})</span>
              </Link>
              <span className="account-role">{t(`enums.role.${user.role}`)}</span>
            </p>
            <LanguageSwitch />
            <button type="button" className="button button-quiet" onClick={handleSignOut}>
              {t('nav.signOut')}
            </button>
          </div>
        </div>
      </header>
      <main id="main" ref={mainRef} tabIndex={-1} className="page">
        <ErrorAlert error={error} />
        <AlertDock />
        <Outlet />
      </main>
    </>
  );
}
