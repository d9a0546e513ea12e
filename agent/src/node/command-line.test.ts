import { describe, expect, it } from 'vitest';
import { settingsFromCommandLine } from './command-line.js';

class Refused extends Error {}
const fail = (message: string): never => {
  throw new Refused(message);
};

describe('settings from the command line', () => {
  it('checks each value by its schema and names the flag', () => {
    expect(settingsFromCommandLine({ heartbeat: '15', name: 'PUPIL-PC-01' }, fail, () => true)).toEqual({
      heartbeatSeconds: 15,
      deviceName: 'PUPIL-PC-01',
    });
    expect(() => settingsFromCommandLine({ heartbeat: 'often' }, fail, () => true)).toThrow(
      /^--heartbeat .*, got "often"$/,
    );
  });

  it('never echoes the enrolment token in its refusal', () => {
    const secret = 'x'.repeat(200);
    let message = '';
    try {
      settingsFromCommandLine({ enroll: secret }, fail, () => true);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^--enroll must be at most 128 characters$/);
    expect(message).not.toContain('xxxx');
  });

  it('takes an empty value as not given only where the caller says so', () => {
    expect(settingsFromCommandLine({ server: '' }, fail, (key) => key !== 'serverUrl')).toEqual({});
    expect(() => settingsFromCommandLine({ 'data-dir': '' }, fail, () => true)).toThrow(
      /^--data-dir must not be empty/,
    );
    expect(settingsFromCommandLine({ 'data-dir': '' }, fail, () => false)).toEqual({});
  });
});
