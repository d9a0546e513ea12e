import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxEvidenceBytes } from '@harbour/shared';
import { EvidenceStore, uploadEvidence } from '../../agent/src/core/evidence.js';
import type { Harbour } from '../../dashboard/src/server/app.js';
import {
  evidencePath,
  EvidenceTampered,
  readEvidence,
  sha256Of,
} from '../../dashboard/src/server/features/evidence/index.js';
import type { ApiClient } from '../support/api.js';
import { staffClients, startInProcess } from '../support/harbour.js';
import { tempDir } from '../support/paths.js';
import { XDisplay } from '../support/xdisplay.js';

// A real 1x1 PNG and a real JPEG header are enough for the route's checks; the capture
// test below uses real screenshots of a real X display.
const tinyPng = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

let harbour: Harbour;
let admin: ApiClient;
let device: { deviceId: string; credential: string };

beforeAll(async () => {
  harbour = await startInProcess();
  admin = (await staffClients(harbour)).admin;
  const room = await admin.createRoom('Evidence room');
  const { token } = await admin.createToken(room.id);
  const res = await admin.json<{ deviceId: string; credential: string }>('POST', '/api/agent/enrol', {
    token,
    hostname: 'EV-01',
    os: 'Linux',
    serial: null,
    agentVersion: '0.1.0',
  });
  device = res.body;
});
afterAll(() => harbour.close());

function upload(bytes: Buffer, opts: { sha?: string; mime?: string; auth?: string | null } = {}) {
  const auth = opts.auth === undefined ? `Device ${device.deviceId}:${device.credential}` : opts.auth;
  return fetch(`${harbour.url}/api/agent/evidence?sha256=${opts.sha ?? sha256Of(bytes)}`, {
    method: 'POST',
    headers: { 'content-type': opts.mime ?? 'image/png', ...(auth ? { authorization: auth } : {}) },
    body: new Uint8Array(bytes),
  });
}

const evidenceRows = async () =>
  Number(
    (
      await harbour.db
        .selectFrom('evidence')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('evidence upload', () => {
  it('stores a screenshot once, content-addressed and read-only', async () => {
    const first = await upload(tinyPng);
    expect(first.status).toBe(201);
    const again = await upload(tinyPng);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ duplicate: true });
    const sha = sha256Of(tinyPng);
    const file = evidencePath(harbour.evidenceDir, sha, 'image/png');
    expect(fs.statSync(file).mode & 0o222).toBe(0);
    expect(await readEvidence(harbour.db, harbour.evidenceDir, sha)).toMatchObject({
      mime: 'image/png',
    });
  });

  it.each([
    ['a hash that does not match the bytes (corrupt)', { sha: 'a'.repeat(64) }, 400, /corrupt/],
    ['bytes that are not the image type claimed', { mime: 'image/jpeg' }, 400, /not a valid image\/jpeg/],
    ['a content type that is not an image', { mime: 'text/plain' }, 400, /image\/png or image\/jpeg/],
    ['a malformed hash', { sha: 'xyz' }, 400, /SHA-256/],
  ])('refuses %s, storing nothing', async (_what, opts, status, message) => {
    const before = await evidenceRows();
    const bytes = Buffer.concat([tinyPng, Buffer.from(String(Math.random()))]);
    const res = await upload(bytes, opts);
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(message);
    expect(await evidenceRows()).toBe(before);
  });

  it('refuses an oversized image', async () => {
    const big = Buffer.concat([tinyPng, Buffer.alloc(maxEvidenceBytes)]);
    const res = await upload(big);
    expect(res.status).toBe(413);
  });

  it('refuses a forged device, a staff session, and no credentials', async () => {
    expect((await upload(tinyPng, { auth: `Device ${device.deviceId}:hdc_${'x'.repeat(40)}` })).status).toBe(
      401,
    );
    expect((await upload(tinyPng, { auth: null })).status).toBe(401);
    const asStaff = await admin.request(
      'POST',
      `/api/agent/evidence?sha256=${sha256Of(tinyPng)}`,
      undefined,
      {
        headers: { 'content-type': 'image/png' },
      },
    );
    expect(asStaff.status).toBe(403);
  });

  it('a file changed on disk is detected on read and never served', async () => {
    const bytes = Buffer.concat([tinyPng, Buffer.from('tamper-test')]);
    expect((await upload(bytes)).status).toBe(201);
    const sha = sha256Of(bytes);
    const file = evidencePath(harbour.evidenceDir, sha, 'image/png');
    fs.chmodSync(file, 0o600);
    fs.appendFileSync(file, 'edited');
    await expect(readEvidence(harbour.db, harbour.evidenceDir, sha)).rejects.toThrow(EvidenceTampered);
  });
});

describe('screen capture on a real X display', () => {
  let x: XDisplay;
  beforeAll(async () => {
    x = await XDisplay.start('1024x640');
  });
  afterAll(() => x.stop());

  it('captures every display, keeps it until uploaded, and the server holds the same bytes', async () => {
    // node-screenshots reads DISPLAY when it connects; run the capture in a child so it uses Xvfb.
    const { execFileSync } = await import('node:child_process');
    const dataDir = tempDir('capture');
    const script = `
      import { captureDisplays } from '${path.resolve('agent/dist/platform/capture.js')}';
      import { EvidenceStore } from '${path.resolve('agent/dist/core/evidence.js')}';
      const shots = await captureDisplays();
      const store = new EvidenceStore(${JSON.stringify(dataDir)});
      console.log(JSON.stringify(shots.map((s) => ({ display: s.display, ref: store.save(s.png, 'image/png') }))));
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      env: x.env,
    }).toString();
    const shots = JSON.parse(out) as {
      display: { width: number; height: number };
      ref: { sha256: string; mime: 'image/png'; bytes: number };
    }[];
    expect(shots).toHaveLength(1);
    expect(shots[0]?.display).toMatchObject({ width: 1024, height: 640 });
    const ref = shots[0]!.ref;
    const store = new EvidenceStore(dataDir);
    const bytes = store.read(ref);
    expect(bytes?.subarray(0, 4).toString('latin1')).toBe('\x89PNG');

    const result = await uploadEvidence(
      {
        serverUrl: harbour.url,
        deviceId: device.deviceId,
        credential: device.credential,
        roomId: '',
        enrolledAt: '',
      },
      ref,
      bytes!,
    );
    expect(result).toEqual({ ok: true });
    const stored = await readEvidence(harbour.db, harbour.evidenceDir, ref.sha256);
    expect(stored?.bytes.equals(bytes!)).toBe(true);
  });
});
