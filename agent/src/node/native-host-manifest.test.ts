import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  harbourExtensionId,
  installNativeHost,
  nativeHostManifestDir,
  nativeHostName,
} from './native-host-manifest.js';

const extensionDir = new URL('../../../extension/', import.meta.url);

describe('native messaging host registration', () => {
  it('the pinned extension ID is the one the manifest key gives', () => {
    const manifest = JSON.parse(fs.readFileSync(new URL('manifest.json', extensionDir), 'utf8')) as {
      key: string;
    };
    const hash = createHash('sha256').update(Buffer.from(manifest.key, 'base64')).digest('hex').slice(0, 32);
    const id = [...hash].map((c) => String.fromCharCode(97 + parseInt(c, 16))).join('');
    expect(id).toBe(harbourExtensionId);
  });

  it('writes a manifest naming only Harbour’s extension, and a launcher that runs the host', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'harbour-nmh-'));
    const { manifestPath, launcherPath } = installNativeHost({
      browser: 'chromium',
      manifestDir: dir,
      hostScript: '/opt/harbour/native-host.js',
    });
    const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as Record<string, unknown>;
    expect(path.basename(manifestPath)).toBe(`${nativeHostName}.json`);
    expect(manifest).toEqual({
      name: nativeHostName,
      description: expect.any(String) as unknown,
      path: launcherPath,
      type: 'stdio',
      allowed_origins: [`chrome-extension://${harbourExtensionId}/`],
    });
    expect(fs.statSync(launcherPath).mode & 0o111).not.toBe(0);
    expect(fs.readFileSync(launcherPath, 'utf8')).toContain("'/opt/harbour/native-host.js'");
    fs.rmSync(dir, { recursive: true });
  });

  it('knows where each browser looks', () => {
    expect(nativeHostManifestDir('chrome', 'system', 'linux')).toBe('/etc/opt/chrome/native-messaging-hosts');
    expect(nativeHostManifestDir('chromium', 'user', 'linux', '/home/p')).toBe(
      '/home/p/.config/chromium/NativeMessagingHosts',
    );
    expect(nativeHostManifestDir('edge', 'system', 'darwin')).toBe(
      '/Library/Microsoft/Edge/NativeMessagingHosts',
    );
  });
});
