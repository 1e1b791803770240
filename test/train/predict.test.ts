/**
 * FlatTrainer.predictArrays (the validation forward pass; on wasm the kernels called directly,
 * src/train/direct.ts) against what the loop did before: writeTo(layers) + predictRaw through the
 * engine. The same bits for every task, activation and depth, below / at / above the 4096-row
 * chunk, after training steps, with predictions between steps (the matmul operator cache).
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Task } from '../../src/data/types.js';
import { LockstepError } from '../../src/errors.js';
import { Stream } from '../../src/rng/index.js';
import { initBackend } from '../../src/train/backend.js';
import { currentWasmBackend } from '../../src/train/direct.js';
import { buildMlp, PREDICT_BATCH, predictRaw } from '../../src/train/mlp.js';
import { type FlatParams, resolveMlpParams } from '../../src/train/params.js';
import { FlatTrainer } from '../../src/train/step.js';
import type { Activation } from '../../src/train/types.js';

const N_FEATURES = 5;
const TASKS: [Task, number][] = [
  ['binary', 1],
  ['multiclass', 3],
  ['regression', 2],
];
const ACTIVATIONS: Activation[] = ['relu', 'elu', 'tanh', 'sigmoid', 'selu'];
const DEPTHS: FlatParams[] = [
  { layers: 1, units: 6 },
  { layers: 2, units: 7, units_2: 3 },
  { layers: 3, units: 4, units_2: 8, units_3: 5 },
];

function bits(a: Float32Array): Uint32Array {
  return new Uint32Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
}

function rowsOf(s: Stream, n: number, nF: number): Float32Array {
  const x = new Float32Array(n * nF);
  for (let i = 0; i < x.length; i++) x[i] = 3 * s.float() - 1.5;
  return x;
}

/** A few training steps on random batches (dropout and l2 on, so the parameters move every way). */
function train(trainer: FlatTrainer, s: Stream, task: Task, k: number, units: number[], steps: number) {
  const rows = 8;
  for (let i = 0; i < steps; i++) {
    const x = rowsOf(s, rows, N_FEATURES);
    const y = new Float32Array(rows * (task === 'multiclass' ? k : 1));
    for (let r = 0; r < rows; r++) {
      if (task === 'multiclass') y[r * k + Math.floor(s.float() * k)] = 1;
      else if (task === 'binary') y[r] = s.float() < 0.5 ? 1 : 0;
      else y[r] = 2 * s.float() - 1;
    }
    const masks = units.map((u) => {
      const m = new Float32Array(rows * u);
      for (let j = 0; j < m.length; j++) m[j] = s.float() >= 0.2 ? 1.25 : 0;
      return m;
    });
    trainer.stepArrays(x, y, masks, rows);
  }
}

/**
 * Builds the model and a trainer from its weights, then alternates training steps and predictions,
 * comparing predictArrays with writeTo + predictRaw at every size in `sizes`. Returns the comparisons made.
 */
function compare(task: Task, k: number, activation: Activation, depth: FlatParams, sizes: number[]): number {
  const params = resolveMlpParams({ ...depth, activation, dropout: 0.2, l2: 0.01, learning_rate: 0.05 });
  const seed = 7;
  const { model, layers } = buildMlp(N_FEATURES, k, params, seed);
  const initial = new Float32Array(model.getWeights().reduce((a, w) => a + w.size, 0));
  let off = 0;
  for (const w of model.getWeights()) {
    initial.set(w.dataSync() as Float32Array, off);
    off += w.size;
  }
  const trainer = new FlatTrainer(task, params, N_FEATURES, k, initial);
  const s = Stream.of(3, 'predict-test', task, activation, params.units.length);
  let compared = 0;
  try {
    for (let round = 0; round < 3; round++) {
      train(trainer, s, task, k, params.units, 4);
      for (const n of sizes) {
        const x = rowsOf(s, n, N_FEATURES);
        const theta = bits(trainer.theta.dataSync() as Float32Array);
        const got = trainer.predictArrays(x, n);
        // Prediction leaves the parameters alone.
        expect(bits(trainer.theta.dataSync() as Float32Array)).toEqual(theta);
        trainer.writeTo(layers);
        const want = predictRaw(layers, x, n, N_FEATURES);
        expect(got.length).toBe(n * k);
        const where = `${task} ${activation} ${params.units.length} layers, n=${n}, round ${round}`;
        expect(bits(got), where).toEqual(bits(want));
        compared++;
      }
    }
  } finally {
    trainer.dispose();
    model.dispose();
  }
  return compared;
}

beforeAll(async () => {
  await initBackend('wasm');
});

