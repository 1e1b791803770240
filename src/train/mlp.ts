import type { layers as tflayers } from '@tensorflow/tfjs-layers';
import { LockstepError } from '../errors.js';
import { Stream } from '../rng/index.js';
import * as tf from './tf.js';
import type { Activation, MlpParams } from './types.js';

/** An MLP: the tfjs model (for prediction and export) and its Dense layers in order. */
export interface Mlp {
  model: tf.Sequential;
  /** Hidden layers first, the output layer last. */
  layers: tflayers.Layer[];
}

const HE: ReadonlySet<Activation> = new Set(['relu', 'elu', 'selu']);

/**
 * The MLP's initial parameters, flat in model order `[W1, b1, W2, b2, …]` (FlatLayout's). Drawn from our own
 * streams, never from tfjs initialisers (which draw on Math.random, ignore seed 0, and give two layers with one
 * seed the same kernel): layer i's kernel, then its bias, uniform from `Stream.of(seed, 'init', i)`.
 * `init: torch` (the default): PyTorch's nn.Linear default, kernel and bias uniform in ±1/√fanIn.
 * `init: he`: kernel uniform with He limits √(6/fanIn) for relu/elu/selu hidden layers and Glorot limits
 * √(6/(fanIn+fanOut)) for tanh/sigmoid and the linear output; biases zero (numeric version 2's only scheme).
 */
export function initialWeights(
  nFeatures: number,
  nOutputs: number,
  params: MlpParams,
  seed: number,
): Float32Array {
  const widths = [...params.units, nOutputs];
  let size = 0;
  let fanIn = nFeatures;
  for (const fanOut of widths) {
    size += fanIn * fanOut + fanOut;
    fanIn = fanOut;
  }
  const out = new Float32Array(size);
  let offset = 0;
  fanIn = nFeatures;
  widths.forEach((fanOut, i) => {
    const hidden = i < params.units.length;
    const limit =
      params.init === 'torch'
        ? 1 / Math.sqrt(fanIn)
        : hidden && HE.has(params.activation)
          ? Math.sqrt(6 / fanIn)
          : Math.sqrt(6 / (fanIn + fanOut));
    const stream = Stream.of(seed, 'init', i);
    const n = params.init === 'torch' ? fanIn * fanOut + fanOut : fanIn * fanOut;
    for (let j = 0; j < n; j++) out[offset + j] = (2 * stream.float() - 1) * limit;
    offset += fanIn * fanOut + fanOut;
    fanIn = fanOut;
  });
  return out;
}

/**
 * Builds the MLP: hidden Dense layers with the activation, then a linear output layer
 * (binary and regression: 1 unit; multiclass: one logit per class), holding `initialWeights`. No Dropout
 * layer: dropout is applied by the training loop with its own seeded masks.
 */
export function buildMlp(nFeatures: number, nOutputs: number, params: MlpParams, seed: number): Mlp {
  const tfl = tf.layersLib();
  const model = tfl.sequential();
  const layers: tflayers.Layer[] = [];
  const widths = [...params.units, nOutputs];
  widths.forEach((units, i) => {
    const hidden = i < params.units.length;
    const layer = tfl.layers.dense({
      units,
      activation: hidden ? params.activation : 'linear',
      // 'zeros' draws no random numbers; the real values are set below.
      kernelInitializer: 'zeros',
      biasInitializer: 'zeros',
      ...(i === 0 ? { inputShape: [nFeatures] } : {}),
    });
    model.add(layer);
    layers.push(layer);
  });
  const initial = initialWeights(nFeatures, nOutputs, params, seed);
  let fanIn = nFeatures;
  let offset = 0;
  widths.forEach((fanOut, i) => {
    const kernel = initial.subarray(offset, offset + fanIn * fanOut);
    const bias = initial.subarray(offset + fanIn * fanOut, offset + fanIn * fanOut + fanOut);
    offset += fanIn * fanOut + fanOut;
    tf.tidy(() => {
      layers[i]!.setWeights([tf.tensor2d(kernel, [fanIn, fanOut]), tf.tensor1d(bias)]);
    });
    fanIn = fanOut;
  });
  return { model, layers };
}

