/**
 * FlatTrainer.stepArrays (the wasm kernels called directly, src/train/direct.ts) against the engine
 * path (FlatTrainer.step on tensors): the same output and the same parameters, bit for bit, after
 * every step, for every activation, optimizer, task, with and without dropout and l2, with a partial
 * last batch.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Task } from '../../src/data/types.js';
import { LockstepError } from '../../src/errors.js';
import { Stream } from '../../src/rng/index.js';
import { initBackend } from '../../src/train/backend.js';
import { currentWasmBackend } from '../../src/train/direct.js';
import { type FlatParams, resolveMlpParams } from '../../src/train/params.js';
import { FlatTrainer, flatLayout } from '../../src/train/step.js';

interface Case {
  name: string;
  task: Task;
  params: FlatParams;
}

const CASES: Case[] = [
  { name: 'relu adam binary, dropout', task: 'binary', params: { layers: 2, units: 7, dropout: 0.3 } },
  {
    name: 'elu sgd multiclass, l2',
    task: 'multiclass',
    params: { layers: 2, units: 5, activation: 'elu', optimizer: 'sgd', l2: 0.01, learning_rate: 0.05 },
  },
  {
    name: 'tanh sgd momentum regression, dropout, l2',
    task: 'regression',
    params: {
      layers: 1,
      units: 6,
      activation: 'tanh',
      optimizer: 'sgd',
      momentum: 0.9,
      dropout: 0.2,
      l2: 0.001,
    },
  },
  {
    name: 'sigmoid rmsprop binary, 3 layers',
    task: 'binary',
    params: {
      layers: 3,
      units: 4,
      units_2: 9,
      activation: 'sigmoid',
      optimizer: 'rmsprop',
      learning_rate: 0.01,
    },
  },
  {
    name: 'selu rmsprop momentum multiclass, dropout, l2',
    task: 'multiclass',
    params: {
      layers: 2,
      units: 6,
      activation: 'selu',
      optimizer: 'rmsprop',
      momentum: 0.5,
      dropout: 0.1,
      l2: 0.01,
    },
  },
  {
    name: 'selu adam regression',
    task: 'regression',
    params: { layers: 1, units: 3, activation: 'selu', learning_rate: 0.02 },
  },
  {
    name: 'relu adam, one feature, one unit (size-1 transposes)',
    task: 'binary',
    params: { layers: 2, units: 1, units_2: 3, dropout: 0.5, l2: 0.1 },
  },
];

const N_FEATURES = 4;
const BATCH = 16;
// Full batches, a partial one, a single row, then full again.
const ROWS = [16, 16, 5, 1, 16, 11, 16];

function bits(a: Float32Array): Uint32Array {
  return new Uint32Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
}

function batch(s: Stream, task: Task, rows: number, nF: number, k: number, units: number[], p: number) {
  const x = new Float32Array(rows * nF);
  for (let i = 0; i < x.length; i++) x[i] = 2 * s.float() - 1;
  const yWidth = task === 'multiclass' ? k : 1;
  const y = new Float32Array(rows * yWidth);
  for (let r = 0; r < rows; r++) {
    if (task === 'multiclass') y[r * k + Math.floor(s.float() * k)] = 1;
    else if (task === 'binary') y[r] = s.float() < 0.5 ? 1 : 0;
    else y[r] = 3 * s.float() - 1;
  }
  const masks =
    p > 0
      ? units.map((u) => {
          const m = new Float32Array(rows * u);
          for (let i = 0; i < m.length; i++) m[i] = s.float() >= p ? 1 / (1 - p) : 0;
          return m;
        })
      : undefined;
  return { x, y, masks, yWidth };
}

/** Runs the same steps on two trainers, engine and stepArrays, comparing bits after every step. */
function compare(c: Case, nFeatures = N_FEATURES): number {
  const params = resolveMlpParams({ batch_size: BATCH, ...c.params });
  const k = c.task === 'multiclass' ? 3 : 1;
  const layout = flatLayout(nFeatures, params, k);
  const s = Stream.of(9, 'direct-test', c.name);
  const initial = new Float32Array(layout.size);
  for (let i = 0; i < initial.length; i++) initial[i] = (2 * s.float() - 1) * 0.8;
  const engine = new FlatTrainer(c.task, params, nFeatures, k, initial);
  const direct = new FlatTrainer(c.task, params, nFeatures, k, initial);
  let steps = 0;
  try {
    for (const rows of ROWS) {
      const { x, y, masks, yWidth } = batch(s, c.task, rows, nFeatures, k, params.units, params.dropout);
      const xt = tf.tensor2d(x, [rows, nFeatures]);
      const yt = tf.tensor2d(y, [rows, yWidth]);
      const mt = masks?.map((m, i) => tf.tensor2d(m, [rows, params.units[i]!]));
      const outT = engine.step(xt, yt, mt, rows);
      const want = outT.dataSync() as Float32Array;
      tf.dispose([xt, yt, outT, ...(mt ?? [])]);
      const got = direct.stepArrays(x, y, masks, rows);
      steps++;
      expect(bits(got), `${c.name}: output at step ${steps}`).toEqual(bits(want));
      expect(
        bits(direct.theta.dataSync() as Float32Array),
        `${c.name}: parameters after step ${steps}`,
      ).toEqual(bits(engine.theta.dataSync() as Float32Array));
    }
    // The engine path still works after direct steps, from the same state.
    const { x, y, masks, yWidth } = batch(s, c.task, BATCH, nFeatures, k, params.units, params.dropout);
    const xt = tf.tensor2d(x, [BATCH, nFeatures]);
    const yt = tf.tensor2d(y, [BATCH, yWidth]);
    const mt = masks?.map((m, i) => tf.tensor2d(m, [BATCH, params.units[i]!]));
    tf.dispose([engine.step(xt, yt, mt, BATCH), direct.step(xt, yt, mt, BATCH), xt, yt, ...(mt ?? [])]);
    expect(bits(direct.theta.dataSync() as Float32Array)).toEqual(
      bits(engine.theta.dataSync() as Float32Array),
    );
    // ...and stepArrays after step().
    const next = batch(s, c.task, BATCH, nFeatures, k, params.units, params.dropout);
    const xt2 = tf.tensor2d(next.x, [BATCH, nFeatures]);
    const yt2 = tf.tensor2d(next.y, [BATCH, next.yWidth]);
    const mt2 = next.masks?.map((m, i) => tf.tensor2d(m, [BATCH, params.units[i]!]));
    const o = engine.step(xt2, yt2, mt2, BATCH);
    const want = bits(o.dataSync() as Float32Array);
    tf.dispose([o, xt2, yt2, ...(mt2 ?? [])]);
    expect(bits(direct.stepArrays(next.x, next.y, next.masks, BATCH))).toEqual(want);
    expect(bits(direct.theta.dataSync() as Float32Array)).toEqual(
      bits(engine.theta.dataSync() as Float32Array),
    );
  } finally {
    engine.dispose();
    direct.dispose();
  }
  return steps;
}

