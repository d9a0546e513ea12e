import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Outbox } from './outbox.js';

const dirs: string[] = [];
function dir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'harbour-outbox-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const body = (username: string) => ({ type: 'session.started' as const, user: { username } });

describe('Outbox', () => {
  it('gives events back oldest first, each with a unique id', () => {
    const box = new Outbox(dir());
    const a = box.enqueue(body('a'));
    const b = box.enqueue(body('b'));
    expect(a.id).not.toBe(b.id);
    expect(box.peek(5).map((e) => e.body)).toEqual([body('a'), body('b')]);
    box.close();
  });

  it('keeps events across a restart until they are acknowledged', () => {
    const d = dir();
    const first = new Outbox(d);
    const a = first.enqueue(body('a'));
    first.enqueue(body('b'));
    first.close();
    const second = new Outbox(d);
    expect(second.size()).toBe(2);
    second.acknowledge(a.id);
    expect(second.peek(5).map((e) => e.body)).toEqual([body('b')]);
    second.close();
  });

  it('sets a refused event aside without losing it', () => {
    const box = new Outbox(dir());
    const a = box.enqueue(body('a'));
    box.enqueue(body('b'));
    box.reject(a.id, 'invalid');
    expect(box.size()).toBe(1);
    expect(box.rejectedCount()).toBe(1);
    box.close();
  });

  it('commits events and state together, or neither', () => {
    const box = new Outbox(dir());
    expect(() =>
      box.atomically(() => {
        box.enqueue(body('a'));
        box.setState('k', 'v');
        throw new Error('crash in the middle');
      }),
    ).toThrow('crash');
    expect(box.size()).toBe(0);
    expect(box.getState('k')).toBeUndefined();
    box.close();
  });
});
