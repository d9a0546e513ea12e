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
