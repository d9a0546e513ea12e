import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DOMParser } from '@xmldom/xmldom';
import { describe, expect, it } from 'vitest';
import { applyInstall, readRecord, uninstall } from './apply.js';
import { InstallError, nativeHostName, planInstall } from './plan.js';
import { windowsPrivateFileAcl, type FileSecurity } from './acl.js';
import { entryName, regArgs, type RegistryWriter } from './registry.js';
import { autostartDesktopEntry, desktopExecArg, systemdExecArg } from './templates.js';

const extension = {
  id: 'poemjonjpfaafjpefkaahnhhhooakmkl',
  updateUrl: 'https://harbour.school.test/extension/update.xml',
};
const settings = { serverUrl: 'https://harbour.school.test/', enrolmentToken: 'het_secret' };

/** A registry kept in memory: the same interface as reg.exe, for the Windows plan's bookkeeping. */
function memoryRegistry(): RegistryWriter & { data: Map<string, Map<string, string>> } {
  const data = new Map<string, Map<string, string>>();
  return {
    data,
    values: (key) => Promise.resolve(Object.fromEntries(data.get(key) ?? [])),
    set(key, name, _type, value) {
      const values = data.get(key) ?? new Map<string, string>();
      values.set(name ?? '(default)', value);
      data.set(key, values);
      return Promise.resolve();
    },
    delete(key, name) {
      if (name === undefined) data.delete(key);
      else data.get(key)?.delete(name ?? '(default)');
      return Promise.resolve();
    },
  };
}

const tempRoot = () => fs.mkdtempSync(path.join(os.tmpdir(), 'harbour-plan-'));

function listFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

function texts(doc: Document, tag: string): (string | null)[] {
  const list = doc.getElementsByTagName(tag);
  return Array.from({ length: list.length }, (_, i) => list.item(i)?.textContent ?? null);
}

function wellFormedXml(text: string): Document {
  const errors: string[] = [];
  const doc = new DOMParser({
    // xmldom reports structural mistakes (unclosed or mismatched tags) as warnings: count them all.
    errorHandler: (_level: string, msg: string) => void errors.push(msg),
  }).parseFromString(text, 'text/xml');
  expect(errors).toEqual([]);
  return doc;
}

