import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, NavLink, Outlet, useLocation } from 'react-router-dom';
import { can, type Permission } from '@harbour/shared';
import { useAuth, useUser } from '../auth';
import { TellAlerts } from '../incidents/TellAlerts';
import { ErrorAlert } from './ErrorAlert';
import { LanguageSwitch } from './LanguageSwitch';

const navItems: { to: string; key: NavKey; permission: Permission | null }[] = [
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
  { to: '/users', key: 'users', permission: 'manageUsers' },
];
type NavKey =
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
  | 'users';

/** The signed-in frame: header with navigation and account, then the page. */
export function Layout() {
  const user = useUser();
  const { signOut } = useAuth();
  const location = useLocation();
  const mainRef = useRef<HTMLElement>(null);
  const firstRender = useRef(true);
  const [error, setError] = useState<unknown>(null);
  const { t } = useTranslation();

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
          <Link to="/rooms" className="brand">
            {t('app.name')}
          </Link>
          <nav aria-label={t('nav.label')} className="site-nav">
            <ul>
              {navItems
                .filter((item) => item.permission === null || can(user.role, item.permission))
                .map((item) => (
                  <li key={item.to}>
                    <NavLink to={item.to}>{t(`nav.${item.key}`)}</NavLink>
                  </li>
                ))}
            </ul>
          </nav>
          <div className="account">
            <p className="account-who">
              <span className="account-name">{user.displayName}</span>
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
        <TellAlerts />
        <Outlet />
      </main>
    </>
  );
}
