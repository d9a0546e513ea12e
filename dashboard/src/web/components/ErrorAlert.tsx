import type { Issue } from '@harbour/shared';
import { ApiRequestError, errorMessage } from '../api';

/** A problem the user needs to know about, announced by screen readers as it appears. */
export function ErrorAlert({ error }: { error: unknown }) {
  if (error === null || error === undefined) return null;
  const issues: Issue[] = error instanceof ApiRequestError ? error.issues : [];
  // A single issue is already named in the message; list them only when there are several.
  return (
    <div role="alert" className="alert alert-error">
      <p>{errorMessage(error)}</p>
      {issues.length > 1 && (
        <ul>
          {issues.map((issue) => (
            <li key={`${issue.path}:${issue.message}`}>{issue.message}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
