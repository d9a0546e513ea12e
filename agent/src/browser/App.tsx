import type { ComponentType } from 'react';
import { useTranslation } from 'react-i18next';
import { BadgePage } from './tell/BadgePage';
import { CoverPage } from './tell/CoverPage';
import { AupPage } from './pages/AupPage';
import { EyesPage, MessagePage } from './TeacherPages';

/**
 * The pupil-facing pages, one per path. The agent opens them full screen through the
 * screen overlay (src/core/overlay.ts); they talk only to the agent's local UI server.
 * Add a page here and a route for its data in the feature that shows it.
 */
const pages: Record<string, ComponentType> = {
  '/aup': AupPage,
  '/cover': CoverPage, // "turn the screen off and tell" (issue 6)
  '/badge': BadgePage, // the always-there help button (issue 6)
  '/eyes': EyesPage,
  '/message': MessagePage,
};

export function App() {
  const { t } = useTranslation();
  const Page = pages[window.location.pathname];
  if (!Page) {
    return (
      <main className="page">
        <h1>Harbour</h1>
        <p>{t('app.nothing')}</p>
      </main>
    );
  }
  return <Page />;
}
