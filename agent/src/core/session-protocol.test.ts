import { describe, expect, it } from 'vitest';
import {
  decodeLine,
  helperMessageSchema,
  jsonDepth,
  LineReader,
  maxDepth,
  ProtocolError,
} from './session-protocol.js';

describe('the local channel refuses what it cannot trust', () => {
  it('refuses deep nesting before parsing it', () => {
    const deep = `{"t":"health","problems":${'['.repeat(60_000)}${']'.repeat(60_000)}}`;
    expect(jsonDepth(deep, maxDepth)).toBeGreaterThan(maxDepth);
    expect(() => decodeLine(helperMessageSchema, deep)).toThrow(/nested deeper/);
  });

  it('counts brackets inside strings as text', () => {
    expect(jsonDepth('{"a":"[[[[{{{{"}')).toBe(1);
    expect(jsonDepth('{"a":"\\"[["}')).toBe(1);
  });

  it('names what was wrong with a message', () => {
    expect(() => decodeLine(helperMessageSchema, 'not json')).toThrow(ProtocolError);
    expect(() => decodeLine(helperMessageSchema, '{"t":"launch-missiles"}')).toThrow(/message refused/);
    expect(() => decodeLine(helperMessageSchema, '{"t":"state","seq":1,"key":"","value":null}')).toThrow(
      /key/,
    );
  });

  it('accepts a well-formed message', () => {
    expect(decodeLine(helperMessageSchema, '{"t":"state","seq":1,"key":"k","value":"v"}')).toEqual({
      t: 'state',
      seq: 1,
      key: 'k',
      value: 'v',
    });
  });

  it('refuses an endless line without keeping it', () => {
    const lines: string[] = [];
    const reader = new LineReader(100, (l) => lines.push(l));
    reader.push(Buffer.from('{"a":1}\n{"b":'));
    expect(lines).toEqual(['{"a":1}']);
    expect(() => reader.push(Buffer.alloc(200, 0x61))).toThrow(/too large/);
  });
});
