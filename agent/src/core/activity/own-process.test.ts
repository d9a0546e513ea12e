import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ancestors, ownProcessCheck } from './own-process.js';

describe('Harbour’s own processes', () => {
  it.runIf(process.platform === 'linux')(
    'are this process and what it started (a grandchild too), never its parent or a stranger',
    async () => {
      // sh starts sleep: the window of a program a cover's browser starts counts as ours too.
      const child = spawn('sh', ['-c', 'sleep 30 & echo $!; wait'], { stdio: ['ignore', 'pipe', 'ignore'] });
      const grandchild = Number(
        await new Promise<string>((resolve) => child.stdout.once('data', (b: Buffer) => resolve(String(b)))),
      );
      try {
        const own = ownProcessCheck();
        expect(own(process.pid)).toBe(true);
        expect(own(child.pid ?? -1)).toBe(true);
        expect(own(grandchild)).toBe(true);
        expect(own(process.ppid)).toBe(false);
        expect(own(1)).toBe(false);
        expect(own(2 ** 22 + 17)).toBe(false); // no such process
      } finally {
        child.kill('SIGKILL');
        process.kill(grandchild, 'SIGKILL');
      }
    },
  );

  it('the native host names its parent first, and stops at the first process that is not a wrapper', () => {
    const chain = ancestors();
    expect(chain[0]).toBe(process.ppid);
    expect(chain.length).toBeGreaterThan(0);
    expect(chain.length).toBeLessThanOrEqual(6);
  });
});
