/**
 * Turns anything an action threw into plain, translated words. The server's own message is
 * English and sometimes technical ("Invalid querystring: querystring.deviceId…"), so the
 * headline always comes from the error's code; a hand-written server sentence is kept as a
 * detail where it adds something (which room, which email), and a validation problem is
 * tied to the field it is about.
 */
import type { TFunction } from 'i18next';
import type { ErrorCode, Issue } from '@harbour/shared';
import { ApiRequestError } from './api';

export type ErrorKind = ErrorCode | 'network' | 'unknown';

/** A problem with one field: `path` as the form names its fields ("email", "rules[0].text"). */
export interface FieldIssue {
  path: string;
  message: string;
}

export interface Described {
  kind: ErrorKind;
  /** The plain headline in the chosen language. */
  message: string;
  /** A specific sentence from the server (English), where it says more than the headline. */
  detail: string | null;
  issues: FieldIssue[];
}

/** Where a server issue's path starts with the part of the request, drop it: "body.email" is the form's "email". */
export function fieldPath(path: string): string {
  return path.replace(/^(body|querystring|params|headers)\.?/, '').replace(/^\(root\)$/, '');
}

/** Server messages made by the validation layer, never shown as they are. */
const raw =
  /^(Invalid (body|querystring|params|headers|request)\b|No route |Send JSON|Unexpected|body\/|querystring\/)/;

/** Codes whose server sentence names something specific worth keeping as a detail. */
const specific = new Set<ErrorKind>([
  'conflict',
  'forbidden',
  'bad_request',
  'validation_failed',
  'not_found',
]);

export function describeError(
  error: unknown,
  t: TFunction,
  overrides: Partial<Record<ErrorKind, string>> = {},
): Described {
  if (!(error instanceof ApiRequestError)) {
    return {
      kind: 'unknown',
      message: overrides.unknown ?? t('errors.code.unknown'),
      detail: null,
      issues: [],
    };
  }
  const kind: ErrorKind = error.code;
  const issues = error.issues.map((i: Issue) => ({ path: fieldPath(i.path), message: i.message }));
  const message = overrides[kind] ?? t(`errors.code.${kind}`);
  const fromClient = error.status === 0; // checkForm: its issues are shown per field, not as a detail
  const detail =
    !fromClient &&
    specific.has(kind) &&
    !raw.test(error.message) &&
    issues.length === 0 &&
    overrides[kind] === undefined
      ? error.message
      : null;
  return { kind, message, detail, issues };
}

/**
 * When a refused sign-in may be tried again: the server names the end of an account's
 * lockout in its sentence ("… paused until 2026-12-01T16:40:00.000Z."), the same moment
 * whether or not the password was right. Null for any other refusal.
 */
export function retryAt(error: unknown): Date | null {
  if (!(error instanceof ApiRequestError) || error.code !== 'rate_limited') return null;
  const match = /until (\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?Z)/.exec(error.message);
  if (!match?.[1]) return null;
  const at = new Date(match[1]);
  return Number.isNaN(at.getTime()) ? null : at;
}
