// What can be checked of the installers without building them (Electron's binary cannot
// be downloaded here; .github/workflows/installers.yml builds them on hosted runners):
// electron-builder.yml against electron-builder's own JSON schema, every file it
// references, the NSIS include, the MSI customisation applied to electron-builder's own
// MSI template, the deb/pkg scripts, the Group Policy template against the settings
// schema, and the install wrapper the scripts call.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { DOMParser } from '@xmldom/xmldom';
import { Ajv } from 'ajv';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentConfigShape, configKeys } from '../../agent/src/node/config/index.js';
import { ApiClient } from '../support/api.js';
import { adminEmail, password } from '../support/harbour.js';
import { repoRoot, tempDir } from '../support/paths.js';
import { ServerProcess } from '../support/processes.js';
import { waitFor } from '../support/wait.js';
import { XDisplay } from '../support/xdisplay.js';

const require = createRequire(import.meta.url);
const builderLib = path.dirname(require.resolve('app-builder-lib/package.json'));
const schema = JSON.parse(fs.readFileSync(path.join(builderLib, 'scheme.json'), 'utf8')) as object;
const fromRepo = (...p: string[]) => path.join(repoRoot, ...p);
const read = (...p: string[]) => fs.readFileSync(fromRepo(...p), 'utf8');

type Config = Record<string, unknown> & {
  directories: { buildResources: string; app: string };
  nsis: { include: string; perMachine: boolean; oneClick: boolean };
  msi: { perMachine: boolean };
  msiProjectCreated: string;
  deb: { afterInstall: string; afterRemove: string; fpm: string[]; depends: string[] };
  pkg: { scripts: string };
  extraResources: { from: string }[];
  mac: { extraResources: { from: string }[]; target: string[] };
  linux: { extraResources: { from: string }[]; target: string[]; executableName: string };
  win: { target: string[]; extraFiles: { from: string; to: string }[] };
};
const config = yaml.load(read('electron-builder.yml')) as Config;
const winswFile = 'build/win/HarbourService.exe';

/** electron-builder's own validation settings (app-builder-lib/out/util/config/schemaValidator.js). */
function validator() {
  const ajv = new Ajv({ allErrors: true, strict: false, coerceTypes: true });
  // electron-builder's schema marks hook options `{ typeof: "function" }`; a YAML file can only give strings.
  ajv.addKeyword({ keyword: 'typeof', validate: (type: string, data: unknown) => typeof data === type });
  return ajv.compile(schema);
}

function xml(text: string): Document {
  const errors: string[] = [];
  const doc = new DOMParser({
    // xmldom reports structural mistakes (unclosed or mismatched tags) as warnings: count them all.
    errorHandler: (_level: string, msg: string) => void errors.push(msg),
  }).parseFromString(text, 'text/xml');
  expect(errors).toEqual([]);
  return doc;
}
const all = (doc: Document | Element, tag: string): Element[] => {
  const list = doc.getElementsByTagName(tag);
  return Array.from({ length: list.length }, (_, i) => list.item(i)).filter((e): e is Element => e !== null);
};

