import { useEffect, useRef, useState } from 'react';
import { Link, NavLink, Outlet, useLocation } from 'react-router-dom';
import { can, roleLabels } from '@harbour/shared';
import { useAuth, useUser } from '../auth';
import { TellAlerts } from '../incidents/TellAlerts';
import { ErrorAlert } from './ErrorAlert';

/** The signed-in frame: header with navigation and account, then the page. */
export function Layout() {
  const user = useUser();
  const { signOut } = useAuth();
  const location = useLocation();
  const mainRef = useRef<HTMLElement>(null);
  const firstRender = useRef(true);
  const [error, setError] = useState<unknown>(null);

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
        Skip to main content
      </a>
      <header className="site-header">
        <div className="site-header-inner">
          <Link to="/rooms" className="brand">
            Harbour
          </Link>
          <nav aria-label="Main" className="site-nav">
            <ul>
              <li>
                <NavLink to="/rooms">Rooms</NavLink>
              </li>
              <li>
                <NavLink to="/devices">Devices</NavLink>
              </li>
              {can(user.role, 'viewIncidents') && (
                <li>
                  <NavLink to="/incidents">Incidents</NavLink>
                </li>
              )}
              {can(user.role, 'manageIncidents') && (
                <li>
                  <NavLink to="/safeguarding">Safeguarding</NavLink>
                </li>
              )}
              {can(user.role, 'viewSupervision') && (
                <li>
                  <NavLink to="/supervision">Supervision</NavLink>
                </li>
              )}
              {can(user.role, 'readActivity') && (
                <li>
                  <NavLink to="/activity">Activity</NavLink>
                </li>
              )}
              {can(user.role, 'viewFlags') && (
                <li>
                  <NavLink to="/flags">Flags</NavLink>
                </li>
              )}
              {can(user.role, 'manageWatchlists') && (
                <li>
                  <NavLink to="/watchlists">Watch lists</NavLink>
                </li>
              )}
              {can(user.role, 'manageDevices') && (
                <li>
                  <NavLink to="/enrolment">Enrolment</NavLink>
                </li>
              )}
              {can(user.role, 'manageAup') && (
                <li>
                  <NavLink to="/aup/policies">Computer rules</NavLink>
                </li>
              )}
              {can(user.role, 'viewAupRegister') && (
                <li>
                  <NavLink to="/aup/register">Register</NavLink>
                </li>
              )}
              {can(user.role, 'manageUsers') && (
                <li>
                  <NavLink to="/users">Users</NavLink>
                </li>
              )}
            </ul>
          </nav>
          <div className="account">
            <p className="account-who">
              <span className="account-name">{user.displayName}</span>
              <span className="account-role">{roleLabels[user.role]}</span>
            </p>
            <button type="button" className="button button-quiet" onClick={handleSignOut}>
              Sign out
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
