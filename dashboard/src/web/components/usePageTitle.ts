import { useEffect } from 'react';

/** Sets the browser tab title to "<title> – Harbour". */
export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = title === '' ? 'Harbour' : `${title} – Harbour`;
  }, [title]);
}