/**
 * The forward pass, shared by training and evaluation so that both compute the same ops.
 * `masks[i]` (inverted-dropout multipliers, batch × units) follows hidden layer i when given.
 */
export function forward(
  layers: readonly tflayers.Layer[],
  x: tf.Tensor2D,
  masks?: readonly tf.Tensor2D[],
): tf.Tensor2D {
  let h = x;
  layers.forEach((layer, i) => {
    h = dense(layer, h);
    const mask = masks?.[i];
    if (mask !== undefined) h = tf.mul(h, mask);
  });
  return h;
}

// The ops of tfjs-layers' Dense.call, without its per-call bookkeeping (name scopes, shape
// checks), which cost more than the arithmetic at these sizes: relu/elu/linear go through one
// fused matMul, the other activations through matMul, bias add, activation.
const FUSED: ReadonlySet<string> = new Set(['relu', 'elu', 'linear']);
const activations = new WeakMap<tflayers.Layer, string>();

function activationOf(layer: tflayers.Layer): string {
  let a = activations.get(layer);
  if (a === undefined) {
    a = (layer.getConfig().activation as string | undefined) ?? 'linear';
    activations.set(layer, a);
  }
  return a;
}

function dense(layer: tflayers.Layer, h: tf.Tensor2D): tf.Tensor2D {
  const [kernel, bias] = layer.trainableWeights.map((w) => w.read() as tf.Tensor2D);
  return denseOp(h, kernel!, bias! as tf.Tensor, activationOf(layer), layer.name);
}

/**
 * One dense layer with explicit weights: relu/elu/linear through one fused matMul, the other
 * activations through matMul, bias add, activation. Training and prediction both call it, so
 * that both compute the same ops.
 */
export function denseOp(
  h: tf.Tensor2D,
  kernel: tf.Tensor2D,
  bias: tf.Tensor,
  activation: string,
  where = 'dense',
): tf.Tensor2D {
  if (FUSED.has(activation)) {
    return tf.fused.matMul({
      a: h,
      b: kernel,
      bias,
      activation: activation as 'relu' | 'elu' | 'linear',
    }) as tf.Tensor2D;
  }
  const z = tf.add(tf.matMul(h, kernel), bias) as tf.Tensor2D;
  switch (activation) {
    case 'tanh':
      return tf.tanh(z);
    case 'sigmoid':
      return tf.sigmoid(z);
    case 'selu':
      return tf.selu(z) as tf.Tensor2D;
    default:
      throw new LockstepError('E_PARAM', `unsupported activation '${activation}' in layer ${where}`);
  }
}

/** The rows predictRaw runs at a time (FlatTrainer.predictArrays runs the same chunks). */
export const PREDICT_BATCH = 4096;

/** Predicts raw outputs (logits, or standardised values) for n rows, in batches, without leaking tensors. */
export function predictRaw(
  layers: readonly tflayers.Layer[],
  x: Float32Array,
  n: number,
  nFeatures: number,
  batch = PREDICT_BATCH,
): Float32Array {
  let out: Float32Array | undefined;
  for (let start = 0; start < n; start += batch) {
    const end = Math.min(n, start + batch);
    // The tidy returns the tensor, not its data: tidy walks whatever it returns, and walking a typed array
    // visits every element (slow, and it kept deoptimising tfjs's walker).
    const y = tf.tidy(() => {
      const xb = tf.tensor2d(x.subarray(start * nFeatures, end * nFeatures), [end - start, nFeatures]);
      return forward(layers, xb);
    });
    let chunk: Float32Array;
    try {
      chunk = y.dataSync() as Float32Array;
    } finally {
      y.dispose();
    }
    const width = chunk.length / (end - start);
    out ??= new Float32Array(n * width);
    out.set(chunk, start * width);
  }
  return out ?? new Float32Array(0);
}
