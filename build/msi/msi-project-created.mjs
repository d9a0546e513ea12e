// electron-builder's msiProjectCreated hook (electron-builder.yml): adds Harbour's WiX to the
// generated MSI project before WiX compiles it: build/msi/harbour.wxs (the SERVER_URL,
// ENROLMENT_TOKEN and PURGE properties and the custom actions that run the install-time
// writer) before </Product>, and build/msi/service.wxs (the Windows service) inside the
// component of HarbourService.exe. test/integration/installers.test.ts runs it on
// electron-builder's own MSI template.
import fs from 'node:fs/promises';

const fragmentFile = new URL('./harbour.wxs', import.meta.url);
const serviceFile = new URL('./service.wxs', import.meta.url);
/** electron-builder names a root-level file's element "<file name>_f" (MsiTarget computeFileDeclaration). */
export const serviceFileId = 'HarbourService.exe_f';

async function fragment(file) {
  const text = await fs.readFile(file, 'utf8');
  const match = /<Fragment[^>]*>([\s\S]*)<\/Fragment>/.exec(text);
  if (!match) throw new Error(`${file.pathname} has no <Fragment>`);
  return match[1];
}

/** The WiX elements inside harbour.wxs's <Fragment>, with @EXE@ set to the app's executable. */
export async function harbourWix(executable) {
  return (await fragment(fragmentFile)).replaceAll('@EXE@', executable);
}

/** Inserts Harbour's WiX into the project text; throws if the project is not what electron-builder makes. */
export async function addHarbourWix(project) {
  const main = /<File Name="([^"]+)"[^>]*\bId="mainExecutable"/.exec(project);
  if (!main) throw new Error('the MSI project has no mainExecutable file');
  const end = project.lastIndexOf('</Product>');
  if (end < 0) throw new Error('the MSI project has no </Product>');
  if (project.includes('Id="HarbourConfigure"')) return project;
  const service = new RegExp(`<File [^>]*\\bId="${serviceFileId.replace('.', '\\.')}"[^>]*/>`).exec(project);
  if (!service) throw new Error(`the MSI project has no ${serviceFileId} (build/win/HarbourService.exe)`);
  const afterFile = service.index + service[0].length;
  const withService = `${project.slice(0, afterFile)}${await fragment(serviceFile)}${project.slice(afterFile)}`;
  const newEnd = withService.lastIndexOf('</Product>');
  return `${withService.slice(0, newEnd)}${await harbourWix(main[1])}\n  ${withService.slice(newEnd)}`;
}

export async function msiProjectCreated(projectFile) {
  const project = await fs.readFile(projectFile, 'utf8');
  await fs.writeFile(projectFile, await addHarbourWix(project));
}

export default msiProjectCreated;
