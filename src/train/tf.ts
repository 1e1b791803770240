/**
 * The parts of TensorFlow.js the trainer uses: tfjs-core (tensors, kernels, io) and tfjs-layers (the model that
 * exports and loads with `tf.loadLayersModel`), the same 4.22 packages that `@tensorflow/tfjs` bundles, without its
 * WebGL backend, converter and data API. Loading them costs each worker thread about 80 ms less at start
 * (~190 ms instead of ~270 ms here). The numeric backends are imported by backend.ts when chosen.
 */
export * from '@tensorflow/tfjs-core';
export * from '@tensorflow/tfjs-layers';
