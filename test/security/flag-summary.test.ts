/**
 * Issue 15 item 6 as an adversary tries it: a pupil's 2,000-character search phrase, or a
 * device that puts its own words in a flag's `pattern`, does not become the incident's
 * summary. The concern is named by the school's own watch-list entry: the matched term alone.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWorld, connectDevice, type World } from './world.js';

let world: World;
beforeAll(async () => {
  world = await buildWorld();
});
afterAll(() => world.close());

describe('the incident summary of a flag (issue 15 item 6)', () => {
  it('names the watch-list term alone, whatever the search phrase or the device said', async () => {
    const entry = await world.harbour.db
      .selectFrom('watchlist_entries')
      .select(['id', 'kind', 'category', 'severity'])
      .where('pattern', '=', 'how to make a bomb')
      .executeTakeFirstOrThrow();
    const phrase = `${'zz'.repeat(400)} how to make a bomb ${'instructions please '.repeat(60)}`.slice(
      0,
      2000,
    );
    const socket = await connectDevice(world.harbour, world.deviceA);
    const eventId = randomUUID();
    const ack = await socket.emitWithAck('agent:event', {
      id: eventId,
      occurredAt: new Date().toISOString(),
      body: {
        type: 'activity.flag',
        user: { username: 'pupil3' },
        window: {
          app: 'Chromium',
          title: `${phrase.slice(0, 200)} - Search`,
          exePath: null,
          url: `https://www.example.org/search?q=${encodeURIComponent(phrase.slice(0, 500))}`,
          domain: 'www.example.org',
          private: false,
        },
        match: {
          entryId: entry.id,
          kind: 'keyword',
          // A device naming the concern in its own words: the whole phrase (the schema's limit).
          pattern: phrase.slice(0, 200),
          category: 'gambling',
          severity: 'low',
          where: 'search',
          matched: phrase,
        },
        evidence: [],
      } as never,
    });
    socket.close();
    expect(ack).toMatchObject({ ok: true });
    const flag = await world.harbour.db
      .selectFrom('flags')
      .select(['id', 'pattern', 'category', 'severity', 'matched'])
      .where('event_id', '=', eventId)
      .executeTakeFirstOrThrow();
    // The school's entry, not the device's words; the pupil's full text is kept as what matched.
    expect(flag).toMatchObject({
      pattern: 'how to make a bomb',
      category: entry.category,
      severity: entry.severity,
      matched: phrase.trim(),
    });
    const incident = await world.harbour.db
      .selectFrom('incidents')
      .select(['summary'])
      .where('source', '=', 'flag')
      .where('source_ref', '=', flag.id)
      .executeTakeFirstOrThrow();
    expect(incident.summary).toContain('“how to make a bomb”');
    expect(incident.summary).not.toContain('zz');
    expect(incident.summary).not.toContain('instructions');
    expect(incident.summary.length).toBeLessThanOrEqual(200);
  });
});
