import { useTranslation } from 'react-i18next';
import type { AupStatus } from '@harbour/shared';

const tone: Record<AupStatus, string> = {
  current: 'badge-good',
  outdated: 'badge-warning',
  never: 'badge-warning',
  declined: 'badge-danger',
};

/** A user's standing with the acceptable use policy, as a badge. */
export function AupBadge({ status }: { status: AupStatus }) {
  const { t } = useTranslation();
  return <span className={`badge ${tone[status]}`}>{t(`enums.aupStatus.${status}`)}</span>;
}
