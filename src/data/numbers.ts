import { parseNumber } from './cells.js';
import type { Cell, RawTable } from './types.js';

/**
 * Every cell of a column as the number it holds (parseNumber), NaN where it is missing or not a number: parsed
 * once per table and column. Typing, fitting and encoding each read every cell of a numeric column; before, each
 * parsed the text again (three parses per cell while a dataset is prepared). Keyed by the table's rows array,
 * which nothing modifies once a table is loaded.
 */
const columns = new WeakMap<readonly (readonly Cell[])[], Map<number, Float64Array>>();

export function numericColumn(table: RawTable, c: number): Float64Array {
  let byColumn = columns.get(table.rows);
  if (byColumn === undefined) {
    byColumn = new Map();
    columns.set(table.rows, byColumn);
  }
  let values = byColumn.get(c);
  if (values === undefined) {
    const rows = table.rows;
    values = new Float64Array(rows.length);
    for (let r = 0; r < rows.length; r++) {
      const v = rows[r]![c] ?? null;
      values[r] = v === null ? Number.NaN : (parseNumber(v) ?? Number.NaN);
    }
    byColumn.set(c, values);
  }
  return values;
}
