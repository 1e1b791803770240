import * as z from 'zod';
import { DataError } from '../errors.js';
import { zodLine } from '../zod-line.js';
import { categoryOf, compareStrings, labelOf, parseBoolean, showCell } from './cells.js';
import { numericColumn } from './numbers.js';
import type { Cell, PreparedData, RawTable, Schema, SplitIndices } from './types.js';

const NumericStep = z.strictObject({
  name: z.string(),
  type: z.literal('numeric'),
  /** Training median, used for a missing value. */
  impute: z.number(),
  mean: z.number(),
  /** Training standard deviation (population), 1 when it is 0. */
  std: z.number().positive(),
});

const BooleanStep = z.strictObject({
  name: z.string(),
  type: z.literal('boolean'),
  /** Most frequent training value (0 or 1), used for a missing value. */
  impute: z.union([z.literal(0), z.literal(1)]),
});

const CategoricalStep = z.strictObject({
  name: z.string(),
  type: z.literal('categorical'),
  /** Training categories, sorted; one output column each. An unseen category encodes as all zeros. */
  categories: z.array(z.string()),
  /** Most frequent training category, used for a missing value; null when training saw none. */
  impute: z.string().nullable(),
});

const FeatureStep = z.discriminatedUnion('type', [NumericStep, BooleanStep, CategoricalStep]);

const TargetStep = z.discriminatedUnion('task', [
  z.strictObject({
    name: z.string(),
    task: z.literal('regression'),
    mean: z.number(),
    std: z.number().positive(),
  }),
  z.strictObject({
    name: z.string(),
    task: z.enum(['binary', 'multiclass']),
    type: z.enum(['numeric', 'categorical', 'boolean']),
    classes: z.array(z.string()).min(2),
  }),
]);

/** A fitted preprocessing pipeline: plain JSON, stored in the ledger, rebuilt bit for bit on replay. */
export const PipelineSchema = z.strictObject({
  version: z.literal(1),
  features: z.array(FeatureStep),
  target: TargetStep,
  /** Width of an encoded row. */
  nFeatures: z.number().int().nonnegative(),
});

export type Pipeline = z.infer<typeof PipelineSchema>;
export type FeatureStep = z.infer<typeof FeatureStep>;
export type TargetStep = z.infer<typeof TargetStep>;

/** Encoded part of a table. */
export interface Encoded {
  x: Float32Array;
  y: Float32Array;
  n: number;
}

/**
 * Fits imputation, standardisation and one-hot encoding on the training rows only, so that
 * nothing about validation or test rows leaks into the features.
 */
