import { useTranslation } from 'react-i18next';
import type { DeviceHealth } from '@harbour/shared';

/**
 * A device's health problems, or a calm "No problems". Each problem is told in words, never by
 * colour alone: in the chosen language where Harbour knows the problem's code, else as the
 * agent or server described it (in English).
 */
export function HealthList({ health }: { health: DeviceHealth[] }) {
  const { t, i18n } = useTranslation();
  if (health.length === 0) return <span className="muted">{t('health.none')}</span>;
  return (
    <ul className="health-list">
      {health.map((problem) => {
        const key = `health.code.${problem.code.replace(/[.-]/g, '_')}`;
        const known = i18n.language !== 'en' && i18n.exists(key);
        return (
          <li key={`${problem.source}:${problem.code}`} className="health-problem" data-code={problem.code}>
            <span className="health-icon" aria-hidden="true">
              !
            </span>
            {known ? t(key as 'health.none') : <span lang="en">{problem.message}</span>}
          </li>
        );
      })}
    </ul>
  );
}
