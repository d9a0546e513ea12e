import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { serverNodeFlags } from './node-flags.js';

const read = (relative: string) => fs.readFileSync(fileURLToPath(new URL(relative, import.meta.url)), 'utf8');

describe('the server’s Node flags', () => {
  it('are the ones `npm start` starts the server with', () => {
    const scripts = (JSON.parse(read('../../../package.json')) as { scripts: Record<string, string> })
      .scripts;
    expect(scripts.start).toContain(`node ${serverNodeFlags.join(' ')} dashboard/dist/server/main.js`);
  });

  it('are accepted by this Node', () => {
    expect(
      execFileSync(process.execPath, [...serverNodeFlags, '-e', 'process.stdout.write("ok")']).toString(),
    ).toBe('ok');
  });
});
