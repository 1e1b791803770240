import { createHash } from 'node:crypto';
import os from 'node:os';
import type { Part, PreparedData, Task } from '../data/types.js';
import { LockstepError } from '../errors.js';
import { exp, log, log1p } from '../math/index.js';
import { Stream, withMathRandom } from '../rng/index.js';
import { checkMetric, defaultMetric, metricsFor } from './metrics.js';
import { buildMlp, initialWeights, predictRaw } from './mlp.js';
import { type FlatLayout, FlatTrainer } from './step.js';
import * as tf from './tf.js';
import type { EpochCallback, EpochMetrics, MetricName, MlpParams, TrainOutcome } from './types.js';

export interface TrainOptions {
  /** The trial's seed: every stream of the trial is derived from it. */
  seed: number;
  /** The metric that becomes the score; the task's default when absent. */
  metric?: MetricName;
  onEpoch?: EpochCallback;
  /** Return the trained model (the caller then owns it and must dispose it). */
  keepModel?: boolean;
}

export type TrainResult = TrainOutcome & { model?: tf.LayersModel };

const LITTLE_ENDIAN = os.endianness() === 'LE';

/** SHA-256 over all weights in model order, as float32 little-endian bytes. */
export function weightsHash(model: tf.LayersModel): string {
  // getWeights returns the variables themselves: read, never dispose.
  return hashFloat32(model.getWeights().map((w) => w.dataSync() as Float32Array));
}

/**
 * SHA-256 of float32 arrays in order, as little-endian bytes. The flat parameters `[W1, b1, W2, b2, …]` hash as
 * their model's weights do (the same values in the same order), so a trial that keeps no model needs none.
 */
function hashFloat32(parts: readonly Float32Array[]): string {
  const h = createHash('sha256');
  for (const v of parts) {
    if (LITTLE_ENDIAN) {
      h.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    } else {
      const b = Buffer.alloc(v.byteLength);
      for (let i = 0; i < v.length; i++) b.writeFloatLE(v[i]!, i * 4);
      h.update(b);
    }
  }
  return h.digest('hex');
}

/**
 * Draws one step's inverted-dropout masks (one per hidden layer, rows × units) from the epoch's
 * dropout stream, in sequence, into `masks` (preallocated, batch size × units each): keep with
 * probability 1 − p, kept units scaled by 1 / (1 − p). Returns views of the first rows × units values.
 */
function dropoutMasks(
  stream: Stream,
  masks: readonly Float32Array[],
  rows: number,
  units: readonly number[],
  p: number,
): Float32Array[] {
  const threshold = p * 0x100000000;
  const scale = 1 / (1 - p);
  return units.map((u, i) => {
    const m = masks[i]!;
    stream.fillThreshold(m, rows * u, threshold, scale);
    return m.subarray(0, rows * u);
  });
}

/**
 * Trains an MLP on data.train, measuring data.validation after every epoch, in its own loop:
 * the permutation of epoch e comes from `Stream.of(seed, 'shuffle', e)`, the dropout masks of
 * epoch e from `Stream.of(seed, 'dropout', e)`, the initial weights from `Stream.of(seed, 'init', i)`.
 * Math.random is replaced by the trial's own stream throughout. No tensor outlives the call
 * except the returned model (keepModel).
 *
 * @throws LockstepError E_TRIAL when the training loss becomes NaN or infinite.
 */
export function trainMlp(data: PreparedData, params: MlpParams, opts: TrainOptions): Promise<TrainResult> {
  const metric = checkMetric(data.task, opts.metric ?? defaultMetric(data.task));
  // tfjs-layers draws on Math.random when it loads (seedrandom's pool): loaded here, never inside the trial.
  if (opts.keepModel) tf.layersLib();
  return withMathRandom(Stream.of(opts.seed, 'math-random'), async () => train(data, params, opts, metric));
}

/**
 * The summed loss of one batch in float64, from the outputs the step computed (before its
 * update): binary cross-entropy on logits, softmax cross-entropy, or squared error averaged
 * over the outputs. The l2 term is added by the caller.
 */
