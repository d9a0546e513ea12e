import { describe, expect, it } from 'vitest';
import { IdleBound } from './idle.js';

/** A fake OS idle counter over a fake clock: `input()` is the user touching the keyboard. */
function desk() {
  let now = 0;
  let lastInput = 0;
  let reads = 0;
  const bound = new IdleBound(
    () => {
      reads++;
      return Promise.resolve((now - lastInput) / 1000);
    },
    () => now,
  );
  return {
    bound,
    reads: () => reads,
    advance: (seconds: number) => (now += seconds * 1000),
    input: () => (lastInput = now),
  };
}

describe('IdleBound', () => {
  it('asks the OS once per threshold while the user is active, and still sees idleness on time', async () => {
    const d = desk();
    const answers: boolean[] = [];
    for (let s = 0; s < 300; s++) {
      if (s < 100) d.input(); // busy for 100 s, then walks away
      answers.push(await d.bound.atLeast(60));
      d.advance(1);
    }
    // Idle from second 99; 60 s later (second 159) it must be reported, not later.
    expect(answers.indexOf(true)).toBe(159);
    expect(answers.slice(159).every(Boolean)).toBe(true);
    // Active: about one read a minute; idle: one a sample.
    expect(d.reads()).toBeLessThan(5 + (300 - 159));
  });

  it('sees the user come back at the next sample once idle', async () => {
    const d = desk();
    d.advance(120);
    expect(await d.bound.atLeast(60)).toBe(true);
    d.advance(1);
    d.input();
    expect(await d.bound.atLeast(60)).toBe(false);
  });

  it('treats an unknown idle time as active and asks again every time', async () => {
    let reads = 0;
    const bound = new IdleBound(() => {
      reads++;
      return Promise.resolve(null);
    });
    expect(await bound.atLeast(60)).toBe(false);
    expect(await bound.atLeast(60)).toBe(false);
    expect(reads).toBe(2);
  });

  it('asks again after a reset', async () => {
    const d = desk();
    await d.bound.atLeast(60);
    d.bound.reset();
    await d.bound.atLeast(60);
    expect(d.reads()).toBe(2);
  });
});
