import type { AupStatus } from '@harbour/shared';

export const aupStatusText: Record<AupStatus, string> = {
  current: 'Agreed',
  outdated: 'Must agree again',
  never: 'Not agreed yet',
  declined: 'Did not agree',
};

const tone: Record<AupStatus, string> = {
  current: 'badge-good',
  outdated: 'badge-warning',
  never: 'badge-warning',
  declined: 'badge-danger',
};

/** A user's standing with the acceptable use policy, as a badge. */
export function AupBadge({ status }: { status: AupStatus }) {
  return <span className={`badge ${tone[status]}`}>{aupStatusText[status]}</span>;
}