describe('the Linux plan', () => {
  const plan = planInstall({ platform: 'linux', settings, extension });
  const byPath = new Map(plan.files.map((f) => [f.path, f]));

  it('writes the config file, autostart entry, native host for three browsers and their policies', () => {
    expect([...byPath.keys()].sort()).toEqual([
      '/etc/chromium/native-messaging-hosts/uk.harbour.agent.json',
      '/etc/chromium/policies/managed/harbour.json',
      '/etc/harbour/config.json',
      '/etc/opt/chrome/native-messaging-hosts/uk.harbour.agent.json',
      '/etc/opt/chrome/policies/managed/harbour.json',
      '/etc/opt/edge/native-messaging-hosts/uk.harbour.agent.json',
      '/etc/opt/edge/policies/managed/harbour.json',
      '/etc/systemd/system/harbour-agent.service',
      '/etc/xdg/autostart/harbour.desktop',
    ]);
    expect(plan.registry).toEqual([]);
    expect(JSON.parse(byPath.get('/etc/harbour/config.json')?.content ?? '')).toEqual({
      serverUrl: 'https://harbour.school.test',
      enrolmentToken: 'het_secret',
    });
    expect(JSON.parse(byPath.get('/etc/opt/chrome/policies/managed/harbour.json')?.content ?? '')).toEqual({
      ExtensionInstallForcelist: [`${extension.id};${extension.updateUrl}`],
    });
    const host = JSON.parse(
      byPath.get('/etc/opt/edge/native-messaging-hosts/uk.harbour.agent.json')?.content ?? '',
    ) as {
      name: string;
      path: string;
      allowed_origins: string[];
    };
    expect(host.name).toBe(nativeHostName);
    expect(host.path.startsWith('/opt/Harbour/')).toBe(true);
    expect(host.allowed_origins).toEqual([`chrome-extension://${extension.id}/`]);
    expect(byPath.get('/etc/xdg/autostart/harbour.desktop')?.content).toContain(
      'Exec=/opt/Harbour/resources/harbour-agent session\n',
    );
  });

  it('keeps the config file (server URL and token) to root alone', () => {
    const config = byPath.get('/etc/harbour/config.json');
    expect(config?.mode).toBe(0o600);
    expect(config?.private).toBe(true);
    // Nothing else the plan writes is private: browsers and sessions read those files.
    expect(plan.files.filter((f) => f.private).map((f) => f.path)).toEqual(['/etc/harbour/config.json']);
  });

  it('runs the machine service from a systemd system unit that outlives its helpers and always comes back', () => {
    const unit = byPath.get('/etc/systemd/system/harbour-agent.service')?.content ?? '';
    const lines = unit.split('\n');
    expect(lines).toContain('ExecStart=/opt/Harbour/resources/harbour-agent service --aup on --help-badge');
    expect(lines).toContain('KillMode=process');
    expect(lines).toContain('Restart=always');
    expect(lines).toContain('WantedBy=multi-user.target');
    expect(byPath.get('/etc/systemd/system/harbour-agent.service')?.mode).toBe(0o644);
    // An install directory with a space, a percent or a dollar stays one literal word.
    const odd = planInstall({ platform: 'linux', installDir: '/opt/My 100% $HOME', extension: null });
    expect(odd.files.find((f) => f.path.endsWith('.service'))?.content).toContain(
      'ExecStart="/opt/My 100%% $$HOME/resources/harbour-agent" service',
    );
  });

  it('leaves browser policies out when the school manages browsers, and browsers alone without an extension', () => {
    const noPolicy = planInstall({ platform: 'linux', settings, extension, browserPolicy: false });
    expect(noPolicy.files.some((f) => f.path.includes('/policies/'))).toBe(false);
    expect(noPolicy.files.some((f) => f.path.includes('native-messaging-hosts'))).toBe(true);
    const none = planInstall({ platform: 'linux', settings, extension: null });
    expect(none.files.map((f) => f.path)).toEqual([
      '/etc/harbour/config.json',
      '/etc/systemd/system/harbour-agent.service',
      '/etc/xdg/autostart/harbour.desktop',
    ]);
  });

  it('keeps keys a technician added to an existing config file', () => {
    const p = planInstall({
      platform: 'linux',
      settings: { serverUrl: 'http://new.test' },
      existingConfig: { serverUrl: 'http://old.test', logLevel: 'debug' },
      extension: null,
    });
    expect(JSON.parse(p.files[0]?.content ?? '')).toEqual({
      serverUrl: 'http://new.test',
      logLevel: 'debug',
    });
  });
});

describe('bad installer input is refused and nothing is planned', () => {
  it.each([
    [{ settings: { serverUrl: 'harbour.school.test' } }, /serverUrl must be an http/],
    [{ settings: { enrolmentToken: 'x'.repeat(500) } }, /enrolmentToken must be at most 128/],
    [{ settings: { colour: 'blue' } }, /unknown setting "colour"/],
    [{ extension: { id: 'not-an-id', updateUrl: 'https://x.test/u.xml' } }, /32 letters a to p/],
    [{ extension: { id: extension.id, updateUrl: 'javascript:alert(1)' } }, /update URL must be an http/],
    [
      {
        nativeHostManifest: {
          name: 'evil',
          description: '',
          path: '/tmp/x',
          type: 'stdio' as const,
          allowed_origins: [],
        },
      },
      /must be named uk.harbour.agent/,
    ],
  ])('%o', (extra, message) => {
    expect(() => planInstall({ platform: 'linux', settings, extension, ...extra })).toThrow(InstallError);
    expect(() => planInstall({ platform: 'linux', settings, extension, ...extra })).toThrow(message);
  });
});