export function fitPipeline(table: RawTable, schema: Schema, trainRows: Uint32Array): Pipeline {
  if (trainRows.length === 0)
    throw new DataError(`${table.source}: cannot fit preprocessing on 0 training rows`);
  const features: FeatureStep[] = schema.features.map((f) => {
    const c = columnIndex(table, f.name);
    if (f.type === 'numeric') {
      const nums = numericColumn(table, c);
      const values: number[] = [];
      for (const r of trainRows) {
        const x = nums[r]!;
        // NaN: the cell is missing (skipped) or not a number (an error).
        if (!Number.isNaN(x)) values.push(x);
        else {
          const v = table.rows[r]![c] ?? null;
          if (v !== null) numberAt(table, nums, c, r, v);
        }
      }
      const { mean, std } = meanStd(values);
      return { name: f.name, type: 'numeric', impute: median(values), mean, std };
    }
    if (f.type === 'boolean') {
      let ones = 0;
      let zeros = 0;
      for (const r of trainRows) {
        const v = table.rows[r]![c] ?? null;
        if (v === null) continue;
        if (booleanAt(table, c, r, v)) ones++;
        else zeros++;
      }
      return { name: f.name, type: 'boolean', impute: ones > zeros ? 1 : 0 };
    }
    const counts = new Map<string, number>();
    for (const r of trainRows) {
      const v = table.rows[r]![c] ?? null;
      if (v === null) continue;
      const k = categoryOf(v);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    const categories = [...counts.keys()].sort(compareStrings);
    let impute: string | null = null;
    let best = 0;
    for (const k of categories) {
      const n = counts.get(k)!;
      if (n > best) {
        best = n;
        impute = k;
      }
    }
    return { name: f.name, type: 'categorical', categories, impute };
  });
  const width = features.reduce((a, f) => a + (f.type === 'categorical' ? f.categories.length : 1), 0);
  return { version: 1, features, target: fitTarget(table, schema, trainRows), nFeatures: width };
}

function fitTarget(table: RawTable, schema: Schema, trainRows: Uint32Array): TargetStep {
  const name = schema.target.name;
  if (schema.task === 'regression') {
    const c = columnIndex(table, name);
    const nums = numericColumn(table, c);
    const values: number[] = [];
    for (const r of trainRows) {
      const v = table.rows[r]![c] ?? null;
      if (v === null) throw missingTarget(table, name, r);
      values.push(numberAt(table, nums, c, r, v));
    }
    const { mean, std } = meanStd(values);
    return { name, task: 'regression', mean, std };
  }
  const classes = schema.classes;
  if (classes === undefined || classes.length < 2) {
    throw new DataError(`${table.source}: schema of target '${name}' has no classes; infer the schema again`);
  }
  return { name, task: schema.task, type: schema.target.type, classes: [...classes] };
}

/**
 * Encodes the given rows: standardised numerics, booleans as 0/1, one-hot categoricals (an
 * unseen category is all zeros), in the pipeline's column order; targets as in `Part`.
 */
export function applyPipeline(p: Pipeline, table: RawTable, rows: Uint32Array): Encoded {
  return { x: encodeFeatures(p, table, rows), y: encodeTarget(p, table, rows), n: rows.length };
}

/** The feature part of applyPipeline: n × nFeatures, row-major. The target column need not be there. */
export function encodeFeatures(p: Pipeline, table: RawTable, rows: Uint32Array): Float32Array {
  const n = rows.length;
  const width = p.nFeatures;
  const x = new Float32Array(n * width);
  let offset = 0;
  for (const f of p.features) {
    const c = columnIndex(table, f.name);
    if (f.type === 'numeric') {
      const nums = numericColumn(table, c);
      for (let i = 0; i < n; i++) {
        const r = rows[i]!;
        let value = nums[r]!;
        if (Number.isNaN(value)) {
          const v = table.rows[r]![c] ?? null;
          value = v === null ? f.impute : numberAt(table, nums, c, r, v);
        }
        x[i * width + offset] = (value - f.mean) / f.std;
      }
      offset += 1;
    } else if (f.type === 'boolean') {
      for (let i = 0; i < n; i++) {
        const r = rows[i]!;
        const v = table.rows[r]![c] ?? null;
        x[i * width + offset] = v === null ? f.impute : booleanAt(table, c, r, v) ? 1 : 0;
      }
      offset += 1;
    } else {
      const index = new Map(f.categories.map((k, j) => [k, j]));
      for (let i = 0; i < n; i++) {
        const v = table.rows[rows[i]!]![c] ?? null;
        const k = v === null ? f.impute : categoryOf(v);
        const j = k === null ? undefined : index.get(k);
        if (j !== undefined) x[i * width + offset + j] = 1;
      }
      offset += f.categories.length;
    }
  }
  if (offset !== width) {
    throw new DataError(
      `${table.source}: pipeline says ${width} encoded columns but its steps give ${offset}`,
    );
  }
  return x;
}

/** The target part of applyPipeline: class indices, or standardised values for a regression. */
export function encodeTarget(p: Pipeline, table: RawTable, rows: Uint32Array): Float32Array {
  const n = rows.length;
  const y = new Float32Array(n);
  const t = p.target;
  const c = columnIndex(table, t.name);
  if (t.task === 'regression') {
    const nums = numericColumn(table, c);
    for (let i = 0; i < n; i++) {
      const r = rows[i]!;
      const v = table.rows[r]![c] ?? null;
      if (v === null) throw missingTarget(table, t.name, r);
      y[i] = (numberAt(table, nums, c, r, v) - t.mean) / t.std;
    }
  } else {
    const index = new Map(t.classes.map((k, j) => [k, j]));
    for (let i = 0; i < n; i++) {
      const r = rows[i]!;
      const v = table.rows[r]![c] ?? null;
      if (v === null) throw missingTarget(table, t.name, r);
      const label = labelOf(v, t.type) ?? categoryOf(v);
      const j = index.get(label);
      if (j === undefined) {
        throw new DataError(
          `${table.source}: column '${t.name}' row ${r + 1}: class '${showCell(label)}' is not one of ${t.classes.join(', ')}`,
        );
      }
      y[i] = j;
    }
  }
  return y;
}

/** Encodes the three parts of a split with a fitted pipeline. */
export function prepareData(
  table: RawTable,
  schema: Schema,
  split: SplitIndices,
  pipeline: Pipeline,
): PreparedData {
  const data: PreparedData = {
    task: schema.task,
    nFeatures: pipeline.nFeatures,
    nOutputs: schema.task === 'multiclass' ? (schema.classes?.length ?? 0) : 1,
    train: applyPipeline(pipeline, table, split.train),
    validation: applyPipeline(pipeline, table, split.validation),
    test: applyPipeline(pipeline, table, split.test),
    datasetHash: table.hash,
  };
  if (pipeline.target.task === 'regression') {
    data.targetScale = { mean: pipeline.target.mean, std: pipeline.target.std };
  }
  return data;
}

/** Validates a pipeline read back from JSON (e.g. from a ledger). */
export function parsePipeline(value: unknown, where = 'pipeline'): Pipeline {
  const r = PipelineSchema.safeParse(value);
  if (!r.success) throw new DataError(zodLine(r.error, { where, emptyPath: '(root)' }));
  return r.data;
}

function columnIndex(table: RawTable, name: string): number {
  const c = table.columns.indexOf(name);
  if (c < 0)
    throw new DataError(`${table.source}: no column '${name}' (columns: ${table.columns.join(', ')})`);
  return c;
}

/** The number of cell (r, c), which holds `v`, from its column's numbers (numericColumn); an error naming it when none. */
function numberAt(table: RawTable, nums: Float64Array, c: number, r: number, v: Exclude<Cell, null>): number {
  const x = nums[r]!;
  if (Number.isNaN(x)) {
    throw new DataError(
      `${table.source}: column '${table.columns[c]}' row ${r + 1}: '${showCell(v)}' is not a number`,
    );
  }
  return x;
}

function booleanAt(table: RawTable, c: number, r: number, v: Exclude<Cell, null>): boolean {
  const b = parseBoolean(v);
  if (b === undefined) {
    throw new DataError(
      `${table.source}: column '${table.columns[c]}' row ${r + 1}: '${showCell(v)}' is not a boolean`,
    );
  }
  return b;
}

function missingTarget(table: RawTable, name: string, r: number): DataError {
  return new DataError(`${table.source}: column '${name}' row ${r + 1}: the target is missing`);
}

/** Mean and population standard deviation (two passes, in row order); std 0 → 1. */
function meanStd(values: number[]): { mean: number; std: number } {
  if (values.length === 0) return { mean: 0, std: 1 };
  // A constant column standardises to exactly 0 (its mean could carry rounding noise).
  if (values.every((v) => v === values[0])) return { mean: values[0]! + 0, std: 1 };
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / values.length;
  let ss = 0;
  for (const v of values) ss += (v - mean) * (v - mean);
  const std = Math.sqrt(ss / values.length);
  // A constant column can leave rounding noise in std; treat it as 0. `+ 0` turns −0 into 0,
  // which JSON cannot carry, so that a round trip through JSON keeps every bit.
  const constant = !(std > 1e-12 * Math.max(1, Math.abs(mean))) || !Number.isFinite(std);
  return { mean: mean + 0, std: constant ? 1 : std };
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const s = Float64Array.from(values).sort();
  const mid = s.length >> 1;
  return (s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2) + 0;
}
