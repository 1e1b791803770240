import type { Cell, ColumnType } from './types.js';

/** A decimal number, optionally signed, with an optional exponent; no hex, no Infinity. */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The finite number a cell holds, or undefined when it holds something else. Null is not handled here. */
export function parseNumber(cell: Cell): number | undefined {
  if (typeof cell === 'number') return Number.isFinite(cell) ? cell : undefined;
  if (typeof cell !== 'string') return undefined;
  const plain = plainDecimal(cell);
  const s = plain === undefined ? cell.trim() : cell;
  if (!(plain ?? NUMBER.test(s))) return undefined;
  const v = Number(s);
  return Number.isFinite(v) ? v : undefined;
}

const isDigit = (c: number) => c >= 48 && c <= 57;

/**
 * Whether `s` matches NUMBER, decided by a scan of its characters (every cell of every column is tested, up to
 * three times while a dataset is prepared, and the scan is several times faster than the regex); undefined when
 * `s` starts or ends with something other than a digit, a sign or a dot (whitespace to trim, say): then the
 * regex decides.
 */
export function plainDecimal(s: string): boolean | undefined {
  const n = s.length;
  if (n === 0) return false;
  const first = s.charCodeAt(0);
  const last = s.charCodeAt(n - 1);
  const edge = (c: number) => isDigit(c) || c === 43 || c === 45 || c === 46 || c === 69 || c === 101;
  if (!edge(first) || !edge(last)) return undefined;
  let i = 0;
  if (first === 43 || first === 45) i++;
  let intDigits = 0;
  while (i < n && isDigit(s.charCodeAt(i))) {
    i++;
    intDigits++;
  }
  let fracDigits = 0;
  if (i < n && s.charCodeAt(i) === 46) {
    i++;
    while (i < n && isDigit(s.charCodeAt(i))) {
      i++;
      fracDigits++;
    }
  }
  if (intDigits === 0 && fracDigits === 0) return false;
  if (i < n) {
    const e = s.charCodeAt(i);
    if (e !== 69 && e !== 101) return false;
    i++;
    if (i < n && (s.charCodeAt(i) === 43 || s.charCodeAt(i) === 45)) i++;
    let expDigits = 0;
    while (i < n && isDigit(s.charCodeAt(i))) {
      i++;
      expDigits++;
    }
    if (expDigits === 0) return false;
  }
  return i === n;
}

const TRUE = new Set(['true', 'yes']);
const FALSE = new Set(['false', 'no']);

/** true / false for JS booleans and true/false/yes/no (any case); undefined otherwise. */
export function parseBoolean(cell: Cell): boolean | undefined {
  if (typeof cell === 'boolean') return cell;
  if (typeof cell !== 'string') return undefined;
  const s = cell.trim().toLowerCase();
  if (TRUE.has(s)) return true;
  if (FALSE.has(s)) return false;
  return undefined;
}

/** Code-unit order: the same on every machine and locale (unlike localeCompare). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The text a categorical cell stands for: numbers in canonical form, booleans as 'true'/'false'. */
export function categoryOf(cell: Exclude<Cell, null>): string {
  if (typeof cell === 'string') return cell;
  return String(cell);
}

/** Shows a cell (or a column name) in an error message: shortened, control characters escaped, so the message stays one line. */
export function showCell(cell: Cell): string {
  const s = escapeControl(String(cell));
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

/** Escapes control characters and line separators, so that a message built from input stays one line. */
export function escapeControl(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  return s.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) =>
    c === '\n'
      ? '\\n'
      : c === '\r'
        ? '\\r'
        : c === '\t'
          ? '\\t'
          : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * The class label a target cell stands for, by the column's type: 'false'/'true' for booleans,
 * the canonical number for numerics ('1.0' and '1' are one class), the text otherwise.
 */
export function labelOf(cell: Exclude<Cell, null>, type: ColumnType): string | undefined {
  if (type === 'boolean') {
    const b = parseBoolean(cell);
    return b === undefined ? undefined : String(b);
  }
  if (type === 'numeric') {
    const v = parseNumber(cell);
    return v === undefined ? undefined : String(v);
  }
  return categoryOf(cell);
}
