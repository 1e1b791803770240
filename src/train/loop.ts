import { createHash } from 'node:crypto';
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import type { Part, PreparedData } from '../data/types.js';
import { LockstepError } from '../errors.js';
import { Stream, withMathRandom } from '../rng/index.js';
import { checkMetric, defaultMetric, metricsFor } from './metrics.js';
import { buildMlp, forward, predictRaw } from './mlp.js';
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
  const h = createHash('sha256');
  // getWeights returns the variables themselves: read, never dispose.
  for (const w of model.getWeights()) {
    const v = w.dataSync() as Float32Array;
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

function makeOptimizer(params: MlpParams): tf.Optimizer {
  switch (params.optimizer) {
    case 'adam':
      return tf.train.adam(params.learningRate);
    case 'sgd':
      return params.momentum > 0
        ? tf.train.momentum(params.learningRate, params.momentum)
        : tf.train.sgd(params.learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(params.learningRate, 0.9, params.momentum);
    default: {
      const never: never = params.optimizer;
      throw new LockstepError('E_PARAM', `params.optimizer: unknown optimizer ${String(never)}`);
    }
  }
}

/**
 * Draws one step's inverted-dropout masks (one per hidden layer, rows × units) from the epoch's
 * dropout stream, in sequence: keep with probability 1 − p, kept units scaled by 1 / (1 − p).
 */
function dropoutMasks(stream: Stream, rows: number, units: readonly number[], p: number): Float32Array[] {
  const threshold = p * 0x100000000;
  const scale = 1 / (1 - p);
  return units.map((u) => {
    const m = new Float32Array(rows * u);
    for (let i = 0; i < m.length; i++) m[i] = stream.uint32() >= threshold ? scale : 0;
    return m;
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
  return withMathRandom(Stream.of(opts.seed, 'math-random'), async () => train(data, params, opts, metric));
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
  const { model, layers } = buildMlp(nFeatures, nOutputs, params, opts.seed);
  const optimizer = makeOptimizer(params);
  const xTrain = tf.tensor2d(data.train.x, [n, nFeatures]);
  const yTrain =
    task === 'multiclass'
      ? tf.tidy(() =>
          tf.cast(tf.oneHot(tf.tensor1d(Int32Array.from(data.train.y), 'int32'), nOutputs), 'float32'),
        )
      : tf.tensor2d(data.train.y, [n, 1]);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const kernels = layers.map((l) => l.trainableWeights[0]!.read());
  const hiddenUnits = params.units;
  const history: EpochMetrics[] = [];
  let stopped = false;
  let kept = false;

  const lossOf = (xb: tf.Tensor2D, yb: tf.Tensor2D, masks: tf.Tensor2D[] | undefined): tf.Scalar => {
    const out = forward(layers, xb, masks);
    let loss: tf.Scalar =
      task === 'binary'
        ? tf.losses.sigmoidCrossEntropy(yb, out)
        : task === 'multiclass'
          ? tf.losses.softmaxCrossEntropy(yb, out)
          : tf.losses.meanSquaredError(yb, out);
    if (params.l2 > 0)
      loss = tf.add(loss, tf.mul(params.l2, tf.addN(kernels.map((k) => tf.sum(tf.square(k))))));
    return loss;
  };

  try {
    for (let epoch = 1; epoch <= params.epochs; epoch++) {
      const perm = Stream.of(opts.seed, 'shuffle', epoch).permutation(n);
      const order = new Int32Array(perm.buffer, perm.byteOffset, perm.length);
      const dropStream = params.dropout > 0 ? Stream.of(opts.seed, 'dropout', epoch) : undefined;
      // The epoch's summed loss stays on the backend: one read per epoch, not one per step.
      let lossSum: tf.Scalar = tf.scalar(0);
      for (let start = 0; start < n; start += params.batchSize) {
        const end = Math.min(n, start + params.batchSize);
        const rows = end - start;
        const maskData = dropStream ? dropoutMasks(dropStream, rows, hiddenUnits, params.dropout) : undefined;
        const next = tf.tidy(() => {
          const idx = tf.tensor1d(order.subarray(start, end), 'int32');
          const xb = tf.gather(xTrain, idx);
          const yb = tf.gather(yTrain, idx) as tf.Tensor2D;
          const masks = maskData?.map((m, i) => tf.tensor2d(m, [rows, hiddenUnits[i]!]));
          const cost = optimizer.minimize(() => lossOf(xb, yb, masks), true, vars)!;
          return tf.add(lossSum, tf.mul(cost, rows)) as tf.Scalar;
        });
        lossSum.dispose();
        lossSum = next;
      }
      const trainLoss = lossSum.dataSync()[0]! / n;
      lossSum.dispose();
      if (!Number.isFinite(trainLoss)) {
        throw new LockstepError('E_TRIAL', `training diverged: loss is ${trainLoss} at epoch ${epoch}`);
      }
      const outputs = predictRaw(layers, data.validation.x, data.validation.n, nFeatures);
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
    const last = history[history.length - 1]!;
    const result: TrainResult = {
      history,
      metrics: last,
      score: last[metric]!,
      weightsHash: weightsHash(model),
      epochs: history.length,
      stopped,
    };
    if (opts.keepModel) {
      result.model = model;
      kept = true;
    }
    return result;
  } finally {
    xTrain.dispose();
    yTrain.dispose();
    optimizer.dispose();
    if (!kept) model.dispose();
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
