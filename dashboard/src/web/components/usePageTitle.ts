import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';

/** Sets the browser tab title to "<title> – Harbour" (the title is already translated). */
export function usePageTitle(title: string): void {
  const { t } = useTranslation();
  const full = title === '' ? t('app.name') : t('app.pageTitle', { title });
  useEffect(() => {
    document.title = full;
  }, [full]);
}
