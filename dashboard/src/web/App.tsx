import { lazy, Suspense, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, Route, Routes } from 'react-router-dom';
import { can, type Permission } from '@harbour/shared';
import { useAuth, useUser } from './auth';
import { ErrorAlert } from './components/ErrorAlert';
import { LanguageSwitch } from './components/LanguageSwitch';
import { ForcedFrame } from './components/ForcedFrame';
import { Layout } from './components/Layout';
import { usePageTitle } from './components/usePageTitle';
import { AccountPage } from './pages/AccountPage';
import { ActivityPage } from './pages/ActivityPage';
import { ClassesPage } from './pages/ClassesPage';
import { ChoosePasswordPage } from './pages/ChoosePasswordPage';
import { ResetPasswordPage } from './pages/ResetPasswordPage';
import { SecondFactorSetupPage } from './pages/SecondFactorSetupPage';
import { AupPoliciesPage } from './pages/AupPoliciesPage';
import { AupRegisterPage } from './pages/AupRegisterPage';
import { DevicesPage } from './pages/DevicesPage';
import { FlagsPage } from './pages/FlagsPage';
import { HomePage } from './pages/HomePage';
import { WatchlistsPage } from './pages/WatchlistsPage';
import { EnrolmentPage } from './pages/EnrolmentPage';
import { LoginPage } from './pages/LoginPage';
import { RoomPage } from './pages/RoomPage';
import { SupervisionPage } from './pages/SupervisionPage';
import { RoomsPage } from './pages/RoomsPage';
import { SetupPage } from './pages/SetupPage';
import { PupilsPage } from './pages/PupilsPage';
import { SchoolsPage } from './pages/SchoolsPage';
import { UsersPage } from './pages/UsersPage';
import { ChronologyPage } from './incidents/ChronologyPage';
import { IncidentLogPrintPage } from './incidents/IncidentLogPrintPage';
import { IncidentPage } from './incidents/IncidentPage';
import { IncidentPrintPage } from './incidents/IncidentPrintPage';
import { IncidentsPage } from './incidents/IncidentsPage';
import { SafeguardingPage } from './incidents/SafeguardingPage';

// The charts library is large: load the governors' report only when it is opened.
const GovernorsReportPage = lazy(() =>
  import('./incidents/GovernorsReportPage').then((m) => ({ default: m.GovernorsReportPage })),
);