describe('the macOS plan', () => {
  const plan = planInstall({ platform: 'darwin', settings, extension });

  it('writes a LaunchAgent that starts the app in every graphical session and keeps it running', () => {
    const agent = plan.files.find((f) => f.path === '/Library/LaunchAgents/uk.org.harbour.agent.plist');
    const doc = wellFormedXml(agent?.content ?? '');
    const strings = texts(doc, 'string');
    expect(strings).toContain('/Applications/Harbour.app/Contents/MacOS/Harbour');
    expect(strings).toContain('Aqua');
    expect(agent?.content).toMatch(/<key>KeepAlive<\/key>\s*<true\/>/);
    expect(agent?.content).toMatch(/<key>RunAtLoad<\/key>\s*<true\/>/);
  });

  it('writes a LaunchDaemon that runs the machine service as root from boot and keeps it running', () => {
    const daemon = plan.files.find((f) => f.path === '/Library/LaunchDaemons/uk.org.harbour.service.plist');
    const doc = wellFormedXml(daemon?.content ?? '');
    expect(texts(doc, 'string').slice(1, 6)).toEqual([
      '/Applications/Harbour.app/Contents/Resources/harbour-agent',
      'service',
      '--aup',
      'on',
      '--help-badge',
    ]);
    expect(daemon?.content).toMatch(/<key>KeepAlive<\/key>\s*<true\/>/);
    expect(daemon?.content).toMatch(/<key>RunAtLoad<\/key>\s*<true\/>/);
    // A LaunchDaemon has no UserName: launchd runs it as root.
    expect(daemon?.content).not.toContain('UserName');
    const config = plan.files.find((f) => f.path.endsWith('config.json'));
    expect(config).toMatchObject({ mode: 0o600, private: true });
  });

  it('writes the config under Application Support and managed preferences for Chrome and Edge', () => {
    const paths = plan.files.map((f) => f.path);
    expect(paths).toContain('/Library/Application Support/Harbour/config.json');
    expect(paths).toContain('/Library/Google/Chrome/NativeMessagingHosts/uk.harbour.agent.json');
    const chrome = plan.files.find((f) => f.path === '/Library/Managed Preferences/com.google.Chrome.plist');
    const doc = wellFormedXml(chrome?.content ?? '');
    expect(texts(doc, 'string')).toEqual([`${extension.id};${extension.updateUrl}`]);
  });
});

