/**
 * `npm run screens`: screenshots of every dashboard page (1440, 1024 and 390 px) and every
 * pupil screen into docs/screens/, in English, plus each at 1024 px in Welsh, with an index
 * (docs/screens/README.md). It runs the same tour as the accessibility test
 * (test/support/tour.ts): the real built server and agent, the real pupil pages.
 * PNGs are re-encoded with a palette (sharp) to keep the folder small.
 */
import * as prettier from 'prettier';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { launchChromium } from '../test/support/browser.js';
import { repoRoot } from '../test/support/paths.js';
import {
  openSchool,
  pupilPages,
  pupilScreens,
  showDashboardPage,
  showPupilScreen,
  staffContext,
  widths,
  type Width,
} from '../test/support/tour.js';
import type { UiLanguage } from '@harbour/shared';

const out = path.join(repoRoot, 'docs/screens');
const shots: {
  group: string;
  id: string;
  title: string;
  file: string;
  language: UiLanguage;
  width: number;
}[] = [];

async function save(png: Buffer, file: string): Promise<void> {
  const small = await sharp(png)
    .png({ palette: true, quality: 85, compressionLevel: 9, effort: 8 })
    .toBuffer();
  fs.writeFileSync(path.join(out, file), small);
}

const runs: { language: UiLanguage; size: Width }[] = [
  ...widths.map((size) => ({ language: 'en' as const, size })),
  { language: 'cy', size: widths[1] },
];

async function main(): Promise<void> {
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  const browser = await launchChromium();
  const school = await openSchool();
  const pupils = await pupilPages();
  try {
    for (const { language, size } of runs) {
      for (const target of school.pages) {
        const context = await staffContext(browser, school, target.role, language, size);
        const page = await context.newPage();
        await showDashboardPage(page, school, target);
        const file = `${target.id}-${size.width}-${language}.png`;
        await save(await page.screenshot({ fullPage: true }), file);
        shots.push({
          group: 'dashboard',
          id: target.id,
          title: target.title,
          file,
          language,
          width: size.width,
        });
        await context.close();
        console.log(`dashboard ${file}`);
      }
      for (const screen of pupilScreens) {
        const { page, close } = await showPupilScreen(browser, pupils, screen, language, size);
        const file = `pupil-${screen.id}-${size.width}-${language}.png`;
        await save(await page.screenshot({ fullPage: true }), file);
        shots.push({ group: 'pupil', id: screen.id, title: screen.title, file, language, width: size.width });
        await close();
        console.log(`pupil ${file}`);
      }
    }
  } finally {
    await pupils.stop();
    await school.stop();
    await browser.close();
  }
  // Formatted as the repository's lint expects, so a regenerated index never fails `npm run lint`.
  const readme = path.join(out, 'README.md');
  fs.writeFileSync(
    readme,
    await prettier.format(index(), { ...(await prettier.resolveConfig(readme)), filepath: readme }),
  );
  const bytes = fs.readdirSync(out).reduce((n, f) => n + fs.statSync(path.join(out, f)).size, 0);
  console.log(`${shots.length} screenshots, ${(bytes / 1024 / 1024).toFixed(1)} MB in docs/screens`);
}

function index(): string {
  const lines = [
    '# Screenshots',
    '',
    'Every dashboard page and every pupil screen, made by `npm run screens` (the same tour as',
    '`test/e2e/accessibility.test.ts`: the real built server with a real agent online, and the real pupil',
    'pages served by the agent’s UI server). English at 1440, 1024 and 390 px; Welsh at 1024 px.',
    'Regenerate them after changing a page; do not edit them by hand.',
    '',
  ];
  for (const group of ['dashboard', 'pupil'] as const) {
    lines.push(group === 'dashboard' ? '## Dashboard' : '## Pupil screens', '');
    lines.push('| page | 1440 px | 1024 px | 390 px | Cymraeg, 1024 px |', '| --- | --- | --- | --- | --- |');
    const ids = [...new Set(shots.filter((s) => s.group === group).map((s) => s.id))];
    for (const id of ids) {
      const of = shots.filter((s) => s.group === group && s.id === id);
      const cell = (language: UiLanguage, width: number) => {
        const shot = of.find((s) => s.language === language && s.width === width);
        return shot ? `[${width}](${shot.file})` : '';
      };
      lines.push(
        `| ${of[0]?.title ?? id} | ${cell('en', 1440)} | ${cell('en', 1024)} | ${cell('en', 390)} | ${cell('cy', 1024)} |`,
      );
    }
    lines.push('');
  }
  return lines.join('\n');
}

await main();
