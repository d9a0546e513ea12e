import { describe, expect, it } from 'vitest';
import { serverWarnings, type DeviceFacts } from './health.js';

const settings = { staleDays: 7, expectedAgentVersion: '0.2.0', extensionSilentHours: 24 };
const now = new Date('2026-03-10T12:00:00Z');
const base: DeviceFacts = {
  online: false,
  lastSeen: '2026-03-10T11:00:00Z',
  enrolledAt: '2026-01-01T09:00:00Z',
  agentVersion: '0.2.0',
  revoked: false,
};
const codes = (device: Partial<DeviceFacts>, extension: Parameters<typeof serverWarnings>[1] = null) =>
  serverWarnings({ ...base, ...device }, extension, settings, now).map((w) => w.code);

describe('server-side health warnings', () => {
  it('none for a healthy device', () => {
    expect(codes({})).toEqual([]);
  });

  it('not seen for N days, or never connected since enrolment', () => {
    expect(codes({ lastSeen: '2026-03-04T12:00:01Z' })).toEqual([]);
    expect(codes({ lastSeen: '2026-03-03T12:00:00Z' })).toEqual(['device.not_seen']);
    expect(codes({ lastSeen: '2026-01-03T12:00:00Z', online: true })).toEqual([]);
    const never = serverWarnings({ ...base, lastSeen: null }, null, settings, now);
    expect(never[0]?.message).toMatch(/^Never connected since it was enrolled 68 days ago/);
  });

  it('an agent older than expected, or with a version that is not one', () => {
    expect(codes({ agentVersion: '0.1.9' })).toEqual(['agent.outdated']);
    expect(codes({ agentVersion: '0.10.0' })).toEqual([]);
    expect(codes({ agentVersion: 'banana' })).toEqual(['agent.outdated']);
  });

  it('an extension that does not report (only when the extension feature knows)', () => {
    expect(codes({}, { reporting: false, lastReport: null })).toEqual(['extension.not_reporting']);
    expect(codes({}, { reporting: true, lastReport: '2026-03-10T11:00:00Z' })).toEqual([]);
  });

  it('nothing for a revoked device', () => {
    expect(codes({ revoked: true, lastSeen: null, agentVersion: '0.0.1' })).toEqual([]);
  });
});
