import { DataError } from '../errors.js';
import { categoryOf, compareStrings, labelOf, parseBoolean, parseNumber, showCell } from './cells.js';
import { numericColumn } from './numbers.js';
import type { ColumnSchema, ColumnType, RawTable, Schema, Task } from './types.js';

export interface SchemaOptions {
  /** Declared column types; a declared type is checked against every value, not inferred. */
  types?: Record<string, ColumnType>;
  /** Columns that are not features (identifiers, dates, leaks). */
  exclude?: string[];
}

/**
 * Types every column and decides the task. A column is numeric when every non-null value is a
 * finite number, boolean when every non-null value is true/false/yes/no (or a JS boolean), else
 * categorical. Rows whose target is missing take no part (counted in `droppedRows`).
 * Without an explicit task: numeric target → regression; otherwise binary for 2 classes and
 * multiclass for more.
 */
export function inferSchema(table: RawTable, target: string, task?: Task, opts: SchemaOptions = {}): Schema {
  const { source, columns } = table;
  const col = (name: string, what: string): number => {
    const i = columns.indexOf(name);
    if (i < 0)
      throw new DataError(
        `${source}: no ${what}column '${showCell(name)}' (columns: ${columns.map(showCell).join(', ')})`,
      );
    return i;
  };
  const t = col(target, '');
  const types = opts.types ?? {};
  for (const name of Object.keys(types)) col(name, 'such ');
  const excluded = new Set(opts.exclude ?? []);
  for (const name of excluded) col(name, 'such ');

  const kept: number[] = [];
  table.rows.forEach((row, r) => {
    if (row[t] !== null && row[t] !== undefined) kept.push(r);
  });
  const droppedRows = table.rows.length - kept.length;
  if (kept.length === 0) throw new DataError(`${source}: target column '${showCell(target)}' has no values`);

  const typeOf = (c: number): ColumnType => {
    const name = columns[c]!;
    const declared = Object.hasOwn(types, name) ? types[name] : undefined;
    if (declared !== undefined) {
      checkDeclared(table, c, declared, kept);
      return declared;
    }
    return inferType(table, c, kept);
  };

  const features: ColumnSchema[] = [];
  columns.forEach((name, c) => {
    if (c !== t && !excluded.has(name)) features.push({ name, type: typeOf(c) });
  });
  const targetSchema: ColumnSchema = { name: target, type: typeOf(t) };

  const inferred: Task =
    task ??
    (targetSchema.type === 'numeric'
      ? 'regression'
      : classesOf(table, t, targetSchema.type, kept).length === 2
        ? 'binary'
        : 'multiclass');

  if (inferred === 'regression') {
    if (targetSchema.type !== 'numeric') {
      const example = kept.map((r) => table.rows[r]![t]).find((v) => parseNumber(v!) === undefined);
      throw new DataError(
        `${source}: task 'regression' needs a numeric target, but column '${showCell(target)}' holds ${targetSchema.type} values (e.g. '${showCell(example ?? null)}')`,
      );
    }
    return { features, target: targetSchema, task: inferred, droppedRows };
  }
  const classes = classesOf(table, t, targetSchema.type, kept);
  if (classes.length < 2) {
    throw new DataError(
      `${source}: target column '${showCell(target)}' has only one class ('${showCell(classes[0] ?? '')}'); classification needs at least 2`,
    );
  }
  if (inferred === 'binary' && classes.length !== 2) {
    const shown =
      classes.length > 10
        ? `${classes.slice(0, 10).map(showCell).join(', ')}, ...`
        : classes.map(showCell).join(', ');
    throw new DataError(
      `${source}: task 'binary' needs 2 classes in column '${showCell(target)}', found ${classes.length} (${shown})`,
    );
  }
  return { features, target: targetSchema, task: inferred, classes, droppedRows };
}

function inferType(table: RawTable, c: number, rows: number[]): ColumnType {
  let numeric = true;
  let boolean = true;
  // The column's numbers, parsed once (and kept for fitting and encoding) when its first value is one.
  let numbers: Float64Array | undefined;
  for (const r of rows) {
    const v = table.rows[r]![c] ?? null;
    if (v === null) continue;
    if (numeric) {
      numbers ??= parseNumber(v) === undefined ? undefined : numericColumn(table, c);
      if (numbers === undefined || Number.isNaN(numbers[r]!)) numeric = false;
    }
    if (boolean && parseBoolean(v) === undefined) boolean = false;
    if (!numeric && !boolean) return 'categorical';
  }
  return numeric ? 'numeric' : boolean ? 'boolean' : 'categorical';
}

function checkDeclared(table: RawTable, c: number, type: ColumnType, rows: number[]): void {
  if (type === 'categorical') return;
  for (const r of rows) {
    const v = table.rows[r]![c] ?? null;
    if (v === null) continue;
    const ok = type === 'numeric' ? parseNumber(v) !== undefined : parseBoolean(v) !== undefined;
    if (!ok) {
      throw new DataError(
        `${table.source}: column '${showCell(table.columns[c]!)}' row ${r + 1}: '${showCell(v)}' is not a ${type === 'numeric' ? 'number' : 'boolean'}`,
      );
    }
  }
}

function classesOf(table: RawTable, t: number, type: ColumnType, rows: number[]): string[] {
  const seen = new Set<string>();
  for (const r of rows) {
    const v = table.rows[r]![t]!;
    seen.add(labelOf(v, type) ?? categoryOf(v));
  }
  return [...seen].sort(compareStrings);
}

/** Indices of the rows that take part (their target is present), ascending. */
export function usableRows(table: RawTable, schema: Schema): Uint32Array {
  const t = table.columns.indexOf(schema.target.name);
  if (t < 0) {
    throw new DataError(
      `${table.source}: no column '${showCell(schema.target.name)}' (columns: ${table.columns.map(showCell).join(', ')})`,
    );
  }
  const out: number[] = [];
  table.rows.forEach((row, r) => {
    if (row[t] !== null && row[t] !== undefined) out.push(r);
  });
  return Uint32Array.from(out);
}
