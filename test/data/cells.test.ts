import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseNumber, plainDecimal } from '../../src/data/cells.js';

/** The definition the scan must agree with. */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
function reference(cell: string): number | undefined {
  const s = cell.trim();
  if (!NUMBER.test(s)) return undefined;
  const v = Number(s);
  return Number.isFinite(v) ? v : undefined;
}

describe('parseNumber', () => {
  it('agrees with the regex definition on strings built from number-like characters', () => {
    const chars = fc.constantFrom('0', '1', '7', '9', '.', '+', '-', 'e', 'E', ' ', '\t', 'x', '\u00a0', 'I');
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 12 }), (cs) => {
        const s = cs.join('');
        expect(Object.is(parseNumber(s), reference(s))).toBe(true);
        if (plainDecimal(s) !== undefined) expect(plainDecimal(s)).toBe(NUMBER.test(s));
      }),
      { numRuns: 5000 },
    );
  });

  it('reads the forms a CSV holds, and refuses the rest', () => {
    for (const [s, v] of [
      ['12', 12],
      ['-0.5', -0.5],
      ['+.5', 0.5],
      ['1.', 1],
      ['1e3', 1000],
      ['2.5E-1', 0.25],
      [' 42 ', 42],
      ['1e999', undefined],
      ['0x10', undefined],
      ['Infinity', undefined],
      ['', undefined],
      ['.', undefined],
      ['e5', undefined],
      ['1e', undefined],
      ['1-2', undefined],
    ] as const) {
      expect(parseNumber(s), s).toBe(v);
    }
  });
});
