import type { Person } from '@harbour/shared';

/**
 * The roster's person behind each OS login seen in a room (the roster feature's `people`): a
 * login is one pupil's within a school, so it is looked up in the school of the room's computer.
 */
export type People = (
  seen: readonly { login: string; roomId: string }[],
) => Promise<{ of(seen: { login: string; roomId: string }): Person | null }>;

/** No roster: every row's person is null (not known either way). */
export const noPeople: People = () => Promise.resolve({ of: () => null });

/** Rows that name a login get the pupil behind it: lists show names and classes, not logins. */
export async function withPeople<T extends { user: string | null; roomId: string }>(
  people: People,
  rows: T[],
): Promise<(T & { person: Person | null })[]> {
  const seen = rows.flatMap((r) => (r.user ? [{ login: r.user, roomId: r.roomId }] : []));
  if (seen.length === 0) return rows.map((r) => ({ ...r, person: null }));
  const found = await people(seen);
  return rows.map((r) => ({ ...r, person: r.user ? found.of({ login: r.user, roomId: r.roomId }) : null }));
}
