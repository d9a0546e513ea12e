import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CorruptCredentialsError, credentialsPath, loadCredentials, saveCredentials } from './credentials.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'harbour-cred-'));
const sample = () => ({
  serverUrl: 'http://harbour.test:8080',
  deviceId: randomUUID(),
  credential: 'hdc_' + 'a'.repeat(43),
  roomId: randomUUID(),
  enrolledAt: new Date().toISOString(),
});

describe('credentials', () => {
  it('round-trips and is readable by its owner only', () => {
    const d = tmp();
    const c = sample();
    saveCredentials(d, c);
    expect(loadCredentials(d)).toEqual(c);
    expect(fs.statSync(credentialsPath(d)).mode & 0o777).toBe(0o600);
  });

  it('is undefined before enrolment', () => {
    expect(loadCredentials(tmp())).toBeUndefined();
  });

  it('reports a corrupt file clearly instead of enrolling again silently', () => {
    const d = tmp();
    fs.writeFileSync(credentialsPath(d), '{ not json');
    expect(() => loadCredentials(d)).toThrow(CorruptCredentialsError);
    fs.writeFileSync(credentialsPath(d), JSON.stringify({ ...sample(), deviceId: 'x' }));
    expect(() => loadCredentials(d)).toThrow(/deviceId/);
  });
});
