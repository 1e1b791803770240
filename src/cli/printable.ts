/**
 * Characters a terminal may act on rather than show: C0 controls (ESC starts a colour, a title, a cursor
 * move), DEL, C1 controls (U+009B is an 8-bit CSI), line and paragraph separators, and the bidirectional
 * marks and overrides that reorder what is shown.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text from a ledger (a categorical value, a trial id, a study name, an error) as it may be written to a
 * terminal: every character above as a `\uXXXX` escape (`\n`, `\r`, `\t` by their names), so that
 * `show` prints what the ledger holds and a value can never colour, move or rewrite the screen. The
 * `--json` outputs keep the exact values.
 */
export function printable(s: string): string {
  return s.replace(UNPRINTABLE, (c) =>
    c === '\n'
      ? '\\n'
      : c === '\r'
        ? '\\r'
        : c === '\t'
          ? '\\t'
          : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
