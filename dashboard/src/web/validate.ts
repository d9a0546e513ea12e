/**
 * Checks a form against the same shared schema the server uses, so common mistakes
 * get a plain message at once instead of a round trip. The server still decides.
 */
import type { z } from 'zod';
import { parseWith } from '@harbour/shared';
import { ApiRequestError } from './api';

const sentence = (text: string) => (text === '' ? text : `${text.charAt(0).toUpperCase()}${text.slice(1)}.`);

/** Throws an ApiRequestError (status 0, validation_failed) describing every problem found. */
export function checkForm(schema: z.ZodType, input: unknown): void {
  const result = parseWith(schema, input);
  if (result.ok) return;
  const seen = new Set<string>();
  const issues = result.issues
    .map((issue) => ({ path: issue.path, message: sentence(issue.message) }))
    .filter((issue) => !seen.has(issue.message) && Boolean(seen.add(issue.message)));
  const [first] = issues;
  const message = issues.length === 1 && first ? first.message : 'Please correct the following:';
  throw new ApiRequestError(0, 'validation_failed', message, issues);
}
