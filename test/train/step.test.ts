import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import type { Task } from '../../src/data/types.js';
import { Stream } from '../../src/rng/index.js';
import { initBackend } from '../../src/train/backend.js';
import { denseOp } from '../../src/train/mlp.js';
import { resolveMlpParams } from '../../src/train/params.js';
import { FlatTrainer, flatLayout } from '../../src/train/step.js';
import { layersLib } from '../../src/train/tf.js';
import type { Activation } from '../../src/train/types.js';

beforeAll(async () => {
  await initBackend('wasm');
  // tf.grad needs the gradient functions, which tfjs-layers registers when it loads (the trainer, which has its
  // own backward pass, does not load it).
  layersLib();
});

/** The reference: tf.grad's tape over the loss the old loop minimised (tfjs losses, l2 on kernels). */
function tapeGradient(
  task: Task,
  activation: Activation,
  l2: number,
  shapes: number[][],
  theta: Float32Array,
  x: tf.Tensor2D,
  y: tf.Tensor2D,
  masks: tf.Tensor2D[],
): Float32Array {
  return tf.tidy(() => {
    let off = 0;
    const ws = shapes.map((shape) => {
      const size = shape.reduce((a, b) => a * b, 1);
      const t = tf.tensor(theta.subarray(off, off + size), shape);
      off += size;
      return t;
    });
    const nLayers = shapes.length / 2;
    const grads = tf.grads((...w: tf.Tensor[]) => {
      let h = x;
      for (let l = 0; l < nLayers; l++) {
        const hidden = l < nLayers - 1;
        h = denseOp(h, w[2 * l] as tf.Tensor2D, w[2 * l + 1]!, hidden ? activation : 'linear');
        if (hidden) h = tf.mul(h, masks[l]!);
      }
      let loss: tf.Scalar =
        task === 'binary'
          ? tf.losses.sigmoidCrossEntropy(y, h)
          : task === 'multiclass'
            ? tf.losses.softmaxCrossEntropy(y, h)
            : tf.losses.meanSquaredError(y, h);
      const kernels = w.filter((_, i) => i % 2 === 0);
      if (l2 > 0) loss = tf.add(loss, tf.mul(l2, tf.addN(kernels.map((k) => tf.sum(tf.square(k))))));
      return loss;
    })(ws);
    return tf.concat(grads.map((g) => tf.reshape(g, [-1]))).dataSync() as Float32Array;
  });
}

describe('FlatTrainer.gradient', () => {
  const cases: [Task, Activation][] = [
    ['binary', 'relu'],
    ['binary', 'tanh'],
    ['multiclass', 'elu'],
    ['multiclass', 'sigmoid'],
    ['regression', 'selu'],
    ['regression', 'relu'],
  ];
  test.each(cases)(
    '%s / %s: the hand-written gradient equals tf.grad of the loss (dropout, l2)',
    (task, activation) => {
      const nFeatures = 5;
      const nOutputs = task === 'multiclass' ? 3 : 1;
      const rows = 7;
      const params = resolveMlpParams({ layers: 2, units: 6, activation, dropout: 0.3, l2: 0.01 });
      const layout = flatLayout(nFeatures, params, nOutputs);
      const s = Stream.of(1, 'test', task, activation);
      const theta = Float32Array.from({ length: layout.size }, () => s.normal() * 0.5);
      const xs = Float32Array.from({ length: rows * nFeatures }, () => s.normal());
      const ys = Float32Array.from({ length: rows * nOutputs }, (_, i) =>
        task === 'multiclass'
          ? i % nOutputs === Math.floor(i / nOutputs) % nOutputs
            ? 1
            : 0
          : task === 'binary'
            ? i % 2
            : s.normal(),
      );
      const x = tf.tensor2d(xs, [rows, nFeatures]);
      const y = tf.tensor2d(ys, [rows, nOutputs]);
      const masks = params.units.map((u) =>
        tf.tensor2d(
          Float32Array.from({ length: rows * u }, () => (s.float() < 0.3 ? 0 : 1 / 0.7)),
          [rows, u],
        ),
      );
      const trainer = new FlatTrainer(task, params, nFeatures, nOutputs, theta);
      const ours = tf.tidy(() => trainer.gradient(x, y, masks, rows).grad.dataSync() as Float32Array);
      const ref = tapeGradient(task, activation, params.l2, layout.shapes, theta, x, y, masks);
      expect(ours.length).toBe(ref.length);
      let maxErr = 0;
      let maxRef = 0;
      for (let i = 0; i < ref.length; i++) {
        maxErr = Math.max(maxErr, Math.abs(ours[i]! - ref[i]!));
        maxRef = Math.max(maxRef, Math.abs(ref[i]!));
      }
      expect(maxRef).toBeGreaterThan(1e-3);
      expect(maxErr).toBeLessThan(1e-5 * Math.max(1, maxRef));
      trainer.dispose();
      tf.dispose([x, y, ...masks]);
    },
  );
});
