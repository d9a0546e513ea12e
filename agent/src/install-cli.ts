#!/usr/bin/env node
/**
 * harbour-agent-install: writes (or removes) everything Harbour needs outside its own
 * folder. The Windows installers (NSIS and MSI), the deb's after-install script and the
 * macOS pkg's postinstall run it as root/SYSTEM; technicians can run it by hand too.
 *
 *   harbour-agent-install install --server https://harbour.school.local --token-file /root/harbour-token
 *   harbour-agent-install uninstall
 *   harbour-agent-install plan --platform win32 --server …     (prints what would be written)
 *
 * Installed apps run it with their own runtime:
 *   ELECTRON_RUN_AS_NODE=1 <app executable> <resources>/app.asar/dist/install-cli.js …
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { localPath, applyInstall, uninstall } from './node/install/apply.js';
import { readSecretFile, readSecretStdin, scrubCommandLine } from './node/secrets.js';
import { extensionUpdateUrl, harbourExtensionId } from './node/install/extension.js';
import { InstallError, machineDir, planInstall, type InstallOptions } from './node/install/plan.js';
import type { NativeHostManifest, TargetPlatform } from './node/install/types.js';

const usage = `Usage: harbour-agent-install <install|uninstall|plan> [options]

  --server <url>               Harbour server URL to write to the config file
                               (or the HARBOUR_SERVER_URL environment variable)
  --token-file <file>          read the enrolment token to write to the config file from a
                               file only its owner can read (chmod 600); or --token - to read
                               it from standard input, or HARBOUR_ENROLMENT_TOKEN
  --token <token>              the token itself: other local users can read a command line,
                               so use this only on a computer nobody else is signed in to
  --install-dir <dir>          where the app is installed (default: the platform's usual place)
  --extension-id <id>          the browser extension to force-install (default: Harbour's)
  --extension-update-url <url> where browsers fetch it (default: <server>/extension/update.xml)
  --native-host-manifest <file> the native messaging host manifest to register (JSON)
  --no-browser-policy          do not write Chrome/Edge policies (the school manages browsers)
  --no-extension               neither register the native host nor write browser policies
  --purge                      uninstall: also remove the machine-wide folder and its contents
  --root <dir>                 write under <dir> instead of / (staging, tests)
  --platform <linux|darwin|win32>  target platform (default: this one)
  --help                       show this help

Exit codes: 0 done, 2 bad input (nothing was written), 1 failed.`;

function fail(message: string, code = 2): never {
  console.error(`harbour-agent-install: ${message}`);
  process.exit(code);
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      strict: true,
      options: {
        server: { type: 'string' },
        token: { type: 'string' },
        'token-file': { type: 'string' },
        'install-dir': { type: 'string' },
        'extension-id': { type: 'string' },
        'extension-update-url': { type: 'string' },
        'native-host-manifest': { type: 'string' },
        'no-browser-policy': { type: 'boolean', default: false },
        'no-extension': { type: 'boolean', default: false },
        purge: { type: 'boolean', default: false },
        root: { type: 'string', default: '/' },
        platform: { type: 'string', default: process.platform },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    fail(`${(error as Error).message}\n\n${usage}`);
  }
  const { values, positionals } = parsed;
  // Before anything slow: a token typed on the command line must not stay readable in /proc.
  scrubCommandLine(['--token']);
  try {
    // An empty --token-file is the MSI's way of saying "none" (an unset property).
    if (values['token-file']) values.token = readSecretFile(values['token-file']);
    else if (values.token === '-') values.token = await readSecretStdin();
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help) {
    console.log(usage);
    return;
  }
  const command = positionals[0];
  if (positionals.length !== 1 || !['install', 'uninstall', 'plan'].includes(command ?? '')) {
    fail(`say what to do: install, uninstall or plan\n\n${usage}`);
  }
  const platform = values.platform as TargetPlatform;
  if (!['linux', 'darwin', 'win32'].includes(platform)) fail(`--platform must be linux, darwin or win32`);
  const root = values.root === '/' ? '/' : path.resolve(values.root);

  if (command === 'uninstall') {
    const result = await uninstall(root, platform, {
      purge: values.purge,
      programData: process.env.ProgramData,
    });
    if (!result.hadRecord) console.log('No install record found; nothing recorded to remove.');
    for (const f of result.removedFiles) console.log(`removed ${f}`);
    for (const r of result.removedRegistry)
      console.log(`removed ${r.key}${r.wholeKey ? '' : ` ${r.name ?? '(default)'}`}`);
    for (const d of result.removedDirs) console.log(`removed folder ${d}`);
    return;
  }

  const configFile = localPath(root, path.join(machineDir(platform, process.env.ProgramData), 'config.json'));
  let existingConfig: Record<string, unknown> | undefined;
  try {
    const json: unknown = JSON.parse(fs.readFileSync(configFile, 'utf8'));
    if (json && typeof json === 'object' && !Array.isArray(json))
      existingConfig = json as Record<string, unknown>;
    else console.warn(`warning: ${configFile} did not hold a JSON object; it will be replaced`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      console.warn(
        `warning: ${configFile} could not be read (${(error as Error).message}); it will be replaced`,
      );
    }
  }

  const server = values.server || process.env.HARBOUR_SERVER_URL || undefined;
  const token = values.token || process.env.HARBOUR_ENROLMENT_TOKEN || undefined;
  let manifest: NativeHostManifest | undefined;
  if (values['native-host-manifest']) {
    try {
      manifest = JSON.parse(fs.readFileSync(values['native-host-manifest'], 'utf8')) as NativeHostManifest;
    } catch (error) {
      fail(`cannot read --native-host-manifest: ${(error as Error).message}`);
    }
  }
  const serverForExtension =
    server ?? (typeof existingConfig?.serverUrl === 'string' ? existingConfig.serverUrl : undefined);
  let extension: InstallOptions['extension'] = null;
  if (!values['no-extension']) {
    const updateUrl =
      values['extension-update-url'] ??
      (serverForExtension && URL.canParse(serverForExtension)
        ? extensionUpdateUrl(serverForExtension)
        : undefined);
    if (updateUrl) extension = { id: values['extension-id'] ?? harbourExtensionId, updateUrl };
    else
      console.warn(
        'warning: no server URL, so the browser extension is not set up; run install again with --server',
      );
  }

  let plan;
  try {
    plan = planInstall({
      platform,
      installDir: values['install-dir'],
      settings: { serverUrl: server, enrolmentToken: token },
      existingConfig,
      extension,
      nativeHostManifest: manifest,
      browserPolicy: !values['no-browser-policy'],
      programData: process.env.ProgramData,
    });
  } catch (error) {
    if (error instanceof InstallError) fail(error.message);
    throw error;
  }
  if (command === 'plan') {
    const redacted = plan.files.map((f) =>
      f.path.endsWith('config.json')
        ? { ...f, content: f.content.replace(/("enrolmentToken": ")[^"]*/, '$1…') }
        : f,
    );
    console.log(JSON.stringify({ ...plan, files: redacted }, null, 2));
    return;
  }
  const record = await applyInstall(root, plan);
  for (const f of plan.files) console.log(`wrote ${localPath(root, f.path)}  (${f.purpose})`);
  for (const r of record.registry) console.log(`set ${r.key} ${r.name ?? '(default)'}`);
  if (!server && !existingConfig?.serverUrl) {
    console.warn(
      'warning: no server URL is configured yet; the agent waits until policy or the config file sets one',
    );
  }
}

main().catch((error: unknown) => {
  console.error(`harbour-agent-install: ${(error as Error).message}`);
  process.exit(1);
});
