import { ConfigError } from '../errors.js';
import { BUILTIN_PREFIX, resolveBuiltin } from './builtin.js';
import { type LoadOptions, loadTable } from './load.js';
import { applyPipeline, fitPipeline, type Pipeline, prepareData } from './preprocess.js';
import { inferSchema, type SchemaOptions, usableRows } from './schema.js';
import { splitRows } from './split.js';
import type { ColumnType, PreparedData, RawTable, Schema, SplitIndices, SplitSpec, Task } from './types.js';

export interface PrepareOptions {
  /** Target column; for a built-in dataset, defaults to the registry's. */
  target?: string;
  /** Task; inferred when absent (for a built-in dataset, the registry's). */
  task?: Task;
  split: SplitSpec;
  seed: number;
  /** Declared column types, checked against the values. */
  types?: Record<string, ColumnType>;
  /** Columns that are not features; for a built-in dataset, added to the registry's. */
  exclude?: string[];
  maxBytes?: number;
}

export interface Prepared {
  table: RawTable;
  schema: Schema;
  /** Row indices into `table.rows` (rows with a missing target are in no part). */
  split: SplitIndices;
  pipeline: Pipeline;
  data: PreparedData;
}

/**
 * Load → infer the schema → split (stratified for classification) → fit the preprocessing on
 * the training rows → encode. A pure function of the file's bytes and the options.
 */
export async function prepare(source: string, opts: PrepareOptions): Promise<Prepared> {
  const builtin = source.startsWith(BUILTIN_PREFIX) ? resolveBuiltin(source).entry : undefined;
  const load: LoadOptions = {};
  if (opts.maxBytes !== undefined) load.maxBytes = opts.maxBytes;
  const table = await loadTable(source, load);
  const target = opts.target ?? builtin?.target;
  if (target === undefined) {
    throw new ConfigError(`${source}: no target column given (columns: ${table.columns.join(', ')})`);
  }
  const sameTarget = builtin !== undefined && target === builtin.target;
  const task = opts.task ?? (sameTarget ? builtin.task : undefined);
  const schemaOpts: SchemaOptions = { exclude: [...(builtin?.exclude ?? []), ...(opts.exclude ?? [])] };
  if (opts.types !== undefined) schemaOpts.types = opts.types;
  const schema = inferSchema(table, target, task, schemaOpts);
  const split = splitTable(table, schema, opts.split, opts.seed);
  const pipeline = fitPipeline(table, schema, split.train);
  return { table, schema, split, pipeline, data: prepareData(table, schema, split, pipeline) };
}

/**
 * Splits the usable rows of a table (target present), stratified by class for classification,
 * and returns indices into `table.rows`.
 */
export function splitTable(table: RawTable, schema: Schema, spec: SplitSpec, seed: number): SplitIndices {
  const usable = usableRows(table, schema);
  let labels: Float32Array | undefined;
  if (schema.task !== 'regression') {
    // Encode the labels with a target-only pipeline: the same mapping the trainer sees.
    const targetOnly: Pipeline = {
      version: 1,
      features: [],
      nFeatures: 0,
      target: {
        name: schema.target.name,
        task: schema.task,
        type: schema.target.type,
        classes: schema.classes ?? [],
      },
    };
    labels = applyPipeline(targetOnly, table, usable).y;
  }
  const local = splitRows(usable.length, spec, seed, labels);
  const map = (part: Uint32Array): Uint32Array => part.map((i) => usable[i]!);
  return { train: map(local.train), validation: map(local.validation), test: map(local.test) };
}

export type { BuiltinEntry, Registry, ResolvedBuiltin } from './builtin.js';
