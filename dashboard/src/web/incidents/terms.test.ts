import { describe, expect, it } from 'vitest';
import { schoolPresets, type SchoolSession } from './terms';

const calendar: SchoolSession[] = [
  { title: 'Summer 2026', type: 'term', startDate: '2026-04-13', endDate: '2026-07-22' },
  { title: '2026 to 2027', type: 'schoolYear', startDate: '2026-09-01', endDate: '2027-07-21' },
  { title: '2025 to 2026', type: 'schoolYear', startDate: '2025-09-03', endDate: '2026-07-22' },
  { title: 'Spring 2027', type: 'term', startDate: '2027-01-05', endDate: '2027-03-26' },
  { title: 'Autumn 2026', type: 'term', startDate: '2026-09-02', endDate: '2026-12-18' },
];

describe('the governors’ report presets from the school’s own term dates', () => {
  it('this term is the one today falls in, last term the one before it, in any order given', () => {
    expect(schoolPresets(calendar, new Date(2026, 11, 1))).toEqual({
      thisTerm: { title: 'Autumn 2026', range: { from: '2026-09-02', to: '2026-12-18' } },
      lastTerm: { title: 'Summer 2026', range: { from: '2026-04-13', to: '2026-07-22' } },
      thisYear: { from: '2026-09-01', to: '2027-07-21' },
      lastYear: { from: '2025-09-03', to: '2026-07-22' },
    });
  });

  it('in a holiday there is no "this term"; last term is the one just ended', () => {
    const p = schoolPresets(calendar, new Date(2026, 11, 28));
    expect(p.thisTerm).toBeUndefined();
    expect(p.lastTerm?.title).toBe('Autumn 2026');
    // The first and last days count as in term.
    expect(schoolPresets(calendar, new Date(2027, 0, 5)).thisTerm?.title).toBe('Spring 2027');
    expect(schoolPresets(calendar, new Date(2026, 11, 18)).thisTerm?.title).toBe('Autumn 2026');
  });

  it('no calendar gives no presets (the page falls back to the months); semesters serve where there are no terms', () => {
    expect(schoolPresets([], new Date(2026, 11, 1))).toEqual({});
    const semesters: SchoolSession[] = [
      { title: 'First half', type: 'semester', startDate: '2026-09-01', endDate: '2027-01-31' },
    ];
    expect(schoolPresets(semesters, new Date(2026, 11, 1)).thisTerm?.title).toBe('First half');
  });
});
