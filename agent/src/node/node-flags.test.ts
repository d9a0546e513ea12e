import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { helperMallocMmapThreshold } from '../service/service.js';
import { agentNodeFlags } from './node-flags.js';

const read = (relative: string) => fs.readFileSync(fileURLToPath(new URL(relative, import.meta.url)), 'utf8');

describe('the agent’s Node flags', () => {
  it('are the ones the harbour-agent command starts with', () => {
    expect(read('../cli.ts').split('\n')[0]).toBe(`#!/usr/bin/env -S node ${agentNodeFlags.join(' ')}`);
  });

  it('are the ones the installed harbour-agent wrapper starts the app runtime with', () => {
    // The wrapper's helpers give freed captures back as the service's own helpers do.
    expect(read('../../../build/bin/harbour-agent')).toContain(
      `MALLOC_MMAP_THRESHOLD_=${helperMallocMmapThreshold}\n`,
    );
    expect(read('../../../build/bin/harbour-agent')).toContain(
      `exec "$app" ${agentNodeFlags.join(' ')} "$here/app.asar/dist/cli.js" "$@"`,
    );
  });

  it('are the ones `npm run agent` starts with', () => {
    const scripts = (JSON.parse(read('../../../package.json')) as { scripts: Record<string, string> })
      .scripts;
    expect(scripts.agent).toContain(`node ${agentNodeFlags.join(' ')} agent/dist/cli.js`);
  });

  it('are accepted by this Node', async () => {
    const { execFileSync } = await import('node:child_process');
    expect(
      execFileSync(process.execPath, [...agentNodeFlags, '-e', 'process.stdout.write("ok")']).toString(),
    ).toBe('ok');
  });
});