describe('the Windows plan', () => {
  const plan = planInstall({ platform: 'win32', settings, extension, programData: 'C:\\ProgramData' });

  it('writes the config to ProgramData and lists the registry values for the installer', () => {
    expect(plan.files.map((f) => f.path)).toEqual([
      'C:\\ProgramData\\Harbour\\config.json',
      'C:\\ProgramData\\Harbour\\uk.harbour.agent.json',
    ]);
    expect(plan.registry.map((r) => r.key)).toEqual([
      'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run',
      'HKLM\\SOFTWARE\\Google\\Chrome\\NativeMessagingHosts\\uk.harbour.agent',
      'HKLM\\SOFTWARE\\Policies\\Google\\Chrome\\ExtensionInstallForcelist',
      'HKLM\\SOFTWARE\\Microsoft\\Edge\\NativeMessagingHosts\\uk.harbour.agent',
      'HKLM\\SOFTWARE\\Policies\\Microsoft\\Edge\\ExtensionInstallForcelist',
    ]);
    expect(plan.registry[0]).toMatchObject({
      name: 'Harbour',
      data: '"C:\\Program Files\\Harbour\\Harbour.exe"',
    });
    expect(plan.registry[1]).toMatchObject({
      name: null,
      data: 'C:\\ProgramData\\Harbour\\uk.harbour.agent.json',
    });
    expect(plan.files[0]?.private).toBe(true);
    expect(plan.files[1]?.private).toBeUndefined();
  });

  it('makes the config file private before a byte of it is written, with an ACL for SYSTEM and Administrators', async () => {
    const root = tempRoot();
    const seen: { file: string; size: number }[] = [];
    const security: FileSecurity = {
      restrict(file) {
        seen.push({ file, size: fs.statSync(file).size });
        return Promise.resolve();
      },
    };
    await applyInstall(root, plan, memoryRegistry(), new Date(), security);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.size).toBe(0);
    expect(path.basename(seen[0]?.file ?? '')).toMatch(/^config\.json\.\d+\.tmp$/);
    expect(JSON.parse(fs.readFileSync(path.join(root, 'ProgramData/Harbour/config.json'), 'utf8'))).toEqual({
      serverUrl: 'https://harbour.school.test',
      enrolmentToken: 'het_secret',
    });
    // A failure to restrict it leaves no settings behind.
    const failing: FileSecurity = { restrict: () => Promise.reject(new Error('icacls failed')) };
    const fresh = tempRoot();
    await expect(applyInstall(fresh, plan, memoryRegistry(), new Date(), failing)).rejects.toThrow(/icacls/);
    expect(listFiles(fresh)).toEqual([]);
  });

  it('builds the icacls arguments: no inheritance, SYSTEM and Administrators by SID, nobody else', () => {
    expect(windowsPrivateFileAcl('C:\\ProgramData\\Harbour\\config.json')).toEqual([
      'C:\\ProgramData\\Harbour\\config.json',
      '/inheritance:r',
      '/grant:r',
      '*S-1-5-18:F',
      '/grant:r',
      '*S-1-5-32-544:F',
      '/Q',
    ]);
  });

  it("adds the extension to an existing force-install list without disturbing the school's entries", async () => {
    const registry = memoryRegistry();
    const key = 'HKLM\\SOFTWARE\\Policies\\Google\\Chrome\\ExtensionInstallForcelist';
    await registry.set(
      key,
      '1',
      'REG_SZ',
      'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa;https://clients2.google.com/service/update2/crx',
    );
    await registry.set(
      key,
      '2',
      'REG_SZ',
      'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb;https://clients2.google.com/service/update2/crx',
    );
    const entry = plan.registry.find((r) => r.key === key);
    if (!entry) throw new Error('no forcelist entry');
    expect(await entryName(registry, entry)).toBe('3');
    await registry.set(key, '3', 'REG_SZ', entry.data);
    expect(await entryName(registry, entry)).toBe('3'); // a re-install reuses its own entry
  });

  it('applies and uninstalls exactly what it wrote, leaving other values alone', async () => {
    const root = tempRoot();
    const registry = memoryRegistry();
    const key = 'HKLM\\SOFTWARE\\Policies\\Microsoft\\Edge\\ExtensionInstallForcelist';
    await registry.set(
      key,
      '1',
      'REG_SZ',
      'cccccccccccccccccccccccccccccccc;https://edge.microsoft.com/extensionwebstorebase/v1/crx',
    );
    const record = await applyInstall(root, plan, registry);
    expect(listFiles(root)).toEqual([
      'ProgramData/Harbour/config.json',
      'ProgramData/Harbour/install-record.json',
      'ProgramData/Harbour/uk.harbour.agent.json',
    ]);
    expect(registry.data.get('HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run')?.get('Harbour')).toBe(
      '"C:\\Program Files\\Harbour\\Harbour.exe"',
    );
    expect(registry.data.get(key)?.get('2')).toBe(`${extension.id};${extension.updateUrl}`);
    expect(readRecord(root, plan.machineDir)).toEqual(record);

    const result = await uninstall(root, 'win32', { registry, programData: 'C:\\ProgramData' });
    expect(result.hadRecord).toBe(true);
    expect(listFiles(root)).toEqual([]);
    expect(fs.readdirSync(root)).toEqual([]);
    expect(registry.data.get('HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run')?.has('Harbour')).toBe(
      false,
    );
    expect(registry.data.has('HKLM\\SOFTWARE\\Google\\Chrome\\NativeMessagingHosts\\uk.harbour.agent')).toBe(
      false,
    );
    expect([...(registry.data.get(key)?.keys() ?? [])]).toEqual(['1']);
  });

  it('builds reg.exe arguments for the 64-bit view, default values included', () => {
    expect(regArgs.add('HKLM\\K', null, 'REG_SZ', 'C:\\x y\\a.json')).toEqual([
      'add',
      'HKLM\\K',
      '/ve',
      '/t',
      'REG_SZ',
      '/d',
      'C:\\x y\\a.json',
      '/f',
      '/reg:64',
    ]);
    expect(regArgs.delete('HKLM\\K', 'Harbour')).toEqual([
      'delete',
      'HKLM\\K',
      '/v',
      'Harbour',
      '/f',
      '/reg:64',
    ]);
    expect(regArgs.delete('HKLM\\K')).toEqual(['delete', 'HKLM\\K', '/f', '/reg:64']);
  });
});

