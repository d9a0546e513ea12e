/**
 * The trust's schools, as the dashboard shows them (docs/trust.md). Only trust-level staff of
 * a trust of several schools see anything about schools outside the Schools page: a school's
 * own staff, and everyone in a trust of one school, see the screens exactly as before.
 */
import type { School } from '@harbour/shared';
import { useUser } from './auth';
import { useLoad } from './incidents/useLoad';

/** The member of staff belongs to no school: they see (and administer) every school. */
export function useTrustLevel(): boolean {
  return (useUser().schoolId ?? null) === null;
}

/**
 * The trust's schools, by name, when the signed-in member of staff is trust-level and the
 * trust has more than one; null otherwise (and while they load), so nothing school-related
 * shows. A school's staff never ask for them.
 */
export function useTrustSchools(): School[] | null {
  return useTrustSchoolsState().schools;
}

/**
 * The same, and whether a trust-level member of staff's list has not arrived (yet, or at
 * all: `error`). A form that would otherwise leave the school out (which makes a new
 * account trust-level) waits for it.
 */
export function useTrustSchoolsState(): { schools: School[] | null; pending: boolean; error: unknown } {
  const trustLevel = useTrustLevel();
  const { data, error } = useLoad<{ schools: School[] }>(trustLevel ? '/api/schools' : null);
  if (!trustLevel) return { schools: null, pending: false, error: null };
  if (data === null) return { schools: null, pending: true, error };
  return {
    schools: data.schools.length < 2 ? null : data.schools.slice().sort(bySchoolName),
    pending: false,
    error: null,
  };
}

export const bySchoolName = (a: School, b: School) =>
  a.name.localeCompare(b.name, undefined, { sensitivity: 'base', numeric: true });

/** A school's name by id (its number when it is not in the list). */
export function schoolName(schools: School[], id: number | null | undefined): string | null {
  if (id === null || id === undefined) return null;
  return schools.find((s) => s.id === id)?.name ?? String(id);
}
