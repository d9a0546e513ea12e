import { describe, expect, it } from 'vitest';
import { memoryCounters, rateLimit } from './rate-limit.js';

describe('rate limits', () => {
  it('allow the limit per key and minute, then refuse with when to come back', async () => {
    let t = 120_000;
    const limit = rateLimit(memoryCounters(), { perMinute: 3, what: 'this computer', now: () => t });
    for (let i = 0; i < 3; i++) expect(await limit.take('a')).toEqual({ ok: true });
    expect(await limit.take('b')).toEqual({ ok: true });
    t += 15_000;
    const refused = await limit.take('a');
    expect(refused).toMatchObject({ ok: false, retryAfterMs: 45_000 });
    expect(refused.ok ? '' : refused.message).toMatch(/at most 3 a minute\. Try again in 45 s/);
    t += 45_000;
    expect(await limit.take('a')).toEqual({ ok: true });
  });

  it('counters can be read without counting and forgotten (a right PIN forgives the wrong ones)', async () => {
    const counters = memoryCounters();
    await counters.hit('pin:d', 300_000, 1_000);
    await counters.hit('pin:d', 300_000, 2_000);
    expect(await counters.peek('pin:d', 300_000, 3_000)).toBe(2);
    expect(await counters.peek('pin:d', 300_000, 300_000)).toBe(0);
    await counters.clear('pin:d', 300_000, 3_000);
    expect(await counters.peek('pin:d', 300_000, 3_000)).toBe(0);
  });
});