describe('re-installing and uninstalling on Linux', () => {
  it('a second install replaces files in place; turning policies off removes them; uninstall leaves nothing', async () => {
    const root = tempRoot();
    fs.mkdirSync(path.join(root, 'etc/opt/chrome/policies/managed'), { recursive: true });
    fs.writeFileSync(
      path.join(root, 'etc/opt/chrome/policies/managed/school.json'),
      '{"HomepageLocation":"https://school.test"}',
    );
    await applyInstall(root, planInstall({ platform: 'linux', settings, extension }));
    await applyInstall(root, planInstall({ platform: 'linux', settings, extension, browserPolicy: false }));
    expect(listFiles(root).filter((f) => f.includes('policies'))).toEqual([
      'etc/opt/chrome/policies/managed/school.json',
    ]);
    expect(fs.statSync(path.join(root, 'etc/harbour/config.json')).mode & 0o777).toBe(0o600);
    await uninstall(root, 'linux');
    // The school's own policy file, and the folders it lives in, are untouched.
    expect(listFiles(root)).toEqual(['etc/opt/chrome/policies/managed/school.json']);
  });

  it('uninstall without a record changes nothing', async () => {
    const root = tempRoot();
    const result = await uninstall(root, 'linux');
    expect(result).toEqual({ removedFiles: [], removedRegistry: [], removedDirs: [], hadRecord: false });
  });
});

describe('systemd command-line quoting', () => {
  it('leaves plain words alone and quotes, escapes and doubles what systemd would read otherwise', () => {
    expect(systemdExecArg('/opt/Harbour/resources/harbour-agent')).toBe(
      '/opt/Harbour/resources/harbour-agent',
    );
    expect(systemdExecArg('/opt/a b')).toBe('"/opt/a b"');
    expect(systemdExecArg('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(systemdExecArg('100%')).toBe('100%%');
    expect(systemdExecArg('$HOME')).toBe('$$HOME');
    expect(systemdExecArg('a;b')).toBe('"a;b"');
    expect(systemdExecArg('')).toBe('""');
  });
});

describe('desktop entry quoting', () => {
  it('quotes paths with spaces and escapes the characters the spec reserves', () => {
    expect(desktopExecArg('/opt/Harbour/harbour')).toBe('/opt/Harbour/harbour');
    expect(desktopExecArg('/opt/My Apps/harbour')).toBe('"/opt/My Apps/harbour"');
    expect(desktopExecArg('/opt/$x"y`z\\w')).toBe('"/opt/\\$x\\"y\\`z\\\\w"');
    // In the file, backslashes are escaped once more (string value escaping).
    expect(autostartDesktopEntry('/opt/a\\b c/harbour')).toContain('Exec="/opt/a\\\\\\\\b c/harbour"\n');
  });
});