function batchLossSum(task: Task, out: Float32Array, y: Float32Array, rows: number, k: number): number {
  let sum = 0;
  switch (task) {
    case 'binary':
      for (let i = 0; i < rows; i++) {
        const z = out[i]!;
        sum += Math.max(z, 0) - z * y[i]! + log1p(exp(-Math.abs(z)));
      }
      return sum;
    case 'multiclass':
      for (let i = 0; i < rows; i++) {
        let max = Number.NEGATIVE_INFINITY;
        for (let c = 0; c < k; c++) max = Math.max(max, out[i * k + c]!);
        let se = 0;
        for (let c = 0; c < k; c++) se += exp(out[i * k + c]! - max);
        sum += max + log(se) - out[i * k + y[i]!]!;
      }
      return sum;
    case 'regression':
      for (let i = 0; i < rows * k; i++) {
        const d = out[i]! - y[i]!;
        sum += d * d;
      }
      return sum / k;
    default: {
      const never: never = task;
      throw new LockstepError('E_TRIAL', `unknown task ${String(never)}`);
    }
  }
}

/** Σ‖W‖² over the kernels of the flat parameters, in float64, in layout order. */
function kernelSquares(theta: Float32Array, kernels: Uint32Array): number {
  let sum = 0;
  for (let r = 0; r < kernels.length; r += 2) {
    const end = kernels[r + 1]!;
    for (let j = kernels[r]!; j < end; j++) sum += theta[j]! * theta[j]!;
  }
  return sum;
}

/** The [start, end) ranges of the kernels in the flat parameters, in layout order, as pairs. */
function kernelRanges(layout: FlatLayout): Uint32Array {
  const out: number[] = [];
  layout.shapes.forEach((shape, i) => {
    if (shape.length !== 2) return;
    const off = layout.offsets[i]!;
    out.push(off, off + shape[0]! * shape[1]!);
  });
  return Uint32Array.from(out);
}

/** What one epoch's batches need: the data, the trainer and the per-trial batch buffers. */
interface EpochContext {
  task: Task;
  params: MlpParams;
  seed: number;
  trainer: FlatTrainer;
  /** Training rows. */
  n: number;
  xAll: Float32Array;
  yAll: Float32Array;
  nFeatures: number;
  nOutputs: number;
  yWidth: number;
  xb: Float32Array;
  yb: Float32Array;
  labels: Float32Array;
  maskBuffers: Float32Array[];
  /** kernelRanges of the trainer's layout. */
  kernels: Uint32Array;
  /**
   * Each training row's features as a view of xAll, for rows of 16 or more features (one memcpy each): made once
   * per trial, where a subarray per row and epoch made ~60,000 short-lived objects per epoch of a large set.
   */
  rowViews: Float32Array[] | undefined;
}

/**
 * Runs every batch of epoch `epoch` (rows in the epoch's seeded order, fresh dropout masks per step) and returns
 * the summed data loss (without the L2 term). Kept apart from the per-epoch code (validation, metrics, callbacks): V8 optimises
 * this hot loop once, instead of re-optimising one big function each time the cold part is first reached.
 */
function trainEpoch(epoch: number, c: EpochContext): number {
  const { task, params, trainer, n, xAll, yAll, nFeatures, nOutputs, yWidth, xb, yb, labels, rowViews } = c;
  const bs = params.batchSize;
  const hiddenUnits = params.units;
  const order = Stream.of(c.seed, 'shuffle', epoch).permutation(n);
  const dropStream = params.dropout > 0 ? Stream.of(c.seed, 'dropout', epoch) : undefined;
  let lossSum = 0;
  for (let start = 0; start < n; start += bs) {
    const end = Math.min(n, start + bs);
    const rows = end - start;
    // The batch, gathered on this side: rows in the epoch's order.
    if (task === 'multiclass') yb.fill(0, 0, rows * yWidth);
    for (let r = 0; r < rows; r++) {
      const i = order[start + r]!;
      const from = i * nFeatures;
      const to = r * nFeatures;
      // A wide row is one memcpy from its view (made once per trial); a narrow one is cheaper copied.
      if (rowViews !== undefined) xb.set(rowViews[i]!, to);
      else for (let j = 0; j < nFeatures; j++) xb[to + j] = xAll[from + j]!;
      labels[r] = yAll[i]!;
      if (task === 'multiclass') yb[r * yWidth + yAll[i]!] = 1;
      else yb[r] = yAll[i]!;
    }
    const maskData = dropStream
      ? dropoutMasks(dropStream, c.maskBuffers, rows, hiddenUnits, params.dropout)
      : undefined;
    // Outputs before the step (a view valid until the next step: read at once).
    const out = trainer.stepArrays(
      xb.subarray(0, rows * nFeatures),
      yb.subarray(0, rows * yWidth),
      maskData,
      rows,
    );
    lossSum += batchLossSum(task, out, labels, rows, nOutputs);
  }
  return lossSum;
}

