/**
 * Checks a form against the same shared schema the server uses, so common mistakes
 * get a plain message at once instead of a round trip. The server still decides.
 */
import type { z } from 'zod';
import { parseWith, type Issue } from '@harbour/shared';
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

/**
 * checkForm for a form that also asks for a School (a trust-level admin of a trust of several
 * schools): the schema's problems and, when `schoolMissing` says what to say, the School's,
 * together, the first one's message leading.
 */
export function checkFormWithSchool(schema: z.ZodType, input: unknown, schoolMissing: string | null): void {
  const problems: Issue[] = [];
  try {
    checkForm(schema, input);
  } catch (err) {
    if (!(err instanceof ApiRequestError)) throw err;
    problems.push(...err.issues);
  }
  if (schoolMissing !== null) problems.push({ path: 'schoolId', message: schoolMissing });
  if (problems.length > 0)
    throw new ApiRequestError(0, 'validation_failed', problems[0]?.message ?? '', problems);
}
