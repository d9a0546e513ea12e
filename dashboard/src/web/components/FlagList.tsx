import { watchCategoryLabels, type Flag } from '@harbour/shared';
import { Address } from './activity';
import { DateTime } from './time';

const severityLabels = { low: 'Low', medium: 'Medium', high: 'High' } as const;
const placeLabels = {
  domain: 'website',
  url: 'web address',
  title: 'window title',
  search: 'search',
} as const;

/** Flags with their screenshots. Screenshots open only when staff choose to look. */
export function FlagList({ flags, showRoom }: { flags: Flag[]; showRoom?: (roomId: string) => string }) {
  if (flags.length === 0) return <p className="empty">No flags.</p>;
  return (
    <ul className="flag-list" aria-label="Flags">
      {flags.map((f) => (
        <li key={f.id} className={`flag flag-${f.severity}`} data-flag-id={f.id}>
          <p className="flag-heading">
            <span className={`badge badge-severity-${f.severity}`}>{severityLabels[f.severity]}</span>{' '}
            <strong>{watchCategoryLabels[f.category]}</strong> on <strong>{f.hostname}</strong>
            {showRoom && <> in {showRoom(f.roomId)}</>} · <DateTime iso={f.occurredAt} />
          </p>
          <dl className="device-facts">
            <div>
              <dt>User</dt>
              <dd>{f.user ?? 'Nobody signed in'}</dd>
            </div>
            <div>
              <dt>Matched</dt>
              <dd>
                “{f.pattern}” in the {placeLabels[f.where]}: {f.matched}
              </dd>
            </div>
            <div>
              <dt>Application</dt>
              <dd>{f.app}</dd>
            </div>
            <div>
              <dt>Title</dt>
              <dd>{f.title ?? '–'}</dd>
            </div>
            <div>
              <dt>Website</dt>
              <dd>
                <Address url={f.url} domain={f.domain} isPrivate={f.private} />
              </dd>
            </div>
          </dl>
          {f.evidence.length === 0 ? (
            <p className="muted">No screenshot could be taken.</p>
          ) : (
            <details className="flag-evidence">
              <summary>
                Show {f.evidence.length === 1 ? 'the screenshot' : `the ${f.evidence.length} screenshots`}{' '}
                (may be upsetting)
              </summary>
              {f.evidence.map((e, i) => (
                <img
                  key={e.sha256}
                  src={`/api/flags/${f.id}/evidence/${e.sha256}`}
                  alt={`Screenshot ${i + 1} of ${f.hostname} when the flag was raised`}
                  loading="lazy"
                  className="flag-screenshot"
                />
              ))}
            </details>
          )}
        </li>
      ))}
    </ul>
  );
}
