import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAgentConfig } from './index.js';
import { resolveConfig } from './resolve.js';
import {
  jsonFileSource,
  machinePaths,
  parseRegQuery,
  registryPolicySource,
  valuesSource,
} from './sources.js';

const defaults = { dataDir: '/var/lib/harbour-test' };

function tempRoot(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'harbour-config-'));
}

function write(root: string, rel: string, content: string): string {
  const file = path.join(root, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
}

describe('settings precedence', () => {
  it('takes the command line over policy over the config file over defaults, key by key', async () => {
    const root = tempRoot();
    write(
      root,
      'etc/harbour/config.json',
      JSON.stringify({ serverUrl: 'http://file.test', heartbeatSeconds: 10, logLevel: 'debug' }),
    );
    write(
      root,
      'etc/harbour/policy.json',
      JSON.stringify({ serverUrl: 'https://policy.test/x', heartbeatSeconds: 20 }),
    );
    const config = await loadAgentConfig({
      commandLine: { heartbeatSeconds: 5 },
      platform: 'linux',
      root,
      defaults,
    });
    expect(config.problems).toEqual([]);
    expect(config.values).toMatchObject({
      serverUrl: 'https://policy.test',
      heartbeatSeconds: 5,
      logLevel: 'debug',
      dataDir: '/var/lib/harbour-test',
    });
    expect(config.origin.serverUrl).toMatch(/^policy/);
    expect(config.origin.heartbeatSeconds).toBe('the command line');
    expect(config.origin.logLevel).toMatch(/^config file/);
    expect(config.origin.dataDir).toBe('default');
  });

  it('with no files at all uses the defaults and reports nothing', async () => {
    const config = await loadAgentConfig({ platform: 'linux', root: tempRoot(), defaults });
    expect(config.problems).toEqual([]);
    expect(config.values.serverUrl).toBeUndefined();
    expect(config.values.heartbeatSeconds).toBe(30);
    expect(config.values.logLevel).toBe('info');
  });
});

describe('bad settings are reported and the rest still applies', () => {
  it('a config file that is not JSON is ignored with a clear problem', async () => {
    const root = tempRoot();
    write(root, 'etc/harbour/config.json', '{ "serverUrl": "http://x.test", ');
    write(root, 'etc/harbour/policy.json', JSON.stringify({ logLevel: 'warn' }));
    const config = await loadAgentConfig({ platform: 'linux', root, defaults });
    expect(config.values.logLevel).toBe('warn');
    expect(config.values.serverUrl).toBeUndefined();
    expect(config.problems).toHaveLength(1);
    expect(config.problems[0]).toMatchObject({ code: 'config.bad_json' });
    expect(config.problems[0]?.message).toMatch(/config\.json\) is not valid JSON and was ignored/);
  });

  it('a JSON array or string instead of an object is refused', async () => {
    const root = tempRoot();
    write(root, 'etc/harbour/config.json', '["serverUrl"]');
    const config = await loadAgentConfig({ platform: 'linux', root, defaults });
    expect(config.problems[0]).toMatchObject({ code: 'config.bad_json' });
    expect(config.problems[0]?.message).toMatch(/one JSON object/);
  });

  it('unknown keys are named and ignored; known ones still apply', async () => {
    const root = tempRoot();
    write(
      root,
      'etc/harbour/config.json',
      JSON.stringify({ serverUrl: 'http://a.test', serverURL: 'typo', '<b>x</b>': 1 }),
    );
    const config = await loadAgentConfig({ platform: 'linux', root, defaults });
    expect(config.values.serverUrl).toBe('http://a.test');
    expect(config.problems.map((p) => p.code).sort()).toEqual([
      'config.unknown_key._b_x__b_',
      'config.unknown_key.serverurl',
    ]);
    expect(config.problems.find((p) => p.key === 'serverURL')?.message).toMatch(
      /unknown setting "serverURL" was ignored/,
    );
  });

  it('a wrong type falls through to the next source, or the default', async () => {
    const root = tempRoot();
    write(
      root,
      'etc/harbour/policy.json',
      JSON.stringify({ heartbeatSeconds: '15', serverUrl: 'ftp://nope' }),
    );
    write(root, 'etc/harbour/config.json', JSON.stringify({ serverUrl: 'http://good.test:8080/' }));
    const config = await loadAgentConfig({ platform: 'linux', root, defaults });
    expect(config.values.heartbeatSeconds).toBe(30);
    expect(config.values.serverUrl).toBe('http://good.test:8080');
    const codes = config.problems.map((p) => p.code).sort();
    expect(codes).toEqual(['config.invalid.heartbeatSeconds', 'config.invalid.serverUrl']);
    const heartbeat = config.problems.find((p) => p.key === 'heartbeatSeconds');
    expect(heartbeat?.message).toMatch(/heartbeatSeconds must be a whole number \(got "15"\)/);
  });

  it('never echoes a huge value in full', async () => {
    const config = await resolveConfig([valuesSource('test', { logLevel: 'x'.repeat(10_000) })], defaults);
    expect(config.problems[0]?.message.length).toBeLessThan(400);
  });

  it('an unreadable file is a problem, not a crash', async () => {
    const root = tempRoot();
    fs.mkdirSync(path.join(root, 'etc/harbour/config.json'), { recursive: true }); // a folder, not a file
    const config = await resolveConfig(
      [jsonFileSource('config file', path.join(root, 'etc/harbour/config.json'))],
      defaults,
    );
    expect(config.problems[0]).toMatchObject({ code: 'config.unreadable' });
  });
});

describe('Windows policy from the registry', () => {
  const output = [
    '',
    'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Harbour',
    '    serverUrl    REG_SZ    https://harbour.school.local',
    '    heartbeatSeconds    REG_DWORD    0x3c',
    '    logLevel    REG_SZ    warn',
    '    odd    REG_BINARY    00FF',
    '',
  ].join('\r\n');

  it('parses reg query output', () => {
    expect(parseRegQuery(output)).toEqual({
      serverUrl: 'https://harbour.school.local',
      heartbeatSeconds: 60,
      logLevel: 'warn',
      odd: { unsupportedType: 'REG_BINARY' },
    });
  });

  it('reads policy values with the right types; a missing key is no policy', async () => {
    let asked: string[] = [];
    const source = registryPolicySource((args) => {
      asked = args;
      return Promise.resolve({ code: 0, stdout: output, stderr: '' });
    });
    const read = await source.read();
    expect(asked).toEqual(['query', 'HKLM\\SOFTWARE\\Policies\\Harbour', '/reg:64']);
    expect(read.values.heartbeatSeconds).toBe(60);
    const missing = registryPolicySource(() =>
      Promise.resolve({
        code: 1,
        stdout: '',
        stderr: 'ERROR: The system was unable to find the specified registry key or value.',
      }),
    );
    expect(await missing.read()).toEqual({ values: {}, problems: [] });
    const denied = registryPolicySource(() =>
      Promise.resolve({ code: 1, stdout: '', stderr: 'ERROR: Access is denied.' }),
    );
    expect((await denied.read()).problems[0]?.message).toMatch(/Access is denied/);
  });

  it('puts the config file under ProgramData', () => {
    expect(machinePaths('win32', '/', { ProgramData: 'D:\\PD' }).configFile).toBe(
      'D:\\PD\\Harbour\\config.json',
    );
    expect(machinePaths('darwin').configFile).toBe('/Library/Application Support/Harbour/config.json');
    expect(machinePaths('linux').configFile).toBe('/etc/harbour/config.json');
  });
});
