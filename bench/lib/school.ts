/**
 * A school's worth of data, written straight into a Harbour database that the server's own
 * migrations created: rooms of 30 devices, a class of pupils per room, and activity over the
 * last four weeks (inside the default 30-day retention, so the server keeps it). Rows go in
 * through one prepared statement per table inside a transaction, for speed; their shape is
 * the schema's own (Insertable<…>).
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import type { Insertable } from 'kysely';
import pino from 'pino';
import { openDatabase } from '../../dashboard/src/server/db/database.js';
import type { ActivityIntervalsTable } from '../../dashboard/src/server/db/schema.js';
import { seedFleet } from './seed.js';

export interface School {
  rooms: { id: string; devices: string[]; pupils: string[] }[];
  /** School days (UTC midnight ISO) that have activity, oldest first. */
  days: string[];
  activityRows: number;
}

const sites: [app: string, domain: string | null, title: string][] = [
  ['Google Chrome', 'bbc.co.uk', 'BBC Bitesize - KS2 Maths'],
  ['Google Chrome', 'topmarks.co.uk', 'Hit the Button - Topmarks'],
  ['Google Chrome', 'purplemash.com', 'Purple Mash'],
  ['Google Chrome', 'scratch.mit.edu', 'Scratch - Imagine, Program, Share'],
  ['Google Chrome', 'spellingshed.com', 'Spelling Shed'],
  ['Google Chrome', 'youtube.com', 'Times tables song - YouTube'],
  ['Google Chrome', 'wikipedia.org', 'Romans - Wikipedia'],
  ['Microsoft Edge', 'ttrockstars.com', 'Times Tables Rock Stars'],
  ['Microsoft Word', null, 'My story.docx - Word'],
  ['Microsoft PowerPoint', null, 'Volcanoes.pptx - PowerPoint'],
  ['Paint', null, 'Untitled - Paint'],
];

/** Deterministic pseudo-random numbers, so every run seeds the same school. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function schoolDays(count: number, now = Date.now()): string[] {
  const days: string[] = [];
  for (let d = 1; days.length < count; d++) {
    const day = new Date(now - d * 86_400_000);
    day.setUTCHours(0, 0, 0, 0);
    if (day.getUTCDay() !== 0 && day.getUTCDay() !== 6) days.unshift(day.toISOString());
  }
  return days;
}

/** Seeds `activityRows` activity intervals over 20 school days for `devices` devices. */
export async function seedSchool(
  dataDir: string,
  opts: { devices: number; activityRows: number },
): Promise<School> {
  const seeded = await seedFleet(dataDir, opts.devices);
  const byRoom = new Map<string, string[]>();
  for (const d of seeded) byRoom.set(d.roomId, [...(byRoom.get(d.roomId) ?? []), d.deviceId]);
  const rooms = [...byRoom].map(([id, devices], r) => ({
    id,
    devices,
    pupils: devices.map(
      (_, i) => `pupil.${String(r + 1).padStart(2, '0')}.${String(i + 1).padStart(2, '0')}`,
    ),
  }));
  const days = schoolDays(20);
  const perDeviceDay = Math.max(1, Math.ceil(opts.activityRows / (days.length * opts.devices)));
  const dayMs = (6.5 * 3600_000) / perDeviceDay;
  const next = random(42);

  const sqlite = new SQLite(path.join(dataDir, 'harbour.sqlite'));
  const insert = sqlite.prepare(`insert into activity_intervals
    (device_id, room_id, username, state, app, title, url, domain, exe_path, private, started_at, ended_at)
    values (@device_id, @room_id, @username, @state, @app, @title, @url, @domain, @exe_path, @private, @started_at, @ended_at)`);
  let written = 0;
  sqlite.transaction(() => {
    for (const [di, day] of days.entries()) {
      const start = Date.parse(day) + 8.75 * 3600_000; // 08:45
      for (const room of rooms) {
        for (const [i, deviceId] of room.devices.entries()) {
          for (let k = 0; k < perDeviceDay && written < opts.activityRows; k++) {
            const lesson = Math.floor((k / perDeviceDay) * 5); // five lessons a day, seats move
            const pupil = room.pupils[(i + lesson + di) % room.pupils.length]!;
            const roll = next();
            const state = roll < 0.85 ? 'active' : roll < 0.95 ? 'idle' : 'locked';
            const [app, domain, title] = sites[Math.floor(next() * sites.length)]!;
            const row: Insertable<ActivityIntervalsTable> = {
              device_id: deviceId,
              room_id: room.id,
              username: pupil,
              state,
              app: state === 'active' ? app : null,
              title: state === 'active' ? title : null,
              url: state === 'active' && domain ? `https://www.${domain}/${randomUUID().slice(0, 8)}` : null,
              domain: state === 'active' ? domain : null,
              exe_path: null,
              private: 0,
              started_at: new Date(start + k * dayMs).toISOString(),
              ended_at: new Date(start + (k + 1) * dayMs).toISOString(),
            };
            insert.run(row);
            written++;
          }
        }
      }
    }
    // The newest interval of each device is open: what it shows now.
    sqlite
      .prepare(
        'update activity_intervals set ended_at = null where id in (select max(id) from activity_intervals group by device_id)',
      )
      .run();
  })();
  sqlite.close();
  // Reopen through the server's code once, so anything it does at open (migrations) has run.
  await (await openDatabase(dataDir, pino({ level: 'silent' }))).close();
  return { rooms, days, activityRows: written };
}