export function App() {
  const { state, refresh } = useAuth();
  const { t } = useTranslation();

  switch (state.status) {
    case 'loading':
      return (
        <main id="main" className="auth-page">
          <p className="muted">{t('app.loading')}</p>
        </main>
      );
    case 'unavailable':
      return (
        <main id="main" className="auth-page">
          <div className="auth-card">
            <LanguageSwitch />
            <h1>{t('app.unavailable')}</h1>
            <ErrorAlert error={state.error} />
            <button type="button" className="button button-primary" onClick={() => void refresh()}>
              {t('common.tryAgain')}
            </button>
          </div>
        </main>
      );
    case 'needsSetup':
      return (
        <Routes>
          <Route path="/setup" element={<SetupPage />} />
          <Route path="*" element={<Navigate to="/setup" replace />} />
        </Routes>
      );
    case 'signedOut':
      return (
        <Routes>
          <Route path="/login" element={<LoginPage sessionEnded={state.sessionEnded} />} />
          <Route path="/reset-password" element={<ResetPasswordPage />} />
          <Route path="*" element={<Navigate to="/login" replace />} />
        </Routes>
      );
    case 'signedIn':
      // What the session must do first comes before every page (the server refuses the rest).
      if (state.session.restriction === 'password_change')
        return (
          <Routes>
            <Route path="/reset-password" element={<ResetPasswordPage />} />
            <Route
              path="*"
              element={
                <ForcedFrame>
                  <ChoosePasswordPage />
                </ForcedFrame>
              }
            />
          </Routes>
        );
      if (state.session.restriction === 'second_factor_enrolment')
        return (
          <Routes>
            <Route
              path="*"
              element={
                <ForcedFrame>
                  <SecondFactorSetupPage forced />
                </ForcedFrame>
              }
            />
          </Routes>
        );
      return (
        <Routes>
          <Route path="/reset-password" element={<ResetPasswordPage />} />
          <Route path="/setup" element={<Navigate to="/" replace />} />
          <Route path="/login" element={<Navigate to="/" replace />} />
          <Route element={<Layout />}>
            <Route index element={<HomePage />} />
            <Route path="rooms" element={<RoomsPage />} />
            <Route path="rooms/:roomId" element={<RoomPage />} />
            <Route path="devices" element={<DevicesPage />} />
            <Route path="account" element={<AccountPage />} />
            <Route path="account/second-factor" element={<SecondFactorSetupPage />} />
            <Route
              path="incidents"
              element={
                <Allowed permission="viewIncidents">
                  <IncidentsPage />
                </Allowed>
              }
            />
            <Route
              path="incidents/print"
              element={
                <Allowed permission="manageIncidents">
                  <IncidentLogPrintPage />
                </Allowed>
              }
            />
            <Route
              path="incidents/:incidentId/print"
              element={
                <Allowed permission="viewIncidents">
                  <IncidentPrintPage />
                </Allowed>
              }
            />
            <Route
              path="incidents/:incidentId"
              element={
                <Allowed permission="viewIncidents">
                  <IncidentPage />
                </Allowed>
              }
            />
            <Route
              path="chronology"
              element={
                <Allowed permission="manageIncidents">
                  <ChronologyPage />
                </Allowed>
              }
            />
            <Route
              path="reports/governors"
              element={
                <Allowed permission="manageIncidents">
                  <Suspense fallback={<Loading />}>
                    <GovernorsReportPage />
                  </Suspense>
                </Allowed>
              }
            />
            <Route
              path="safeguarding"
              element={
                <Allowed permission="manageIncidents">
                  <SafeguardingPage />
                </Allowed>
              }
            />
            <Route
              path="supervision"
              element={
                <Allowed permission="viewSupervision">
                  <SupervisionPage />
                </Allowed>
              }
            />
            <Route
              path="enrolment"
              element={
                <Allowed permission="manageDevices">
                  <EnrolmentPage />
                </Allowed>
              }
            />
            <Route
              path="pupils"
              element={
                <Allowed permission="viewPupils">
                  <PupilsPage />
                </Allowed>
              }
            />
            <Route
              path="classes"
              element={
                <Allowed permission="viewPupils">
                  <ClassesPage />
                </Allowed>
              }
            />
            <Route
              path="users"
              element={
                <Allowed permission="manageUsers">
                  <UsersPage />
                </Allowed>
              }
            />
            <Route
              path="schools"
              element={
                <Allowed permission="manageUsers" trustLevel>
                  <SchoolsPage />
                </Allowed>
              }
            />
            <Route
              path="activity"
              element={
                <Allowed permission="readActivity">
                  <ActivityPage />
                </Allowed>
              }
            />
            <Route
              path="flags"
              element={
                <Allowed permission="viewFlags">
                  <FlagsPage />
                </Allowed>
              }
            />
            <Route
              path="watchlists"
              element={
                <Allowed permission="manageWatchlists">
                  <WatchlistsPage />
                </Allowed>
              }
            />
            <Route
              path="aup/policies"
              element={
                <Allowed permission="manageAup">
                  <AupPoliciesPage />
                </Allowed>
              }
            />
            <Route
              path="aup/register"
              element={
                <Allowed permission="viewAupRegister">
                  <AupRegisterPage />
                </Allowed>
              }
            />
            <Route path="*" element={<NotFound />} />
          </Route>
        </Routes>
      );
  }
}

/**
 * Shows the page only to roles that may use it (the server enforces this too); `trustLevel`:
 * only to trust-level staff (no school of their own), such as the trust's Schools page.
 */
function Allowed({
  permission,
  trustLevel,
  children,
}: {
  permission: Permission;
  trustLevel?: boolean;
  children: ReactNode;
}) {
  const user = useUser();
  if (trustLevel && (user.schoolId ?? null) !== null) return <NotAllowed trustLevel />;
  if (can(user.role, permission)) return children;
  return <NotAllowed />;
}

function Loading() {
  const { t } = useTranslation();
  return <p className="muted">{t('common.loading')}</p>;
}

function NotAllowed({ trustLevel }: { trustLevel?: boolean }) {
  const { t } = useTranslation();
  usePageTitle(t('app.notAllowed.title'));
  return (
    <>
      <h1>{t('app.notAllowed.title')}</h1>
      <p>{trustLevel ? t('app.notAllowed.trustLevel') : t('app.notAllowed.text')}</p>
    </>
  );
}

function NotFound() {
  const { t } = useTranslation();
  usePageTitle(t('app.notFound.title'));
  return (
    <>
      <h1>{t('app.notFound.title')}</h1>
      <p>{t('app.notFound.text')}</p>
    </>
  );
}
