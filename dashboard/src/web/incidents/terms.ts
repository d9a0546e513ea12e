/**
 * School terms as date ranges for the governors' report presets. Schools in England and Wales
 * set their own term dates, so these are the calendar months each term falls in (autumn:
 * September to December, spring: January to March, summer: April to August); a governor who
 * needs exact term days picks them in the date fields.
 */
export type Term = 'autumn' | 'spring' | 'summer';
export interface Range {
  from: string;
  to: string;
}

const day = (y: number, m: number, d: number) =>
  `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

export function termOf(date: Date): { term: Term; year: number } {
  const m = date.getMonth() + 1;
  const y = date.getFullYear();
  return { term: m >= 9 ? 'autumn' : m >= 4 ? 'summer' : 'spring', year: y };
}

export function termRange(term: Term, year: number): Range {
  switch (term) {
    case 'autumn':
      return { from: day(year, 9, 1), to: day(year, 12, 31) };
    case 'spring':
      return { from: day(year, 1, 1), to: day(year, 3, 31) };
    case 'summer':
      return { from: day(year, 4, 1), to: day(year, 8, 31) };
  }
}

export function previousTerm(term: Term, year: number): { term: Term; year: number } {
  if (term === 'autumn') return { term: 'summer', year };
  if (term === 'summer') return { term: 'spring', year };
  return { term: 'autumn', year: year - 1 };
}

/** The school year (1 September to 31 August) containing `date`, or the one before with `back`. */
export function schoolYear(date: Date, back = 0): Range {
  const start = date.getMonth() + 1 >= 9 ? date.getFullYear() : date.getFullYear() - 1;
  return { from: day(start - back, 9, 1), to: day(start - back + 1, 8, 31) };
}

/** A session from the school's roster (`GET /api/terms`): its own title and days. */
export interface SchoolSession {
  title: string;
  type: string;
  startDate: string;
  endDate: string;
}

export interface SchoolPresets {
  thisTerm?: { title: string; range: Range };
  lastTerm?: { title: string; range: Range };
  thisYear?: Range;
  lastYear?: Range;
}

const isoDay = (date: Date) => day(date.getFullYear(), date.getMonth() + 1, date.getDate());

/**
 * The report's presets from the school's own calendar: this term is the one today falls in
 * (none in a holiday), last term the latest that ended before it; the same for school years.
 * Terms are OneRoster's `term` sessions (a school that exports only semesters: those).
 */
export function schoolPresets(sessions: readonly SchoolSession[], now: Date): SchoolPresets {
  const today = isoDay(now);
  const pick = (types: string[]) => {
    const list = sessions
      .filter((s) => types.includes(s.type))
      .sort((a, b) => a.startDate.localeCompare(b.startDate) || a.endDate.localeCompare(b.endDate));
    const current = list.find((s) => s.startDate <= today && today <= s.endDate);
    const before = current?.startDate ?? today;
    const previous = list.filter((s) => s.endDate < before).at(-1);
    return { current, previous };
  };
  const range = (s: SchoolSession): Range => ({ from: s.startDate, to: s.endDate });
  const terms = sessions.some((s) => s.type === 'term') ? pick(['term']) : pick(['semester']);
  const years = pick(['schoolYear']);
  return {
    ...(terms.current ? { thisTerm: { title: terms.current.title, range: range(terms.current) } } : {}),
    ...(terms.previous ? { lastTerm: { title: terms.previous.title, range: range(terms.previous) } } : {}),
    ...(years.current ? { thisYear: range(years.current) } : {}),
    ...(years.previous ? { lastYear: range(years.previous) } : {}),
  };
}
