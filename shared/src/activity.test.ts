import { describe, expect, it } from 'vitest';
import { activityChangedSchema, cleanText, domainOf, withinSchedule } from './activity.js';

describe('activity helpers', () => {
  it('reads the domain of web addresses only', () => {
    expect(domainOf('https://WWW.Example.org:8443/a?b')).toBe('example.org');
    expect(domainOf('http://127.0.0.1:3000/')).toBe('127.0.0.1');
    expect(domainOf('chrome://newtab/')).toBeNull();
    expect(domainOf('nonsense')).toBeNull();
  });

  it('cleans window titles without losing meaning', () => {
    expect(cleanText('  Zoë\u202E\tand\n Siân ', 100)).toBe('Zoë and Siân');
    expect(cleanText('\u0000\u0001', 100)).toBeNull();
    expect(cleanText('x'.repeat(50), 10)).toBe('x'.repeat(10));
    // Never cuts a character in half.
    expect(cleanText('ab🏫', 3)).toBe('ab');
  });

  it('runs only inside the school day when a schedule is set', () => {
    const schedule = { days: [1, 2, 3, 4, 5], start: '08:00', end: '17:00' };
    expect(withinSchedule(schedule, new Date(2025, 2, 12, 9, 30))).toBe(true); // a Wednesday
    expect(withinSchedule(schedule, new Date(2025, 2, 12, 17, 0))).toBe(false);
    expect(withinSchedule(schedule, new Date(2025, 2, 15, 10, 0))).toBe(false); // a Saturday
    expect(withinSchedule(null, new Date(2025, 2, 15, 3, 0))).toBe(true);
  });

  it('never accepts window contents while locked or idle', () => {
    const window = { app: 'Chromium', title: 'x', exePath: null, url: null, domain: null, private: false };
    expect(
      activityChangedSchema.safeParse({ type: 'activity.changed', state: 'locked', user: null, window })
        .success,
    ).toBe(false);
    expect(
      activityChangedSchema.safeParse({ type: 'activity.changed', state: 'active', user: null, window: null })
        .success,
    ).toBe(false);
    expect(
      activityChangedSchema.safeParse({ type: 'activity.changed', state: 'active', user: null, window })
        .success,
    ).toBe(true);
  });
});
