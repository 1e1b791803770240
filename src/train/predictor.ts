import { readFile } from 'node:fs/promises';
import { parseBytes } from '../data/load.js';
import { encodeFeatures, encodeTarget, type Pipeline, parsePipeline } from '../data/preprocess.js';
import type { Cell, RawTable, Task } from '../data/types.js';
import { DataError, LockstepError } from '../errors.js';
import { initBackend } from './backend.js';
import { loadModel as loadLayersModel, loadMetadata } from './export.js';
import { metricsFor, sigmoid, softmaxRows } from './metrics.js';
import { predictRaw } from './mlp.js';
import type * as tf from './tf.js';
import type { BackendName, EpochMetrics } from './types.js';

/** One input row: a column name to its cell (a number, a string, a boolean, or null for missing). */
export type InputRow = Record<string, Cell | undefined>;

/** What a model predicts for its rows. */
export interface Predictions {
  task: Task;
  /** One per row: the class label (classification) or the value in the target's units (regression). */
  predictions: (string | number)[];
  /** Classification only: one row of class probabilities per input row, in `classes` order. */
  probabilities?: number[][];
  /** Classification only: the class labels, in the model's output order. */
  classes?: string[];
  /** Every metric of the task, when the rows carry the target column. */
  metrics?: EpochMetrics;
  /** Columns of the input that the model does not use (neither a feature nor the target). */
  ignoredColumns: string[];
}

/** A trained model with the preprocessing it was trained with, ready to predict raw rows. */
export interface Model {
  readonly dir: string;
  readonly task: Task;
  /** The feature columns a row must have, in the model's order. */
  readonly features: readonly string[];
  readonly target: string;
  readonly classes?: readonly string[];
  /** The trial it was trained from, and its recorded test metrics (a refit) or final metrics. */
  readonly metadata: ModelMetadata;
  /** Predicts rows given as objects (e.g. parsed JSON), or a table loaded with `loadTable`. */
  predict(rows: readonly InputRow[] | RawTable): Predictions;
  /** Predicts a CSV, TSV or JSON file (the same formats as a study's dataset). */
  predictFile(file: string): Promise<Predictions>;
  dispose(): void;
}

export interface ModelMetadata {
  study?: string;
  trial?: string;
  params?: Record<string, unknown>;
  metrics?: EpochMetrics;
  weightsHash?: string;
  environment?: { backend?: string } & Record<string, unknown>;
}

/**
 * Loads a model directory written by a search's refit (`runs/<study>/best/`) or by `lockstep train`:
 * the tfjs layers model plus `metadata.json`, whose recorded preprocessing is applied to every row
 * exactly as in training (the training rows' medians, means and categories; an unseen category
 * encodes as all zeros). Predictions on a study's test rows give its recorded test metrics, bit for bit.
 */
export async function loadModel(dir: string): Promise<Model> {
  const raw = (await loadMetadata(dir)) as ModelMetadata & { preprocessing?: unknown };
  if (raw === null || typeof raw !== 'object' || raw.preprocessing === undefined) {
    throw new DataError(
      `${dir}/metadata.json: no recorded preprocessing; expected a model written by lockstep`,
    );
  }
  const pipeline = parsePipeline(raw.preprocessing, `${dir}/metadata.json: preprocessing`);
  const backend = (raw.environment?.backend ?? 'wasm') as BackendName;
  await initBackend(backend);
  const model = await loadLayersModel(dir);
  return new LoadedModel(dir, model, pipeline, raw);
}

class LoadedModel implements Model {
  readonly task: Task;
  readonly features: readonly string[];
  readonly target: string;
  readonly classes?: readonly string[];
  private readonly dense: ReturnType<tf.LayersModel['getLayer']>[];

  constructor(
    readonly dir: string,
    private readonly model: tf.LayersModel,
    private readonly pipeline: Pipeline,
    readonly metadata: ModelMetadata,
  ) {
    const t = pipeline.target;
    this.task = t.task;
    this.target = t.name;
    if (t.task !== 'regression') this.classes = t.classes;
    this.features = pipeline.features.map((f) => f.name);
    this.dense = model.layers.filter((l) => l.getClassName() === 'Dense');
  }

  predict(rows: readonly InputRow[] | RawTable): Predictions {
    const table = Array.isArray(rows) ? tableOf(rows as readonly InputRow[]) : (rows as RawTable);
    const missing = this.features.filter((f) => !table.columns.includes(f));
    if (missing.length > 0) {
      throw new DataError(
        `${table.source}: missing column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')}; the model needs ${this.features.map((f) => `'${f}'`).join(', ')}`,
      );
    }
    const known = new Set([...this.features, this.target]);
    const ignoredColumns = table.columns.filter((c) => !known.has(c));
    const all = Uint32Array.from(table.rows.keys());
    const n = all.length;
    const x = encodeFeatures(this.pipeline, table, all);
    const k = this.task === 'multiclass' ? this.classes!.length : 1;
    const outputs = predictRaw(this.dense, x, n, this.pipeline.nFeatures);
    const out: Predictions = { task: this.task, predictions: [], ignoredColumns };
    const t = this.pipeline.target;
    if (t.task === 'regression') {
      out.predictions = Array.from(outputs, (v) => v * t.std + t.mean);
    } else if (t.task === 'binary') {
      out.classes = [...t.classes];
      out.predictions = Array.from(outputs, (v) => t.classes[v > 0 ? 1 : 0]!);
      out.probabilities = Array.from(outputs, (v) => {
        const p = sigmoid(v);
        return [1 - p, p];
      });
    } else {
      out.classes = [...t.classes];
      const probs = softmaxRows(outputs, k);
      for (let i = 0; i < n; i++) {
        let best = 0;
        for (let c = 1; c < k; c++) if (outputs[i * k + c]! > outputs[i * k + best]!) best = c;
        out.predictions.push(t.classes[best]!);
      }
      out.probabilities = Array.from({ length: n }, (_, i) => Array.from(probs.subarray(i * k, i * k + k)));
    }
    // Rows that carry every target value are scored with the training's own metric code.
    const c = table.columns.indexOf(this.target);
    if (c >= 0 && n > 0 && table.rows.every((r) => r[c] !== null && r[c] !== undefined)) {
      const y = encodeTarget(this.pipeline, table, all);
      const scale = t.task === 'regression' ? { mean: t.mean, std: t.std } : undefined;
      out.metrics = metricsFor(this.task, outputs, y, k, scale);
    }
    return out;
  }

  async predictFile(file: string): Promise<Predictions> {
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code;
      throw new LockstepError(
        code === 'ENOENT' ? 'E_NOT_FOUND' : 'E_IO',
        `${file}: ${code === 'ENOENT' ? 'no such file' : (cause as Error).message}`,
        { cause },
      );
    }
    return this.predict(parseBytes(file, bytes));
  }

  dispose(): void {
    this.model.dispose();
  }
}

/** Rows given as objects, as a table: the columns are the union of their keys, in first-seen order. */
function tableOf(rows: readonly InputRow[]): RawTable {
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const r of rows) {
    for (const key of Object.keys(r)) {
      if (!seen.has(key)) {
        seen.add(key);
        columns.push(key);
      }
    }
  }
  return {
    source: 'rows',
    hash: '',
    columns,
    rows: rows.map((r) => columns.map((c) => r[c] ?? null)),
  };
}
