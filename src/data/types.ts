/** Shared shapes of the data pipeline. The pipeline itself lives beside this file. */

export type ColumnType = 'numeric' | 'categorical' | 'boolean';
export type Task = 'binary' | 'multiclass' | 'regression';
export type Cell = string | number | boolean | null;

/** A loaded table: raw cells (null = missing), and the SHA-256 of the source bytes. */
export interface RawTable {
  /** Where it came from: a file path, or `builtin:<name>`. */
  source: string;
  /** SHA-256 (hex) of the file's bytes. */
  hash: string;
  columns: string[];
  rows: Cell[][];
}

export interface ColumnSchema {
  name: string;
  type: ColumnType;
}

export interface Schema {
  features: ColumnSchema[];
  target: ColumnSchema;
  task: Task;
  /** Class labels in sorted order (classification only); the index is the encoded label. */
  classes?: string[];
  /** Rows left out because their target is missing (they are in no split part). */
  droppedRows?: number;
}

export type SplitSpec =
  | { kind: 'holdout'; train: number; validation: number; test: number }
  | { kind: 'kfold'; k: number; fold: number; test: number };

/** Row indices of each part, each sorted ascending. */
export interface SplitIndices {
  train: Uint32Array;
  validation: Uint32Array;
  test: Uint32Array;
}

/** One part of a prepared dataset: row-major features and encoded targets. */
export interface Part {
  /** n × nFeatures, row-major. */
  x: Float32Array;
  /**
   * Targets: binary → 0/1; multiclass → class index; regression → standardised value
   * (y − mean) / std with the training mean and std of the pipeline.
   */
  y: Float32Array;
  n: number;
}

/** What the trainer consumes: tensors-to-be for train, validation and test. */
export interface PreparedData {
  task: Task;
  nFeatures: number;
  /** 1 for binary and regression, the number of classes for multiclass. */
  nOutputs: number;
  /** For regression: how to turn a standardised prediction back into the target's units. */
  targetScale?: { mean: number; std: number };
  train: Part;
  validation: Part;
  test: Part;
  /** SHA-256 of the source dataset. */
  datasetHash: string;
}
