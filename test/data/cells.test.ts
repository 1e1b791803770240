import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseNumber, plainDecimal } from '../../src/data/cells.js';
import { splitPlain } from '../../src/data/load.js';

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

describe('splitPlain (the fast path of CSV loading)', () => {
  const options = (delimiter: string) => ({
    bom: true,
    delimiter,
    relax_column_count: true,
    skip_empty_lines: true,
  });

  it('gives what csv-parse gives for every quote-free text it accepts, and declines the rest', () => {
    const piece = fc.constantFrom('a', '1', '.5', ' ', ',', '\t', '\n', '\r\n', '\r', '"', 'é', '');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), fc.constantFrom(',', '\t'), (ps, delimiter) => {
        const text = ps.join('');
        const fast = splitPlain(text, delimiter as ',' | '\t');
        if (text.includes('"')) expect(fast).toBeUndefined();
        if (fast === undefined) return;
        let reference: string[][];
        try {
          reference = parse(text, options(delimiter)) as string[][];
        } catch {
          return; // csv-parse refuses it; the loader then reports csv-parse's error (the fast path is not taken).
        }
        expect(fast).toEqual(reference);
      }),
      { numRuns: 4000 },
    );
  });

  it('takes the usual files: \\n or \\r\\n endings, trailing newline, empty lines', () => {
    expect(splitPlain('a,b\n1,2\n\n3,4\n', ',')).toEqual([
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
    ]);
    expect(splitPlain('a\tb\r\n1\t2\r\n', '\t')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(splitPlain('a,b\n"x",1\n', ',')).toBeUndefined();
    expect(splitPlain('a,b\r\n1,2\n3,4', ',')).toBeUndefined();
  });
});