async function train(
  data: PreparedData,
  params: MlpParams,
  opts: TrainOptions,
  metric: MetricName,
): Promise<TrainResult> {
  const { task, nFeatures, nOutputs } = data;
  const n = data.train.n;
  if (n === 0) throw new LockstepError('E_DATA', 'the training part has no rows');
  // The tfjs model only when the caller keeps it: a trial trains, measures and hashes the flat parameters.
  const mlp = opts.keepModel ? buildMlp(nFeatures, nOutputs, params, opts.seed) : undefined;
  const trainer = new FlatTrainer(
    task,
    params,
    nFeatures,
    nOutputs,
    initialWeights(nFeatures, nOutputs, params, opts.seed),
  );
  const xAll = data.train.x;
  const yAll = data.train.y;
  const hiddenUnits = params.units;
  // The loss's target per row: one-hot for multiclass, the value otherwise.
  const yWidth = task === 'multiclass' ? nOutputs : 1;
  const bs = params.batchSize;
  const xb = new Float32Array(bs * nFeatures);
  const yb = new Float32Array(bs * yWidth);
  const labels = new Float32Array(bs);
  const maskBuffers = params.dropout > 0 ? hiddenUnits.map((u) => new Float32Array(bs * u)) : [];
  const ctx: EpochContext = {
    task,
    params,
    seed: opts.seed,
    trainer,
    n,
    xAll,
    yAll,
    nFeatures,
    nOutputs,
    yWidth,
    xb,
    yb,
    labels,
    maskBuffers,
    kernels: kernelRanges(trainer.layout),
    rowViews:
      nFeatures >= 16
        ? Array.from({ length: n }, (_, i) => xAll.subarray(i * nFeatures, (i + 1) * nFeatures))
        : undefined,
  };
  const history: EpochMetrics[] = [];
  let stopped = false;
  let kept = false;

  try {
    for (let epoch = 1; epoch <= params.epochs; epoch++) {
      const lossSum = trainEpoch(epoch, ctx);
      // The epoch's mean data loss (each batch at the parameters before its step), plus the L2 term once, at
      // the epoch's final parameters: a float64 sum over every kernel entry per batch cost as much as the
      // step's arithmetic on wide layers (numeric version 3; version 2 added it at every batch).
      const trainLoss =
        lossSum / n + (params.l2 > 0 ? params.l2 * kernelSquares(trainer.thetaValues(), ctx.kernels) : 0);
      if (!Number.isFinite(trainLoss)) {
        throw new LockstepError('E_TRIAL', `training diverged: loss is ${trainLoss} at epoch ${epoch}`);
      }
      // At the current parameters, without the model (the same bits as writeTo + predictRaw).
      const outputs = trainer.predictArrays(data.validation.x, data.validation.n);
      const metrics: EpochMetrics = {
        train_loss: trainLoss,
        ...metricsFor(task, outputs, data.validation.y, nOutputs, data.targetScale),
      };
      history.push(metrics);
      if (opts.onEpoch?.(epoch, metrics) === 'stop') {
        stopped = epoch < params.epochs;
        break;
      }
    }
    // The final parameters, also when the trial stopped early, into the kept model. A trial that throws
    // returns no model (it is disposed below).
    if (mlp !== undefined) trainer.writeTo(mlp.layers);
    const last = history[history.length - 1]!;
    const result: TrainResult = {
      history,
      metrics: last,
      score: last[metric]!,
      weightsHash:
        mlp !== undefined ? weightsHash(mlp.model) : hashFloat32([trainer.theta.dataSync() as Float32Array]),
      epochs: history.length,
      stopped,
    };
    if (mlp !== undefined) {
      result.model = mlp.model;
      kept = true;
    }
    return result;
  } finally {
    trainer.dispose();
    if (!kept) mlp?.model.dispose();
  }
}

export type PartName = 'train' | 'validation' | 'test';

/** Scores a kept model on one part of the data (e.g. the test part after the final refit). */
export function evaluateModel(
  model: tf.LayersModel,
  part: PartName,
  data: PreparedData,
  metric?: MetricName,
): { metrics: EpochMetrics; score: number } {
  const chosen = checkMetric(data.task, metric ?? defaultMetric(data.task));
  const p: Part = data[part];
  const layers = model.layers.filter((l) => l.getClassName() === 'Dense');
  const outputs = predictRaw(layers, p.x, p.n, data.nFeatures);
  const metrics = metricsFor(data.task, outputs, p.y, data.nOutputs, data.targetScale);
  return { metrics, score: metrics[chosen]! };
}
