import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CdpPipe, type CdpEvent } from './cdp.js';

/** A pipe pair standing in for Chromium's fds 3 and 4 (the browser side is the test). */
function pair() {
  const toBrowser = new PassThrough();
  const fromBrowser = new PassThrough();
  const sent: string[] = [];
  toBrowser.on('data', (d: Buffer) => sent.push(...d.toString().split('\0').filter(Boolean)));
  return { cdp: new CdpPipe(toBrowser, fromBrowser), fromBrowser, sent };
}

describe('the DevTools pipe client', () => {
  it('frames commands with NUL, matches answers by id, and passes events on with their session', async () => {
    const { cdp, fromBrowser, sent } = pair();
    const events: CdpEvent[] = [];
    cdp.on('event', (e: CdpEvent) => events.push(e));
    const answer = cdp.send('Page.navigate', { url: 'http://127.0.0.1/x' }, 'S1');
    await new Promise((r) => setImmediate(r));
    const command = JSON.parse(sent[0]!) as { id: number; method: string; sessionId: string };
    expect(command).toMatchObject({ method: 'Page.navigate', sessionId: 'S1' });
    // An event and the answer arrive split across chunks, as a pipe may deliver them.
    const wire = `{"method":"Page.loadEventFired","params":{},"sessionId":"S1"}\0{"id":${command.id},"result":{"frameId":"F"}}\0`;
    fromBrowser.write(wire.slice(0, 17));
    fromBrowser.write(wire.slice(17, 70));
    fromBrowser.write(wire.slice(70));
    await expect(answer).resolves.toEqual({ frameId: 'F' });
    expect(events).toEqual([{ method: 'Page.loadEventFired', params: {}, sessionId: 'S1' }]);
  });

  it('turns a protocol error into a rejection naming the method, and ignores garbage', async () => {
    const { cdp, fromBrowser } = pair();
    const answer = cdp.send('Target.createTarget', {});
    fromBrowser.write('not json\0{"id":999,"result":{}}\0');
    fromBrowser.write('{"id":1,"error":{"message":"no window"}}\0');
    await expect(answer).rejects.toThrow('Target.createTarget: no window');
  });

  it('fails every pending command when the browser goes, and refuses new ones', async () => {
    const { cdp, fromBrowser } = pair();
    const pending = cdp.send('Runtime.evaluate', { expression: '1' });
    fromBrowser.destroy();
    await expect(pending).rejects.toThrow(/Runtime.evaluate/);
    await expect(cdp.send('Page.enable')).rejects.toThrow(/gone/);
    expect(cdp.closed).toBe(true);
  });

  it('closes rather than buffer without end when the browser never ends a message', () => {
    const { cdp, fromBrowser } = pair();
    const chunk = Buffer.alloc(8 * 1024 * 1024, 0x61);
    for (let i = 0; i < 9; i++) fromBrowser.write(chunk);
    expect(cdp.closed).toBe(true);
  });
});
