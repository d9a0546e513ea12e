import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';

/** The page's own title, and what the alerts put in front of it ("(2) Asking for help –"). */
let pageTitle = '';
let alertPrefix = '';
const apply = () => {
  document.title = alertPrefix === '' ? pageTitle : `${alertPrefix} ${pageTitle}`;
};

/** While something waits for an adult the tab title says so, on every page (set by the alert dock). */
export function setTitleAlert(prefix: string): void {
  alertPrefix = prefix;
  apply();
}

/** Sets the browser tab title to "<title> – Harbour" (the title is already translated). */
export function usePageTitle(title: string): void {
  const { t } = useTranslation();
  const full = title === '' ? t('app.name') : t('app.pageTitle', { title });
  useEffect(() => {
    pageTitle = full;
    apply();
  }, [full]);
}