beforeAll(async () => {
  await initBackend('wasm');
});

describe('stepArrays on wasm: the direct kernels', () => {
  test('the direct path is available on the wasm backend', () => {
    expect(currentWasmBackend()).toBeDefined();
  });

  test.each(CASES.map((c) => [c.name, c] as const))(
    '%s: bit-identical to the engine step by step',
    (_n, c) => {
      const before = tf.memory().numTensors;
      expect(compare(c)).toBe(ROWS.length);
      expect(tf.memory().numTensors).toBe(before);
    },
  );

  test('one input feature', () => {
    expect(compare({ name: 'one feature', task: 'regression', params: { layers: 1, units: 2 } }, 1)).toBe(
      ROWS.length,
    );
  });

  test('a direct step runs no kernel through the engine and makes no tensor', () => {
    const names = ['_FusedMatMul', 'BatchMatMul', 'Multiply', 'Add', 'Sub', 'Sigmoid', 'Sum', 'Transpose'];
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
    const params = resolveMlpParams({ layers: 2, units: 5, batch_size: 8, dropout: 0.2 });
    const trainer = new FlatTrainer(
      'binary',
      params,
      3,
      1,
      new Float32Array(flatLayout(3, params, 1).size).fill(0.1),
    );
    try {
      const b = batch(Stream.of(2, 'spy'), 'binary', 8, 3, 1, params.units, 0.2);
      trainer.stepArrays(b.x, b.y, b.masks, 8); // the first call sets the executor up
      const tensors = tf.memory().numTensors;
      calls = 0;
      trainer.stepArrays(b.x, b.y, b.masks, 8);
      trainer.stepArrays(
        b.x.subarray(0, 9),
        b.y.subarray(0, 3),
        b.masks?.map((m) => m.subarray(0, 15)),
        3,
      );
      expect(calls).toBe(0);
      expect(tf.memory().numTensors).toBe(tensors);
      // The engine path does go through these kernels (the spy works).
      tf.dispose(tf.add(tf.scalar(1), tf.scalar(2)));
      expect(calls).toBe(1);
    } finally {
      for (const restore of saved) restore();
      trainer.dispose();
    }
  });

  test('no tensor and no backend id is left behind', () => {
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const tensors = tf.memory().numTensors;
    const ids = backend.numDataIds();
    const params = resolveMlpParams({ layers: 2, units: 5, batch_size: 8, dropout: 0.2, l2: 0.01 });
    const trainer = new FlatTrainer(
      'binary',
      params,
      3,
      1,
      new Float32Array(flatLayout(3, params, 1).size).fill(0.1),
    );
    const s = Stream.of(1, 'leak');
    for (let i = 0; i < 20; i++) {
      const b = batch(s, 'binary', 8, 3, 1, params.units, 0.2);
      trainer.stepArrays(b.x, b.y, b.masks, 8);
    }
    trainer.dispose();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(backend.numDataIds()).toBe(ids);
  });

  test('arrays of the wrong length are a clear error, and change nothing', () => {
    const params = resolveMlpParams({ layers: 1, units: 4, batch_size: 8, dropout: 0.5 });
    const trainer = new FlatTrainer(
      'binary',
      params,
      3,
      1,
      new Float32Array(flatLayout(3, params, 1).size).fill(0.1),
    );
    try {
      const theta = Array.from(trainer.theta.dataSync());
      const x = new Float32Array(8 * 3);
      const y = new Float32Array(8);
      const mask = new Float32Array(8 * 4).fill(2);
      expect(() => trainer.stepArrays(new Float32Array(7 * 3), y, [mask], 8)).toThrow(LockstepError);
      expect(() => trainer.stepArrays(new Float32Array(7 * 3), y, [mask], 8)).toThrow(
        /stepArrays: x has 21 values, expected 24 \(8 rows\)/,
      );
      expect(() => trainer.stepArrays(x, new Float32Array(9), [mask], 8)).toThrow(
        /y has 9 values, expected 8/,
      );
      expect(() => trainer.stepArrays(x, y, [new Float32Array(5)], 8)).toThrow(/masks\[0\] has 5 values/);
      expect(() => trainer.stepArrays(x, y, [mask, mask], 8)).toThrow(/2 masks for 1 hidden layers/);
      expect(() => trainer.stepArrays(x, y, [mask], 0)).toThrow(/rows must be an integer >= 1/);
      expect(Array.from(trainer.theta.dataSync())).toEqual(theta);
    } finally {
      trainer.dispose();
    }
  });

  test('a batch larger than the first (or than the batch size) still gives the same bits', () => {
    const params = resolveMlpParams({
      layers: 1,
      units: 4,
      batch_size: 4,
      optimizer: 'rmsprop',
      momentum: 0.3,
    });
    const size = flatLayout(2, params, 1).size;
    const init = new Float32Array(size).map((_, i) => Math.sin(i));
    const a = new FlatTrainer('regression', params, 2, 1, init);
    const b = new FlatTrainer('regression', params, 2, 1, init);
    try {
      const s = Stream.of(3, 'big');
      for (const rows of [4, 10, 3]) {
        const d = batch(s, 'regression', rows, 2, 1, params.units, 0);
        const xt = tf.tensor2d(d.x, [rows, 2]);
        const yt = tf.tensor2d(d.y, [rows, 1]);
        const o = a.step(xt, yt, undefined, rows);
        const want = bits(o.dataSync() as Float32Array);
        tf.dispose([xt, yt, o]);
        expect(bits(b.stepArrays(d.x, d.y, undefined, rows))).toEqual(want);
        expect(bits(b.theta.dataSync() as Float32Array)).toEqual(bits(a.theta.dataSync() as Float32Array));
      }
    } finally {
      a.dispose();
      b.dispose();
    }
  });
});

describe('stepArrays on cpu: through the engine', () => {
  afterAll(async () => {
    await initBackend('wasm');
  });

  test('the same bits as step() on cpu', async () => {
    await initBackend('cpu');
    expect(currentWasmBackend()).toBeUndefined();
    const before = tf.memory().numTensors;
    expect(compare(CASES[4]!)).toBe(ROWS.length);
    expect(tf.memory().numTensors).toBe(before);
  });
});
