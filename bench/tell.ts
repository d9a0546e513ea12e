/**
 * Tell at fleet scale: with N agents connected and changing windows, pupils on random
 * computers press "turn the screen off and tell", each report carrying a 1920×1080 PNG
 * screenshot sent the way the real agent sends it (evidence upload, then the outbox event).
 * A signed-in DSL's dashboard measures trigger → `tell:alert`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { io } from 'socket.io-client';
import type { DashboardClientToServer, DashboardServerToClient } from '@harbour/shared';
import type { Socket } from 'socket.io-client';
import { runFleet, type FleetResult } from './fleet.js';
import { round, summarise } from './lib/stats.js';
import { until } from './lib/wait.js';

export interface TellAlertResult {
  agents: number;
  reports: number;
  alerts: number;
  failed: string[];
  screenshotBytes: number;
  latencyMs: { count: number; p50: number; p95: number; p99: number; max: number };
  fleet: FleetResult;
}

const dslEmail = 'tell-dsl@harbour.test';
const password = 'tell password long enough';

/** A 1920×1080 screenshot of a busy web page (rendered with sharp), as a real capture would be. */
export async function screenshot(file: string): Promise<number> {
  const rows = Array.from(
    { length: 22 },
    (_, i) =>
      `<text x="120" y="${300 + i * 34}" font-size="24" font-family="sans-serif" fill="#333">Line ${i + 1}: The Romans built roads, towns and walls across Britain, some still here today.</text>`,
  ).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1920" height="1080">
    <rect width="1920" height="1080" fill="#f4f4f4"/>
    <rect width="1920" height="80" fill="#2b5797"/>
    <text x="40" y="52" font-size="34" font-family="sans-serif" fill="white">Year 4 History – The Romans in Britain</text>
    <rect x="80" y="140" width="1760" height="900" fill="white" stroke="#ccc"/>
    <text x="120" y="230" font-size="48" font-family="serif" fill="#111">Hadrian’s Wall</text>
    ${rows}
    <circle cx="1600" cy="500" r="180" fill="#e07a5f"/><rect x="1450" y="760" width="300" height="200" fill="#81b29a"/>
  </svg>`;
  const png = await sharp(Buffer.from(svg)).png().toBuffer();
  fs.writeFileSync(file, png);
  return png.length;
}

export async function runTellAlerts(opts: {
  agents: number;
  reports: number;
  workers: number;
  spacingMs: number;
  log?: (l: string) => void;
}): Promise<TellAlertResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'harbour-tell-'));
  const png = path.join(dir, 'screen.png');
  const screenshotBytes = await screenshot(png);
  const sentAt = new Map<string, number>();
  const alertAt = new Map<string, number>();
  const failed: string[] = [];
  try {
    const fleet = await runFleet({
      agents: opts.agents,
      workers: opts.workers,
      measureSeconds: 5,
      log: opts.log,
      during: async (ctx) => {
        const created = await fetch(`${ctx.url}/api/users`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie: ctx.adminCookie },
          body: JSON.stringify({
            email: dslEmail,
            displayName: 'Safeguarding Lead',
            role: 'dsl',
            password,
            temporaryPassword: false,
          }),
        });
        if (created.status !== 201) throw new Error(`create DSL: ${created.status} ${await created.text()}`);
        const login = await fetch(`${ctx.url}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: dslEmail, password }),
        });
        const cookie = login.headers.getSetCookie()[0]?.split(';')[0] ?? '';
        const dsl: Socket<DashboardServerToClient, DashboardClientToServer> = io(`${ctx.url}/dashboard`, {
          transports: ['websocket'],
          extraHeaders: { cookie },
        });
        dsl.on('tell:alert', (alert) => {
          if (!alertAt.has(alert.tellId)) alertAt.set(alert.tellId, Date.now());
        });
        await new Promise<void>((resolve) => dsl.once('connect', () => resolve()));
        ctx.onWorkerMessage((m) => {
          if (m.type === 'tell-sent') sentAt.set(m.tellId as string, m.triggeredAt as number);
          if (m.type === 'tell-failed') failed.push(String(m.reason));
        });
        for (let i = 0; i < opts.reports; i++) {
          // Spread over the workers and their devices: a different computer each time.
          ctx.toWorker(i, { type: 'tell', index: Math.floor(i / ctx.workers) * 7, png });
          await new Promise((r) => setTimeout(r, opts.spacingMs));
        }
        await until(() => alertAt.size + failed.length >= opts.reports, 60_000, 'every tell alert').catch(
          () => undefined,
        );
        dsl.close();
      },
    });
    const latencies = [...alertAt].flatMap(([tellId, at]) => {
      const sent = sentAt.get(tellId);
      return sent === undefined ? [] : [at - sent];
    });
    const s = summarise(latencies);
    return {
      agents: opts.agents,
      reports: opts.reports,
      alerts: alertAt.size,
      failed,
      screenshotBytes,
      latencyMs: {
        count: s.count,
        p50: round(s.p50),
        p95: round(s.p95),
        p99: round(s.p99),
        max: round(s.max),
      },
      fleet,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
