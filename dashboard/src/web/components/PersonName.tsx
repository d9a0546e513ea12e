import { useTranslation } from 'react-i18next';
import type { Person } from '@harbour/shared';
import { unknownLoginLabel } from '../labels';

/**
 * The pupil at a computer: their name, year group and class from the roster, with the login
 * below; a login the roster does not have is shown as it is, marked as not on the roster.
 */
export function PersonName({ login, person }: { login: string; person: Person | null | undefined }) {
  const { t } = useTranslation();
  if (!person) return <>{login}</>;
  if (!person.known) {
    return <span className="person person-unknown">{unknownLoginLabel(t, login)}</span>;
  }
  const details = [
    person.yearGroup === 'unknown' ? null : t(`enums.yearGroup.${person.yearGroup}`),
    person.className,
  ].filter(Boolean);
  return (
    <span className="person">
      <span className="person-name">{person.name}</span>
      {details.length > 0 && <span className="person-details"> · {details.join(' · ')}</span>}
      <span className="person-login muted"> ({login})</span>
    </span>
  );
}
