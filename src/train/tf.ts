/**
 * The parts of TensorFlow.js the trainer uses: tfjs-core (tensors, kernels, io) and tfjs-layers (the model that
 * exports and loads with `tf.loadLayersModel`; required when first used, see layersLib), the same 4.22 packages that `@tensorflow/tfjs` bundles, without its
 * WebGL backend, converter and data API. The numeric backends are imported by backend.ts when chosen.
 *
 * Loaded with require: importing these CommonJS bundles from ES modules makes Node scan their whole source for
 * export names (cjs-module-lexer), ~200 ms per thread here against ~55 ms for require; every worker thread pays it
 * at start. So the names used are listed here, and the types re-exported as types (for the `io` and `layers`
 * namespaces' types, import them as types from the packages).
 */
import { createRequire } from 'node:module';
import type * as Core from '@tensorflow/tfjs-core';
import type * as Layers from '@tensorflow/tfjs-layers';

const require = createRequire(import.meta.url);
const core = require('@tensorflow/tfjs-core') as typeof Core;

export type { Scalar, Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
export type { LayersModel, Sequential } from '@tensorflow/tfjs-layers';

export const {
  add,
  backend,
  concat,
  div,
  enableProdMode,
  env,
  fill,
  fused,
  getBackend,
  greater,
  io,
  keep,
  matMul,
  minimum,
  mul,
  ready,
  relu,
  reshape,
  scalar,
  selu,
  setBackend,
  sigmoid,
  slice,
  softmax,
  sqrt,
  square,
  step,
  sub,
  sum,
  tanh,
  tensor1d,
  tensor2d,
  tidy,
  transpose,
  version_core,
  where,
  zeros,
} = core;

let layersApi: typeof Layers | undefined;

/**
 * tfjs-layers, required at its first use (~30 ms): a worker thread that only runs trials never builds a
 * LayersModel (the trainer works on flat parameters), so it never loads it.
 */
export function layersLib(): typeof Layers {
  layersApi ??= require('@tensorflow/tfjs-layers') as typeof Layers;
  return layersApi;
}
