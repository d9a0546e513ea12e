import { describe, expect, it } from 'vitest';
import { csvSafe } from './reports.js';

describe('csvSafe', () => {
  it('keeps formula-looking cells as text', () => {
    for (const s of ['=1+1', '+SUM(A1)', '-2', '@cmd', '\tx', '\rx']) expect(csvSafe(s)).toBe(`'${s}`);
  });
  it('leaves ordinary text and empty values alone', () => {
    expect(csvSafe('Year 4 <b>')).toBe('Year 4 <b>');
    expect(csvSafe(null)).toBe('');
  });
});