describe('electron-builder.yml', () => {
  it("is valid against electron-builder's own JSON schema", () => {
    const validate = validator();
    expect(validate(config), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('the schema check fails for a misspelt or misplaced option', () => {
    const validate = validator();
    expect(validate({ ...config, nsis: { ...config.nsis, inlcude: 'x' } })).toBe(false);
    expect(validate({ ...config, msi: { ...config.msi, include: 'build/installer.nsh' } })).toBe(false);
    expect(validate({ ...config, deb: { ...config.deb, afterInstall: { path: 'x' } } })).toBe(false);
  });

  it('builds every installer the issue asks for', () => {
    expect(config.win.target).toEqual(['nsis', 'msi']);
    expect(config.mac.target).toEqual(['pkg']);
    expect(config.linux.target).toEqual(['deb', 'AppImage']);
    expect(config.nsis).toMatchObject({ perMachine: true, oneClick: false });
    expect(config.msi.perMachine).toBe(true);
  });

  it("the deb depends on the X tools the helper runs and on Chromium, and keeps electron-builder's own", () => {
    const own = ['libgtk-3-0', 'libnotify4', 'libnss3', 'libxss1', 'libxtst6', 'xdg-utils', 'libatspi2.0-0'];
    for (const dep of [...own, 'x11-utils', 'xprintidle', 'xdotool', 'wmctrl'])
      expect(config.deb.depends).toContain(dep);
    expect(config.deb.depends.some((d) => d.split('|').map((x) => x.trim())[0] === 'chromium')).toBe(true);
    // Every X tool the platform code runs is one of them (the Linux probes run these by name).
    const probes = fs
      .readdirSync(fromRepo('agent/src/platform'), { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .map((f) => read('agent/src/platform', f))
      .join('\n');
    for (const [tool, pkg] of [
      ['xprop', 'x11-utils'],
      ['xprintidle', 'xprintidle'],
      ['xdotool', 'xdotool'],
      ['wmctrl', 'wmctrl'],
    ] as const) {
      if (probes.includes(`'${tool}'`)) expect(config.deb.depends, `${tool} is run`).toContain(pkg);
    }
  });

  it('ships WinSW beside Harbour.exe with its settings: the agent as Node, LocalSystem, restarted on failure', () => {
    expect(config.win.extraFiles).toEqual([
      { from: winswFile, to: 'HarbourService.exe' },
      { from: 'build/win/HarbourService.xml', to: 'HarbourService.xml' },
    ]);
    const doc = xml(read('build/win/HarbourService.xml'));
    const text = (tag: string) => all(doc, tag)[0]?.textContent ?? '';
    expect(text('id')).toBe('HarbourAgent');
    expect(text('executable')).toBe('%BASE%\\Harbour.exe');
    // Quoted: the install folder has a space in it ("C:\Program Files\Harbour").
    expect(text('arguments')).toContain('"%BASE%\\resources\\app.asar\\dist\\cli.js" service');
    expect(all(doc, 'env').map((e) => [e.getAttribute('name'), e.getAttribute('value')])).toEqual([
      ['ELECTRON_RUN_AS_NODE', '1'],
    ]);
    expect(all(doc, 'onfailure').every((e) => e.getAttribute('action') === 'restart')).toBe(true);
    expect(text('startmode')).toBe('Automatic');
    // No serviceaccount element: WinSW's default, LocalSystem.
    expect(all(doc, 'serviceaccount')).toHaveLength(0);
    expect(text('logpath')).toBe('%ProgramData%\\Harbour\\service\\logs');
  });

  it('every file it references exists (and scripts are executable)', () => {
    const build = config.directories.buildResources;
    const files = [
      config.nsis.include,
      config.msiProjectCreated,
      config.deb.afterInstall,
      config.deb.afterRemove,
      ...config.deb.fpm.map((arg) => arg.replace(/^--before-remove=/, '')),
      path.join(build, config.pkg.scripts, 'postinstall'),
      ...config.extraResources.map((r) => r.from),
      ...config.mac.extraResources.map((r) => r.from),
      ...config.linux.extraResources.map((r) => r.from),
      ...config.win.extraFiles.map((r) => r.from).filter((f) => f !== winswFile),
      path.join(config.directories.app, 'package.json'),
    ];
    for (const file of files) expect(fs.existsSync(fromRepo(file)), file).toBe(true);
    // WinSW is the one file the hosted workflow downloads (pinned) at build time.
    expect(config.win.extraFiles.map((r) => r.from)).toContain(winswFile);
    expect(read('.gitignore')).toContain(winswFile);
    for (const script of [
      config.deb.afterInstall,
      config.deb.afterRemove,
      'build/linux/before-remove.sh',
      path.join(build, config.pkg.scripts, 'postinstall'),
      'build/bin/harbour-agent-install',
      'build/bin/harbour-agent',
    ]) {
      expect(fs.statSync(fromRepo(script)).mode & 0o111, `${script} is executable`).not.toBe(0);
    }
    // The packaged app's entry point and the install writer come from the build.
    const agentPackage = JSON.parse(read('agent/package.json')) as { main: string; dependencies: object };
    expect(fs.existsSync(fromRepo('agent', agentPackage.main))).toBe(true);
    expect(fs.existsSync(fromRepo('agent/dist/install-cli.js'))).toBe(true);
    expect(Object.keys(agentPackage.dependencies)).toContain('@harbour/shared');
  });
});

describe('the NSIS include (build/installer.nsh)', () => {
  const nsh = read('build/installer.nsh');

  it('reads /SERVER_URL= and /ENROLMENT_TOKEN= from the command line', () => {
    expect(nsh).toMatch(/\$\{GetParameters\} \$R0/);
    expect(nsh).toMatch(/\$\{GetOptions\} \$R0 "\/SERVER_URL=" \$R1/);
    expect(nsh).toMatch(/\$\{GetOptions\} \$R0 "\/ENROLMENT_TOKEN=" \$R2/);
    expect(nsh).toMatch(/\$\{GetOptions\} \$R0 "\/ENROLMENT_TOKEN_FILE=" \$R3/);
    expect(nsh).toContain('!include "FileFunc.nsh"');
  });

  it('runs the install-time writer after copying files, and removes its work on uninstall but not on update', () => {
    const install = /!macro customInstall\n([\s\S]*?)!macroend/.exec(nsh)?.[1] ?? '';
    expect(install).toMatch(
      /harbourRunInstallCli 'install --platform win32 --install-dir "\$INSTDIR" --server "\$R1" --token-file "\$R3"'/,
    );
    // The token never reaches the writer's command line: it goes in its environment, then is cleared.
    expect(install).not.toMatch(/--token "/);
    expect(install).toMatch(
      /SetEnvironmentVariable\(t "HARBOUR_ENROLMENT_TOKEN", t "\$R2"\)[\s\S]*harbourRunInstallCli[\s\S]*SetEnvironmentVariable\(t "HARBOUR_ENROLMENT_TOKEN", n\)/,
    );
    const uninstall = /!macro customUnInstall\n([\s\S]*?)!macroend/.exec(nsh)?.[1] ?? '';
    expect(uninstall).toMatch(
      /\$\{IfNot\} \$\{isUpdated\}[\s\S]*!insertmacro harbourRunInstallCli 'uninstall --platform win32'/,
    );
    expect(nsh).toContain('ELECTRON_RUN_AS_NODE');
    expect(nsh).toContain('$INSTDIR\\resources\\app.asar\\dist\\install-cli.js');
    expect(nsh).toContain('"$INSTDIR\\${APP_EXECUTABLE_FILENAME}"');
  });

  it('registers, configures and starts the Windows service; stops it before files change; removes it on uninstall', () => {
    const install = /!macro customInstall\n([\s\S]*?)!macroend/.exec(nsh)?.[1] ?? '';
    const order = [
      'harbourRunInstallCli',
      '" install',
      'sc.exe" failure',
      'sc.exe" failureflag',
      '" start',
    ].map((needle) => install.indexOf(needle));
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(install).toContain('actions= restart/1000/restart/2000/restart/5000');
    expect(nsh).toContain('!define HARBOUR_SERVICE_EXE "$INSTDIR\\HarbourService.exe"');
    expect(nsh).toContain('!define HARBOUR_SERVICE_NAME "HarbourAgent"');
    // Every command it runs has its program quoted (the install folder has spaces in it).
    for (const [, cmd] of nsh.matchAll(/nsExec::ExecToLog '([^']*)'/g))
      expect(cmd?.startsWith('"')).toBe(true);
    const check = /!macro customCheckAppRunning\n([\s\S]*?)!macroend/.exec(nsh)?.[1] ?? '';
    expect(check).toContain('"${HARBOUR_SERVICE_EXE}" stopwait');
    const uninstall = /!macro customUnInstall\n([\s\S]*?)!macroend/.exec(nsh)?.[1] ?? '';
    expect(uninstall).toMatch(/\$\{IfNot\} \$\{isUpdated\}[\s\S]*" stopwait[\s\S]*" uninstall'/);
    expect(uninstall).toContain("harbourRunInstallCli 'uninstall --platform win32 --purge'");
  });

  it('uses only macros electron-builder defines and balances every macro and If', () => {
    const templates = path.join(builderLib, 'templates/nsis');
    const electronBuilderNsis = fs
      .readdirSync(templates, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.nsh') || f.endsWith('.nsi'))
      .map((f) => fs.readFileSync(path.join(templates, f), 'utf8'))
      .join('\n');
    expect(electronBuilderNsis).toContain('!macro customInstall'.replace('!macro ', '!insertmacro '));
    expect(electronBuilderNsis).toContain('!insertmacro customUnInstall');
    expect(electronBuilderNsis).toMatch(/!define isUpdated|isUpdated/);
    expect(electronBuilderNsis).toContain('APP_EXECUTABLE_FILENAME');
    expect(electronBuilderNsis).toContain('!ifmacrodef customCheckAppRunning');
    const count = (re: RegExp) => (nsh.match(re) ?? []).length;
    expect(count(/^!macro /gm)).toBe(count(/^!macroend/gm));
    expect(count(/\$\{If(Not)?\}/g)).toBe(count(/\$\{EndIf\}/g));
  });
});

describe('the MSI customisation (msiProjectCreated hook + build/msi/harbour.wxs)', () => {
  function renderedProject(): string {
    // electron-builder's MSI template, rendered the way MsiTarget does it.
    const ejs = createRequire(path.join(builderLib, 'package.json'))('ejs') as {
      compile(t: string): (data: object) => string;
    };
    const template = fs
      .readFileSync(path.join(builderLib, 'templates/msi/template.xml'), 'utf8')
      .replace(/{{/g, '<%')
      .replace(/}}/g, '%>')
      .replace(/\${([^}]+)}/g, '<%=$1%>');
    return ejs.compile(template)({
      productName: 'Harbour',
      upgradeCode: 'F4C5B8E2-0000-5000-8000-000000000000',
      version: '0.1.0.0',
      manufacturer: 'Harbour',
      compressionLevel: 'high',
      iconPath: null,
      iconId: 'HarbourIcon.exe',
      isRunAfterFinish: config.msi.perMachine && false,
      isAssisted: false,
      isPerMachine: true,
      menuCategory: null,
      programFilesId: 'ProgramFiles64Folder',
      installationDirectoryWixName: 'Harbour',
      isCreateDesktopShortcut: false,
      isCreateStartMenuShortcut: true,
      dirs: '',
      // Two of the app folder's files, declared as MsiTarget.computeFileDeclaration declares them.
      files: [
        '<Component>\n        <File Name="Harbour.exe" Source="$(var.appDir)\\Harbour.exe" ReadOnly="yes" KeyPath="yes" Id="mainExecutable"/>\n      </Component>',
        '<Component>\n        <File Name="HarbourService.exe" Source="$(var.appDir)\\HarbourService.exe" ReadOnly="yes" KeyPath="yes" Id="HarbourService.exe_f"/>\n      </Component>',
      ].join('\n      '),
    });
  }

  it("names the service's file as electron-builder's MSI target names a file at the app folder's root", () => {
    const msiTarget = fs.readFileSync(path.join(builderLib, 'out/targets/MsiTarget.js'), 'utf8');
    expect(msiTarget).toContain('result += ` Id="${path.basename(packagePath)}_f"`;');
    // An MSI identifier has letters, digits, underscores and dots only: no hyphen in the file's name.
    expect('HarbourService.exe_f').toMatch(/^[A-Za-z_][A-Za-z0-9_.]*$/);
  });

  it('declares no MsiHiddenProperties of its own: WiX makes it from Hidden properties, and a second is a duplicate', () => {
    const wxs = xml(read('build/msi/harbour.wxs'));
    const ids = all(wxs, 'Property').map((p) => p.getAttribute('Id'));
    expect(ids).not.toContain('MsiHiddenProperties');
    expect(new Set(ids).size).toBe(ids.length);
    expect(
      all(wxs, 'Property')
        .find((p) => p.getAttribute('Id') === 'ENROLMENT_TOKEN')
        ?.getAttribute('Hidden'),
    ).toBe('yes');
    // Every custom action whose command holds the token hides its target from the log.
    for (const action of all(wxs, 'CustomAction')) {
      if ((action.getAttribute('ExeCommand') ?? '').includes('[ENROLMENT_TOKEN]'))
        expect(action.getAttribute('HideTarget')).toBe('yes');
    }
  });

  it('adds the properties and custom actions to the generated project, which stays well-formed', async () => {
    const hook = (await import(fromRepo(config.msiProjectCreated))) as {
      msiProjectCreated(file: string): Promise<void>;
    };
    const file = path.join(tempDir('msi'), 'project.wxs');
    fs.writeFileSync(file, renderedProject());
    await hook.msiProjectCreated(file);
    const text = fs.readFileSync(file, 'utf8');
    const doc = xml(text);
    const product = all(doc, 'Product')[0];
    if (!product) throw new Error('no Product');
    const properties = new Map(all(product, 'Property').map((p) => [p.getAttribute('Id'), p]));
    expect(properties.get('SERVER_URL')?.getAttribute('Secure')).toBe('yes');
    expect(properties.get('ENROLMENT_TOKEN')?.getAttribute('Hidden')).toBe('yes');
    expect(properties.has('MsiHiddenProperties')).toBe(false);
    // Ids are unique across the whole project (WiX refuses duplicates).
    for (const tag of ['Property', 'CustomAction', 'ServiceInstall', 'ServiceControl', 'Component', 'File']) {
      const ids = all(product, tag)
        .map((e) => e.getAttribute('Id'))
        .filter(Boolean);
      expect(new Set(ids).size, tag).toBe(ids.length);
    }

    // The service: in the component whose key file is WinSW, LocalSystem, automatic, started and removed.
    const serviceFile = all(product, 'File').find((f) => f.getAttribute('Id') === 'HarbourService.exe_f');
    const component = serviceFile?.parentNode as Element | null;
    expect(component?.tagName).toBe('Component');
    expect(serviceFile?.getAttribute('KeyPath')).toBe('yes');
    const install = all(component as Element, 'ServiceInstall')[0];
    expect(install?.getAttribute('Name')).toBe('HarbourAgent');
    expect(install?.getAttribute('Account')).toBe('LocalSystem');
    expect(install?.getAttribute('Start')).toBe('auto');
    expect(install?.getAttribute('Type')).toBe('ownProcess');
    expect(install?.getAttribute('ErrorControl')).toBe('normal');
    // No Arguments: WinSW reads its settings beside it; the image path is the quoted key file.
    expect(install?.hasAttribute('Arguments')).toBe(false);
    const control = all(component as Element, 'ServiceControl')[0];
    expect(control?.getAttribute('Name')).toBe('HarbourAgent');
    expect(control?.getAttribute('Start')).toBe('install');
    expect(control?.getAttribute('Stop')).toBe('both');
    expect(control?.getAttribute('Remove')).toBe('uninstall');
    expect(all(product, 'ServiceInstall')).toHaveLength(1);
    // The main executable's component is left as electron-builder made it.
    const main = all(product, 'File').find((f) => f.getAttribute('Id') === 'mainExecutable');
    expect(all(main?.parentNode as Element, 'ServiceInstall')).toHaveLength(0);

    const actions = new Map(all(product, 'CustomAction').map((a) => [a.getAttribute('Id'), a]));
    const configure = actions.get('HarbourConfigure');
    expect(configure?.getAttribute('Execute')).toBe('deferred');
    expect(configure?.getAttribute('Impersonate')).toBe('no');
    const command = configure?.getAttribute('ExeCommand') ?? '';
    expect(command).toContain('set ELECTRON_RUN_AS_NODE=1&&');
    expect(command).toContain(
      '"[APPLICATIONFOLDER]Harbour.exe" "[APPLICATIONFOLDER]resources\\app.asar\\dist\\install-cli.js" install',
    );
    expect(command).toContain(
      '--server "[SERVER_URL]" --token "[ENROLMENT_TOKEN]" --token-file "[ENROLMENT_TOKEN_FILE]"',
    );
    expect(properties.get('ENROLMENT_TOKEN_FILE')?.getAttribute('Secure')).toBe('yes');
    expect(actions.get('HarbourUnconfigure')?.getAttribute('ExeCommand')).toContain(
      'install-cli.js" uninstall',
    );

    const recovery = actions.get('HarbourServiceRecovery')?.getAttribute('ExeCommand') ?? '';
    expect(recovery).toContain(
      '"[System64Folder]sc.exe" failure HarbourAgent reset= 3600 actions= restart/1000/restart/2000/restart/5000',
    );
    expect(recovery).toContain('"[System64Folder]sc.exe" failureflag HarbourAgent 1');
    expect(actions.get('HarbourUnconfigurePurge')?.getAttribute('ExeCommand')).toContain(
      'install-cli.js" uninstall --platform win32 --purge',
    );
    for (const action of actions.values()) {
      expect(action.getAttribute('Execute')).toBe('deferred');
      expect(action.getAttribute('Impersonate')).toBe('no');
    }

    const custom = new Map(all(product, 'Custom').map((c) => [c.getAttribute('Action'), c]));
    // The settings are written before the service first starts, and removed once it has stopped.
    expect(custom.get('HarbourConfigure')?.getAttribute('Before')).toBe('StartServices');
    expect(custom.get('HarbourConfigure')?.textContent).toBe('NOT REMOVE~="ALL"');
    expect(custom.get('HarbourServiceRecovery')?.getAttribute('After')).toBe('InstallServices');
    expect(custom.get('HarbourUnconfigure')?.getAttribute('After')).toBe('StopServices');
    expect(custom.get('HarbourUnconfigure')?.textContent).toBe(
      'REMOVE~="ALL" AND NOT UPGRADINGPRODUCTCODE AND NOT PURGE',
    );
    expect(custom.get('HarbourUnconfigurePurge')?.textContent).toBe(
      'REMOVE~="ALL" AND NOT UPGRADINGPRODUCTCODE AND PURGE',
    );

    // Running the hook twice (a rebuild) does not add everything again.
    await hook.msiProjectCreated(file);
    expect(fs.readFileSync(file, 'utf8')).toBe(text);
  });

  it("refuses a project that does not look like electron-builder's", async () => {
    const hook = (await import(fromRepo(config.msiProjectCreated))) as {
      addHarbourWix(p: string): Promise<string>;
    };
    await expect(hook.addHarbourWix('<Wix><Product></Product></Wix>')).rejects.toThrow(/mainExecutable/);
    // A build without WinSW beside the app cannot install a service: the hook says so.
    await expect(
      hook.addHarbourWix('<Wix><Product><File Name="Harbour.exe" Id="mainExecutable"/></Product></Wix>'),
    ).rejects.toThrow(/HarbourService\.exe_f/);
  });
});

describe('the deb and pkg scripts', () => {
  /** electron-builder fills ${name} macros in deb scripts and throws on unknown ones (FpmTarget writeConfigFile). */
  function fillMacros(script: string): string {
    const known: Record<string, string> = {
      executable: 'harbour',
      sanitizedProductName: 'Harbour',
      productFilename: 'Harbour',
    };
    return script.replace(/\${([a-zA-Z]+)}/g, (_m, name: string) => {
      if (!(name in known)) throw new Error(`Macro ${name} is not defined`);
      return known[name] ?? '';
    });
  }

  it("the deb after-install runs electron-builder's steps and then the install writer; bash parses it", () => {
    const filled = fillMacros(read(config.deb.afterInstall));
    expect(filled).toContain(
      "update-alternatives --install '/usr/bin/harbour' 'harbour' '/opt/Harbour/harbour' 100",
    );
    expect(filled).toContain("chmod 4755 '/opt/Harbour/chrome-sandbox'");
    expect(filled).toMatch(
      /'\/opt\/Harbour\/resources\/harbour-agent-install' install --platform linux --install-dir '\/opt\/Harbour'/,
    );
    for (const script of [
      filled,
      fillMacros(read(config.deb.afterRemove)),
      read('build/linux/before-remove.sh'),
    ]) {
      const file = path.join(tempDir('deb'), 'script.sh');
      fs.writeFileSync(file, script);
      execFileSync('bash', ['-n', file]);
    }
  });

  it('uninstalls on removal (not upgrade) before the files go, and purges the settings folder', () => {
    const beforeRemove = read('build/linux/before-remove.sh');
    const removal = /if \[ "\$1" = "remove" \]; then\n([\s\S]*)\nfi\n$/.exec(beforeRemove)?.[1] ?? '';
    // The service stops first (and its helpers with it), then the writer removes its files.
    const steps = [
      'systemctl disable --now harbour-agent.service',
      'systemctl kill --kill-whom=all harbour-agent.service',
      "'/opt/Harbour/resources/harbour-agent-install' uninstall --platform linux",
    ].map((step) => removal.indexOf(step));
    expect(steps.every((at) => at >= 0)).toBe(true);
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);
    expect(read(config.deb.afterRemove)).toMatch(
      /if \[ "\$1" = "purge" \]; then\s+rm -rf \/etc\/harbour \/var\/lib\/harbour-agent/,
    );
    // The after-install enables and (re)starts the unit the writer wrote, where systemd runs.
    const afterInstall = read(config.deb.afterInstall);
    const writer = afterInstall.indexOf("harbour-agent-install' install");
    const enable = afterInstall.indexOf('systemctl enable harbour-agent.service');
    expect(writer).toBeGreaterThan(0);
    expect(enable).toBeGreaterThan(writer);
    expect(afterInstall).toContain('systemctl restart harbour-agent.service');
    expect(afterInstall).toContain('[ -d /run/systemd/system ]');
  });

  it('the pkg postinstall runs the install writer from the app bundle; sh parses it', () => {
    const script = read('build', config.pkg.scripts, 'postinstall');
    expect(script).toContain(
      '"$app/Contents/Resources/harbour-agent-install" install --platform darwin --install-dir "$app"',
    );
    execFileSync('sh', ['-n', fromRepo('build', config.pkg.scripts, 'postinstall')]);
  });

  it('the writer takes the token from a file only its owner reads, or standard input; never needs it as an argument', () => {
    const cli = fromRepo('agent/dist/install-cli.js');
    const token = `het_${'k'.repeat(43)}`;
    const configOf = (root: string) =>
      JSON.parse(fs.readFileSync(path.join(root, 'etc/harbour/config.json'), 'utf8')) as {
        enrolmentToken?: string;
      };
    const base = [
      'install',
      '--platform',
      'linux',
      '--server',
      'https://harbour.school.test',
      '--no-extension',
    ];

    const fileRoot = tempDir('token-file-root');
    const file = path.join(tempDir('token-file'), 'token');
    fs.writeFileSync(file, `${token}\n`, { mode: 0o600 });
    const fromFile = spawnSync(process.execPath, [cli, ...base, '--root', fileRoot, '--token-file', file], {
      encoding: 'utf8',
    });
    expect(fromFile.stderr).toBe('');
    expect(configOf(fileRoot).enrolmentToken).toBe(token);

    const stdinRoot = tempDir('token-stdin-root');
    const fromStdin = spawnSync(process.execPath, [cli, ...base, '--root', stdinRoot, '--token', '-'], {
      encoding: 'utf8',
      input: `${token}\n`,
    });
    expect(fromStdin.status).toBe(0);
    expect(configOf(stdinRoot).enrolmentToken).toBe(token);

    // A token file other users can read is refused, and nothing is written.
    const openRoot = tempDir('token-open-root');
    fs.chmodSync(file, 0o644);
    const open = spawnSync(process.execPath, [cli, ...base, '--root', openRoot, '--token-file', file], {
      encoding: 'utf8',
    });
    expect(open.status).toBe(2);
    expect(open.stderr).toMatch(/can be read by other users/);
    expect(fs.readdirSync(openRoot)).toEqual([]);
    // The MSI passes an unset property as an empty --token-file: that means "none", not an error.
    const emptyRoot = tempDir('token-empty-root');
    const empty = spawnSync(process.execPath, [cli, ...base, '--root', emptyRoot, '--token-file', ''], {
      encoding: 'utf8',
    });
    expect(empty.status).toBe(0);
  });

  it("the harbour-agent-install wrapper runs the writer with the app's runtime in Node mode", () => {
    // The packaged layout on Linux, with Node standing in for Electron's executable.
    const app = tempDir('layout');
    fs.mkdirSync(path.join(app, 'resources'));
    fs.copyFileSync(
      fromRepo('build/bin/harbour-agent-install'),
      path.join(app, 'resources/harbour-agent-install'),
    );
    fs.chmodSync(path.join(app, 'resources/harbour-agent-install'), 0o755);
    fs.symlinkSync(fromRepo('agent'), path.join(app, 'resources/app.asar'));
    fs.writeFileSync(
      path.join(app, 'harbour'),
      `#!/bin/sh\n[ "$ELECTRON_RUN_AS_NODE" = 1 ] || { echo "not in node mode" >&2; exit 9; }\nexec "${process.execPath}" "$@"\n`,
      { mode: 0o755 },
    );
    const root = tempDir('wrapper-root');
    const run = spawnSync(
      path.join(app, 'resources/harbour-agent-install'),
      [
        'install',
        '--platform',
        'linux',
        '--root',
        root,
        '--server',
        'https://harbour.school.test',
        '--no-extension',
      ],
      { encoding: 'utf8' },
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(root, 'etc/harbour/config.json'), 'utf8'))).toEqual({
      serverUrl: 'https://harbour.school.test',
    });
  });
});

/**
 * One command line of a systemd unit (ExecStart) or a desktop entry (Exec), read the way
 * systemd and the Desktop Entry Specification read them: words, double quotes, backslash
 * escapes; in a unit, %% and $$ are a literal % and $.
 */
function commandWords(line: string, kind: 'systemd' | 'desktop'): string[] {
  const text = kind === 'desktop' ? line.replace(/\\\\/g, '\\') : line;
  const words: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (text[i] === ' ') i++;
    if (i >= text.length) break;
    let word = '';
    if (text[i] === '"') {
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\') i++;
        word += text[i++] ?? '';
      }
      i++;
    } else {
      while (i < text.length && text[i] !== ' ') word += text[i++];
    }
    words.push(kind === 'systemd' ? word.replace(/%%/g, '%').replace(/\$\$/g, '$') : word);
  }
  return words;
}

function keyOf(file: string, key: string): string {
  const line = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${key}=`));
  if (!line) throw new Error(`${file} has no ${key}=`);
  return line.slice(key.length + 1);
}

function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => !e.isDirectory())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

const asRoot = process.platform === 'linux' && process.getuid?.() === 0;

// The deb's layout in a temporary folder, with Node standing in for Electron's executable
// (it refuses to run unless it is asked to be Node, as the installed wrappers must ask),
// installed by the real writer into a temporary root; then the machine service started
// from the unit file's own ExecStart line, as root, against a real server, and a session
// helper from the autostart entry's Exec line, as a real user on a real X display.
describe.skipIf(!asRoot)(
  'installed into a temporary root: the service from its unit, the helper from its autostart entry',
  () => {
    const user = `hbinst${String(process.pid).slice(-5)}`;
    let server: ServerProcess;
    let admin: ApiClient;
    let display: XDisplay;
    const running: ChildProcess[] = [];
    let log = '';

    beforeAll(async () => {
      execFileSync('useradd', ['--create-home', user]);
      server = await ServerProcess.start(tempDir('server'), {
        HARBOUR_ADMIN_EMAIL: adminEmail,
        HARBOUR_ADMIN_PASSWORD: password,
      });
      admin = new ApiClient(server.url);
      await admin.login(adminEmail, password);
      display = await XDisplay.start('800x600');
    }, 120_000);

    afterAll(async () => {
      for (const p of running) p.kill('SIGKILL');
      try {
        execFileSync('pkill', ['-KILL', '-u', user]);
      } catch {
        // nothing of theirs left
      }
      await display?.stop();
      await server?.stop();
      try {
        execFileSync('userdel', ['--remove', user], { stdio: 'ignore' });
      } catch {
        // already gone
      }
    }, 60_000);

    it('installs, enrols once, runs a helper in the session, and uninstalls exactly what it wrote', async () => {
      const roomId = (await admin.createRoom('Installed')).id;
      const { token } = await admin.createToken(roomId);

      // The app, as the deb lays it out under /opt/Harbour (readable by every user).
      const app = fs.mkdtempSync('/tmp/harbour-app-');
      fs.chmodSync(app, 0o755);
      const resources = path.join(app, 'resources');
      fs.mkdirSync(resources, { mode: 0o755 });
      for (const script of ['harbour-agent', 'harbour-agent-install']) {
        fs.copyFileSync(fromRepo('build/bin', script), path.join(resources, script));
        fs.chmodSync(path.join(resources, script), 0o755);
      }
      fs.symlinkSync(fromRepo('agent'), path.join(resources, 'app.asar'));
      fs.writeFileSync(
        path.join(app, 'harbour'),
        `#!/bin/sh\n[ "$ELECTRON_RUN_AS_NODE" = 1 ] || { echo "not in node mode" >&2; exit 9; }\nexec "${process.execPath}" "$@"\n`,
        { mode: 0o755 },
      );
      const root = tempDir('installed-root');
      const runDir = fs.mkdtempSync('/tmp/harbour-run-');
      fs.chmodSync(runDir, 0o755);
      const tokenSeen = (text: string) => text.includes(token);
      const tokenFile = path.join(tempDir('install-token'), 'token');
      fs.writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });

      const install = spawnSync(
        path.join(resources, 'harbour-agent-install'),
        [
          'install',
          '--platform',
          'linux',
          '--root',
          root,
          '--install-dir',
          app,
          '--server',
          server.url,
          // What the docs tell a technician: the token in a file only root reads, never an argument.
          '--token-file',
          tokenFile,
          '--no-extension',
        ],
        { encoding: 'utf8' },
      );
      expect(install.stderr).toBe('');
      expect(install.status).toBe(0);
      const written = filesUnder(root);
      expect(written).toEqual([
        'etc/harbour/config.json',
        'etc/harbour/install-record.json',
        'etc/systemd/system/harbour-agent.service',
        'etc/xdg/autostart/harbour.desktop',
      ]);
      // The token is root's alone; nothing else written holds it.
      const config = fs.statSync(path.join(root, 'etc/harbour/config.json'));
      expect(config.mode & 0o777).toBe(0o600);
      expect(config.uid).toBe(0);
      for (const f of written.filter((w) => !w.endsWith('config.json')))
        expect(tokenSeen(fs.readFileSync(path.join(root, f), 'utf8')), f).toBe(false);
      const denied = spawnSync(
        'runuser',
        ['-u', user, '--', 'cat', path.join(root, 'etc/harbour/config.json')],
        {
          encoding: 'utf8',
        },
      );
      expect(denied.status).not.toBe(0);
      expect(tokenSeen(denied.stdout)).toBe(false);

      // The service, exactly as systemd would start it, moved into the temporary root.
      const execStart = commandWords(
        keyOf(path.join(root, 'etc/systemd/system/harbour-agent.service'), 'ExecStart'),
        'systemd',
      );
      expect(execStart).toEqual([
        path.join(resources, 'harbour-agent'),
        'service',
        '--aup',
        'on',
        '--help-badge',
      ]);
      const [program, ...args] = execStart as [string, ...string[]];
      const dataDir = path.join(root, 'var/lib/harbour-agent');
      const service = spawn(
        program,
        [
          ...args,
          '--root',
          root,
          '--data-dir',
          dataDir,
          '--socket',
          path.join(runDir, 'service.sock'),
          '--activity',
          'off',
        ],
        // systemd gives a unit no environment but PATH (and LANG).
        {
          env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      running.push(service);
      service.stdout?.on('data', (d: Buffer) => (log += d.toString()));
      service.stderr?.on('data', (d: Buffer) => (log += d.toString()));
      await waitFor(() => log.includes('service running'), {
        timeoutMs: 30_000,
        what: `the service to start: ${log.slice(-2000)}`,
      });
      await waitFor(async () => (await admin.devices(roomId)).length === 1, {
        timeoutMs: 20_000,
        what: 'the device',
      });
      expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);

      // The helper, as the desktop session starts it from the autostart entry, as the user.
      const exec = commandWords(
        keyOf(path.join(root, 'etc/xdg/autostart/harbour.desktop'), 'Exec'),
        'desktop',
      );
      expect(exec).toEqual([path.join(resources, 'harbour-agent'), 'session']);
      const helper = spawn(
        'runuser',
        [
          '-u',
          user,
          '--',
          'env',
          `DISPLAY=${display.display}`,
          `HOME=/home/${user}`,
          ...exec,
          '--socket',
          path.join(runDir, 'service.sock'),
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      running.push(helper);
      helper.stdout?.on('data', (d: Buffer) => (log += d.toString()));
      helper.stderr?.on('data', (d: Buffer) => (log += d.toString()));
      await waitFor(async () => (await admin.devices(roomId)).some((d) => d.user === user && d.online), {
        timeoutMs: 30_000,
        what: `presence to name ${user}`,
      });
      expect(await admin.devices(roomId)).toHaveLength(1);
      // The writer forgot nothing in the user's sight: the token is in no process's command line.
      for (const pid of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
        try {
          expect(tokenSeen(fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1')), `pid ${pid}`).toBe(false);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        }
      }

      // Uninstall (the deb's before-remove: the service stops, then the writer removes its files).
      service.kill('SIGTERM');
      await new Promise((r) => service.once('exit', r));
      helper.kill('SIGKILL');
      try {
        execFileSync('pkill', ['-KILL', '-u', user]);
      } catch {
        // already gone
      }
      const uninstall = spawnSync(
        path.join(resources, 'harbour-agent-install'),
        ['uninstall', '--platform', 'linux', '--root', root],
        { encoding: 'utf8' },
      );
      expect(uninstall.status).toBe(0);
      // What the install wrote is gone, folders included; the service's own data (the device's
      // credential and outbox) stays for a reinstall, until the package is purged.
      const left = filesUnder(root);
      expect(left.filter((f) => !f.startsWith('var/lib/harbour-agent/'))).toEqual([]);
      expect(fs.readdirSync(root)).toEqual(['var']);
      expect(left).toContain('var/lib/harbour-agent/device.json');
    }, 120_000);
  },
);

describe('the Group Policy template (build/policy)', () => {
  const admx = xml(read('build/policy/harbour.admx'));
  const adml = xml(read('build/policy/en-GB/harbour.adml'));
  const strings = new Set(all(adml, 'string').map((s) => s.getAttribute('id')));
  const presentations = new Map(all(adml, 'presentation').map((p) => [p.getAttribute('id'), p]));

  it("every policy writes a known setting under HKLM\\SOFTWARE\\Policies\\Harbour, with the setting's type", () => {
    const policies = all(admx, 'policy');
    expect(policies.length).toBeGreaterThan(0);
    for (const policy of policies) {
      expect(policy.getAttribute('class')).toBe('Machine');
      expect(policy.getAttribute('key')).toBe('SOFTWARE\\Policies\\Harbour');
      const elements = all(policy, 'elements')[0]?.childNodes;
      const element = Array.from({ length: elements?.length ?? 0 }, (_, i) => elements?.item(i)).find(
        (n): n is Element => n?.nodeType === 1,
      );
      const valueName = element?.getAttribute('valueName') ?? '';
      expect(configKeys as string[]).toContain(valueName);
      const shape = agentConfigShape[valueName as keyof typeof agentConfigShape];
      if (element?.tagName === 'decimal') {
        // The range Group Policy allows is exactly the range the agent accepts.
        const min = Number(element.getAttribute('minValue'));
        const max = Number(element.getAttribute('maxValue'));
        expect(shape.safeParse(min).success && shape.safeParse(max).success).toBe(true);
        expect(shape.safeParse(min - 1).success || shape.safeParse(max + 1).success).toBe(false);
      } else if (element?.tagName === 'enum') {
        for (const value of all(element, 'string'))
          expect(shape.safeParse(value.textContent).success).toBe(true);
      } else {
        expect(element?.tagName).toBe('text');
      }
    }
    expect(
      policies.map((p) =>
        all(p, '*')
          .find((e) => e.getAttribute('valueName'))
          ?.getAttribute('valueName'),
      ),
    ).toContain('serverUrl');
  });

  it('every string and presentation the template uses is in the en-GB language file', () => {
    const text = read('build/policy/harbour.admx');
    for (const [, id] of text.matchAll(/\$\(string\.([A-Za-z0-9_]+)\)/g))
      expect(strings, `string ${id}`).toContain(id);
    for (const [, id] of text.matchAll(/\$\(presentation\.([A-Za-z0-9_]+)\)/g)) {
      const presentation = presentations.get(id ?? '');
      expect(presentation, `presentation ${id}`).toBeDefined();
      // Each presentation control refers to an element of that policy.
      const refIds = all(presentation as Element, '*')
        .map((e) => e.getAttribute('refId'))
        .filter(Boolean);
      expect(refIds).toEqual([id]);
    }
  });
});

describe('the CI workflow', () => {
  it('builds on Windows, macOS and Linux runners and uploads the installers', () => {
    const workflow = yaml.load(read('.github/workflows/installers.yml')) as {
      jobs: {
        installers: {
          strategy: { matrix: { include: { os: string; flags: string }[] } };
          steps: { run?: string; uses?: string }[];
        };
      };
    };
    const job = workflow.jobs.installers;
    expect(job.strategy.matrix.include.map((m) => m.os)).toEqual([
      'windows-latest',
      'macos-latest',
      'ubuntu-latest',
    ]);
    expect(job.strategy.matrix.include.map((m) => m.flags).join(' ')).toMatch(/nsis msi.*pkg.*deb AppImage/);
    expect(job.steps.some((s) => s.run?.includes('electron-builder --config electron-builder.yml'))).toBe(
      true,
    );
    expect(job.steps.some((s) => s.uses?.startsWith('actions/upload-artifact'))).toBe(true);
  });

  it('downloads WinSW before packaging and smoke-installs the MSI on Windows: service, ACL, enrolment, uninstall', () => {
    const workflow = yaml.load(read('.github/workflows/installers.yml')) as {
      jobs: { installers: { steps: { name?: string; if?: string; run?: string }[] } };
    };
    const steps = workflow.jobs.installers.steps;
    const at = (name: string) => steps.findIndex((s) => s.name?.startsWith(name));
    const winsw = steps[at('Download WinSW')];
    const smoke = steps[at('Smoke-install the MSI')];
    expect(winsw?.if).toBe("runner.os == 'Windows'");
    expect(winsw?.run).toContain('build/win/HarbourService.exe');
    expect(at('Download WinSW')).toBeLessThan(at('Package'));
    expect(smoke?.if).toBe("runner.os == 'Windows'");
    expect(at('Smoke-install the MSI')).toBeGreaterThan(at('Package'));
    const run = smoke?.run ?? '';
    for (const check of [
      'SERVER_URL=$base',
      "StartName -ne 'LocalSystem'",
      "PathName.StartsWith('\"')",
      'qfailure HarbourAgent',
      "Status -ne 'Running'",
      "'S-1-5-18,S-1-5-32-544'",
      'AreAccessRulesProtected',
      'PURGE=1',
      'Get-Service HarbourAgent -ErrorAction SilentlyContinue',
    ])
      expect(run, check).toContain(check);
  });
});
