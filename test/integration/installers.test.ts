// What can be checked of the installers without building them (Electron's binary cannot
// be downloaded here; .github/workflows/installers.yml builds them on hosted runners):
// electron-builder.yml against electron-builder's own JSON schema, every file it
// references, the NSIS include, the MSI customisation applied to electron-builder's own
// MSI template, the deb/pkg scripts, the Group Policy template against the settings
// schema, and the install wrapper the scripts call.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { DOMParser } from '@xmldom/xmldom';
import { Ajv } from 'ajv';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { agentConfigShape, configKeys } from '../../agent/src/node/config/index.js';
import { repoRoot, tempDir } from '../support/paths.js';

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
  deb: { afterInstall: string; afterRemove: string; fpm: string[] };
  pkg: { scripts: string };
  extraResources: { from: string }[];
  mac: { extraResources: { from: string }[]; target: string[] };
  linux: { extraResources: { from: string }[]; target: string[]; executableName: string };
  win: { target: string[] };
};
const config = yaml.load(read('electron-builder.yml')) as Config;

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
      path.join(config.directories.app, 'package.json'),
    ];
    for (const file of files) expect(fs.existsSync(fromRepo(file)), file).toBe(true);
    for (const script of [
      config.deb.afterInstall,
      config.deb.afterRemove,
      'build/linux/before-remove.sh',
      path.join(build, config.pkg.scripts, 'postinstall'),
      'build/bin/harbour-agent-install',
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
    expect(nsh).toContain('!include "FileFunc.nsh"');
  });

  it('runs the install-time writer after copying files, and removes its work on uninstall but not on update', () => {
    const install = /!macro customInstall\n([\s\S]*?)!macroend/.exec(nsh)?.[1] ?? '';
    expect(install).toMatch(
      /harbourRunInstallCli 'install --platform win32 --install-dir "\$INSTDIR" --server "\$R1" --token "\$R2"'/,
    );
    const uninstall = /!macro customUnInstall\n([\s\S]*?)!macroend/.exec(nsh)?.[1] ?? '';
    expect(uninstall).toMatch(
      /\$\{IfNot\} \$\{isUpdated\}\s+!insertmacro harbourRunInstallCli 'uninstall --platform win32'/,
    );
    expect(nsh).toContain('ELECTRON_RUN_AS_NODE');
    expect(nsh).toContain('$INSTDIR\\resources\\app.asar\\dist\\install-cli.js');
    expect(nsh).toContain('"$INSTDIR\\${APP_EXECUTABLE_FILENAME}"');
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
      files:
        '<Component>\n        <File Name="Harbour.exe" Source="$(var.appDir)\\Harbour.exe" ReadOnly="yes" KeyPath="yes" Id="mainExecutable"/>\n      </Component>',
    });
  }

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
    expect(properties.get('MsiHiddenProperties')?.getAttribute('Value')).toContain('ENROLMENT_TOKEN');

    const actions = new Map(all(product, 'CustomAction').map((a) => [a.getAttribute('Id'), a]));
    const configure = actions.get('HarbourConfigure');
    expect(configure?.getAttribute('Execute')).toBe('deferred');
    expect(configure?.getAttribute('Impersonate')).toBe('no');
    const command = configure?.getAttribute('ExeCommand') ?? '';
    expect(command).toContain('set ELECTRON_RUN_AS_NODE=1&&');
    expect(command).toContain(
      '"[APPLICATIONFOLDER]Harbour.exe" "[APPLICATIONFOLDER]resources\\app.asar\\dist\\install-cli.js" install',
    );
    expect(command).toContain('--server "[SERVER_URL]" --token "[ENROLMENT_TOKEN]"');
    expect(actions.get('HarbourUnconfigure')?.getAttribute('ExeCommand')).toContain(
      'install-cli.js" uninstall',
    );

    const custom = new Map(all(product, 'Custom').map((c) => [c.getAttribute('Action'), c]));
    expect(custom.get('HarbourConfigure')?.getAttribute('Before')).toBe('InstallFinalize');
    expect(custom.get('HarbourConfigure')?.textContent).toBe('NOT REMOVE~="ALL"');
    expect(custom.get('HarbourUnconfigure')?.getAttribute('After')).toBe('InstallInitialize');
    expect(custom.get('HarbourUnconfigure')?.textContent).toBe('REMOVE~="ALL" AND NOT UPGRADINGPRODUCTCODE');

    // Running the hook twice (a rebuild) does not add everything again.
    await hook.msiProjectCreated(file);
    expect(fs.readFileSync(file, 'utf8')).toBe(text);
  });

  it("refuses a project that does not look like electron-builder's", async () => {
    const hook = (await import(fromRepo(config.msiProjectCreated))) as {
      addHarbourWix(p: string): Promise<string>;
    };
    await expect(hook.addHarbourWix('<Wix><Product></Product></Wix>')).rejects.toThrow(/mainExecutable/);
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
    expect(read('build/linux/before-remove.sh')).toMatch(
      /if \[ "\$1" = "remove" \]; then\s+'\/opt\/Harbour\/resources\/harbour-agent-install' uninstall/,
    );
    expect(read(config.deb.afterRemove)).toMatch(/if \[ "\$1" = "purge" \]; then\s+rm -rf \/etc\/harbour/);
  });

  it('the pkg postinstall runs the install writer from the app bundle; sh parses it', () => {
    const script = read('build', config.pkg.scripts, 'postinstall');
    expect(script).toContain(
      '"$app/Contents/Resources/harbour-agent-install" install --platform darwin --install-dir "$app"',
    );
    execFileSync('sh', ['-n', fromRepo('build', config.pkg.scripts, 'postinstall')]);
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
});