describe('predictArrays on wasm: the direct kernels', () => {
  test('the direct path is available', () => {
    expect(currentWasmBackend()).toBeDefined();
  });

  const cases = TASKS.flatMap(([task, k]) =>
    ACTIVATIONS.flatMap((a) =>
      DEPTHS.map((d) => [`${task} ${a} ${d.layers} layers`, task, k, a, d] as const),
    ),
  );
  test.each(cases)('%s: bit-identical to writeTo + predictRaw', (_name, task, k, a, d) => {
    const before = tf.memory().numTensors;
    expect(compare(task, k, a, d, [1, 37, 300])).toBe(9);
    expect(tf.memory().numTensors).toBe(before);
  });

  test.each(ACTIVATIONS.map((a) => [a] as const))(
    '%s: chunks of 4096 rows (below, at, above, two and a half)',
    (a) => {
      expect(PREDICT_BATCH).toBe(4096);
      const sizes = [4095, 4096, 4097, 10250];
      expect(compare('multiclass', 3, a, DEPTHS[1]!, sizes)).toBe(3 * sizes.length);
      expect(compare('regression', 2, a, DEPTHS[0]!, [4096, 9000])).toBe(6);
    },
    60_000,
  );

  test('no rows: an empty array', () => {
    const params = resolveMlpParams({ layers: 1, units: 3 });
    const { model } = buildMlp(2, 1, params, 1);
    const trainer = new FlatTrainer('binary', params, 2, 1, new Float32Array(2 * 3 + 3 + 3 + 1));
    try {
      expect(trainer.predictArrays(new Float32Array(0), 0)).toEqual(new Float32Array(0));
      expect(() => trainer.predictArrays(new Float32Array(5), 3)).toThrow(LockstepError);
      expect(() => trainer.predictArrays(new Float32Array(5), 3)).toThrow(/x has 5 values, expected 6/);
      expect(() => trainer.predictArrays(new Float32Array(0), -1)).toThrow(/n must be an integer >= 0/);
    } finally {
      trainer.dispose();
      model.dispose();
    }
  });

  test('a direct prediction runs no kernel through the engine, makes no tensor, leaves no id behind', () => {
    const names = ['_FusedMatMul', 'BatchMatMul', 'Add', 'Tanh', 'Sigmoid', 'Selu', 'Reshape', 'Slice'];
    let calls = 0;
    const saved = names.map((name) => {
      const config = tf.getKernel(name, 'wasm') as { kernelFunc: (...args: unknown[]) => unknown };
      const f = config.kernelFunc;
      config.kernelFunc = (...args: unknown[]) => {
        calls++;
        return f(...args);
      };
      return () => {
        config.kernelFunc = f;
      };
    });
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const tensors = tf.memory().numTensors;
    const ids = backend.numDataIds();
    const s = Stream.of(5, 'spy');
    try {
      for (const activation of ['relu', 'tanh'] as const) {
        const params = resolveMlpParams({ layers: 2, units: 5, activation });
        const trainer = new FlatTrainer(
          'binary',
          params,
          N_FEATURES,
          1,
          rowsOf(s, 1, N_FEATURES * 5 + 5 + 5 * 5 + 5 + 5 + 1),
        );
        trainer.predictArrays(rowsOf(s, 10, N_FEATURES), 10); // sets the executor up
        calls = 0;
        const a = trainer.predictArrays(rowsOf(s, 10, N_FEATURES), 10);
        const b = trainer.predictArrays(rowsOf(s, 4500, N_FEATURES), 4500); // made again, larger
        expect(calls).toBe(0);
        expect(a.length + b.length).toBe(4510);
        trainer.dispose();
      }
      expect(tf.memory().numTensors).toBe(tensors);
      expect(backend.numDataIds()).toBe(ids);
      tf.dispose(tf.add(tf.scalar(1), tf.scalar(2)));
      expect(calls).toBe(1);
    } finally {
      for (const restore of saved) restore();
    }
  });
});

describe('predictArrays on cpu: through the engine', () => {
  afterAll(async () => {
    await initBackend('wasm');
  });

  test('the same bits as writeTo + predictRaw on cpu, no tensor left', async () => {
    await initBackend('cpu');
    expect(currentWasmBackend()).toBeUndefined();
    const before = tf.memory().numTensors;
    expect(compare('multiclass', 3, 'selu', DEPTHS[2]!, [5, 4097])).toBe(6);
    expect(compare('binary', 1, 'relu', DEPTHS[1]!, [5])).toBe(3);
    expect(tf.memory().numTensors).toBe(before);
  });
});
