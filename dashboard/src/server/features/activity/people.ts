import type { Person } from '@harbour/shared';

/** The roster's person behind each OS login (the roster feature's `people`). */
export type People = (logins: readonly string[]) => Promise<Map<string, Person>>;

/** Rows that name a login get the pupil behind it: lists show names and classes, not logins. */
export async function withPeople<T extends { user: string | null }>(
  people: People,
  rows: T[],
): Promise<(T & { person: Person | null })[]> {
  const logins = [...new Set(rows.flatMap((r) => (r.user ? [r.user] : [])))];
  const found = logins.length > 0 ? await people(logins) : new Map<string, Person>();
  return rows.map((r) => ({ ...r, person: r.user ? (found.get(r.user) ?? null) : null }));
}
