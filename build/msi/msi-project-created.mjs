// electron-builder's msiProjectCreated hook (electron-builder.yml): adds Harbour's WiX
// (build/msi/harbour.wxs: the SERVER_URL and ENROLMENT_TOKEN properties and the custom
// actions that run the install-time writer) to the generated MSI project before WiX
// compiles it. test/integration/installers.test.ts runs it on electron-builder's own
// MSI template.
import fs from 'node:fs/promises';

const fragmentFile = new URL('./harbour.wxs', import.meta.url);

/** The WiX elements inside harbour.wxs's <Fragment>, with @EXE@ set to the app's executable. */
export async function harbourWix(executable) {
  const text = await fs.readFile(fragmentFile, 'utf8');
  const match = /<Fragment[^>]*>([\s\S]*)<\/Fragment>/.exec(text);
  if (!match) throw new Error(`${fragmentFile.pathname} has no <Fragment>`);
  return match[1].replaceAll('@EXE@', executable);
}

/** Inserts Harbour's WiX into the project text; throws if the project is not what electron-builder makes. */
export async function addHarbourWix(project) {
  const main = /<File Name="([^"]+)"[^>]*\bId="mainExecutable"/.exec(project);
  if (!main) throw new Error('the MSI project has no mainExecutable file');
  const end = project.lastIndexOf('</Product>');
  if (end < 0) throw new Error('the MSI project has no </Product>');
  if (project.includes('Id="HarbourConfigure"')) return project;
  return `${project.slice(0, end)}${await harbourWix(main[1])}\n  ${project.slice(end)}`;
}

export async function msiProjectCreated(projectFile) {
  const project = await fs.readFile(projectFile, 'utf8');
  await fs.writeFile(projectFile, await addHarbourWix(project));
}

export default msiProjectCreated;
