/** The data pipeline: load, type, split, preprocess, built-in and synthetic datasets. */
export { builtinNames, loadRegistry, resolveBuiltin, verifyBuiltinHash } from './builtin.js';
export { sha256Hex } from './hash.js';
export { LOAD_DEFAULTS, loadTable, parseBytes } from './load.js';
export { prepare, splitTable } from './prepare.js';
export { applyPipeline, fitPipeline, PipelineSchema, parsePipeline, prepareData } from './preprocess.js';
export { inferSchema, usableRows } from './schema.js';
export { splitHoldout, splitKFold, splitRows } from './split.js';
export { SYNTHETIC_DEFAULTS, syntheticCsv, syntheticTable } from './synthetic.js';

// Types

export type { LoadOptions } from './load.js';
export type { Prepared, PrepareOptions } from './prepare.js';
export type { Encoded, FeatureStep, Pipeline, TargetStep } from './preprocess.js';
export type { SchemaOptions } from './schema.js';
export type { HoldoutSpec, KFoldSpec } from './split.js';
export type { SyntheticOptions } from './synthetic.js';
export type {
  Cell,
  ColumnSchema,
  ColumnType,
  Part,
  PreparedData,
  RawTable,
  Schema,
  SplitIndices,
  SplitSpec,
  Task,
} from './types.js';
