import type { ActivityInterval, ActivityState } from '@harbour/shared';
import { DateTime } from './time';

const stateText: Record<ActivityState, string> = {
  active: 'In use',
  idle: 'Idle (no typing or mouse)',
  locked: 'Screen locked',
  off: 'Not monitored',
};

/** The local day containing `date` (YYYY-MM-DD) as an ISO [from, to) range. */
export function dayRange(date: string): { from: string; to: string } {
  const [y = 1970, m = 1, d = 1] = date.split('-').map(Number);
  const from = new Date(y, m - 1, d);
  const to = new Date(y, m - 1, d + 1);
  return { from: from.toISOString(), to: to.toISOString() };
}

export function today(): string {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** A web address shown as text (never a link: staff should not open a flagged page by accident). */
export function Address({
  url,
  domain,
  isPrivate,
}: {
  url: string | null;
  domain: string | null;
  isPrivate: boolean;
}) {
  if (url) return <span className="address">{url}</span>;
  if (domain)
    return (
      <span className="address">
        {domain}
        {isPrivate && <span className="muted"> (private window: website only)</span>}
      </span>
    );
  return <span className="muted">–</span>;
}

/** Activity intervals as a table: when, who, where, what. */
export function ActivityTable({
  intervals,
  caption,
  showDevice,
}: {
  intervals: ActivityInterval[];
  caption: string;
  showDevice: boolean;
}) {
  if (intervals.length === 0) return <p className="empty">Nothing was recorded for this choice.</p>;
  return (
    <div className="table-wrap">
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">From</th>
            <th scope="col">To</th>
            {showDevice && <th scope="col">Computer</th>}
            <th scope="col">User</th>
            <th scope="col">Application</th>
            <th scope="col">Title</th>
            <th scope="col">Website</th>
          </tr>
        </thead>
        <tbody>
          {intervals.map((i) => (
            <tr key={i.id} data-state={i.state}>
              <td>
                <DateTime iso={i.start} />
              </td>
              <td>{i.end === null ? <strong>Now</strong> : <DateTime iso={i.end} />}</td>
              {showDevice && <td>{i.hostname}</td>}
              <td>{i.user ?? <span className="muted">Nobody</span>}</td>
              <td>{i.state === 'active' ? i.app : <span className="muted">{stateText[i.state]}</span>}</td>
              <td>{i.title ?? <span className="muted">–</span>}</td>
              <td>
                <Address url={i.url} domain={i.domain} isPrivate={i.private} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
