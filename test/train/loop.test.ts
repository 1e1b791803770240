import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import type { PreparedData } from '../../src/data/types.js';
import { LockstepError } from '../../src/errors.js';
import { Stream, withMathRandom } from '../../src/rng/index.js';
import { initBackend } from '../../src/train/backend.js';
import { evaluateModel, trainMlp } from '../../src/train/loop.js';
import { buildMlp } from '../../src/train/mlp.js';
import { resolveMlpParams } from '../../src/train/params.js';
import { makeData } from './fixtures/synthetic.mjs';
import { requireBuild, trialInChildProcess } from './helpers.js';

const small = resolveMlpParams({
  epochs: 3,
  units: 12,
  dropout: 0.2,
  l2: 0.001,
  batch_size: 16,
  learning_rate: 0.01,
});

beforeAll(async () => {
  await initBackend('wasm');
});

describe('trainMlp determinism', () => {
  test('the same trial in two separate processes gives identical weights and metrics', async () => {
    requireBuild();
    const [a, b] = await Promise.all([trialInChildProcess(7, 'binary'), trialInChildProcess(7, 'binary')]);
    expect(a.weightsHash).toMatch(/^[0-9a-f]{64}$/);
    expect(b.weightsHash).toBe(a.weightsHash);
    expect(b.history).toEqual(a.history);
    expect(b.score).toBe(a.score);
  });

  test('a trial in a child process matches the same trial in this process', async () => {
    requireBuild();
    const child = await trialInChildProcess(11, 'multiclass');
    const here = await trainMlp(makeData(Stream, { task: 'multiclass' }), small, { seed: 11 });
    expect(here.weightsHash).toBe(child.weightsHash);
    expect(here.history).toEqual(child.history);
  });

  test('another seed gives other weights', async () => {
    const data = makeData(Stream, { task: 'binary' });
    const a = await trainMlp(data, small, { seed: 1 });
    const b = await trainMlp(data, small, { seed: 2 });
    expect(b.weightsHash).not.toBe(a.weightsHash);
  });

  test('dropout masks change from step to step (dropout 0.5 ≠ dropout 0 and ≠ a fixed mask)', async () => {
    const data = makeData(Stream, { task: 'binary' });
    const base = { epochs: 2, units: 8, batch_size: 20 };
    const none = await trainMlp(data, resolveMlpParams(base), { seed: 3 });
    const half = await trainMlp(data, resolveMlpParams({ ...base, dropout: 0.5 }), { seed: 3 });
    expect(half.weightsHash).not.toBe(none.weightsHash);
  });

  test('each layer gets its own initial kernel, even with equal shapes', () => {
    const { model } = buildMlp(8, 8, resolveMlpParams({ layers: 2, units: 8 }), 0);
    const [k1, , k2, , k3] = model.getWeights().map((w) => Array.from(w.dataSync()));
    expect(k1).not.toEqual(k2);
    expect(k2).not.toEqual(k3);
    // init: torch (the default), PyTorch's nn.Linear: |w| <= 1 / sqrt(fanIn), as float32.
    expect(Math.max(...k1!.map(Math.abs))).toBeLessThanOrEqual(Math.fround(1 / Math.sqrt(8)));
    model.dispose();
  });

  test('seed 0 is a seed like any other', async () => {
    const data = makeData(Stream, { task: 'binary' });
    const a = await trainMlp(data, small, { seed: 0 });
    const b = await trainMlp(data, small, { seed: 1 });
    expect(a.weightsHash).not.toBe(b.weightsHash);
  });
});

describe('Math.random during a trial', () => {
  test('the trap works: Math.random inside withMathRandom throws in the tests', async () => {
    expect(process.env.LOCKSTEP_STRICT_RANDOM).toBe('1');
    await expect(withMathRandom(Stream.of(1, 'x'), async () => Math.random())).rejects.toThrow(
      /Math\.random was called/,
    );
    // ...and is restored afterwards.
    expect(typeof Math.random()).toBe('number');
  });

  test('a full trial of every task and optimizer never calls Math.random (it would throw)', async () => {
    for (const task of ['binary', 'multiclass', 'regression'] as const) {
      for (const optimizer of ['adam', 'sgd', 'rmsprop'] as const) {
        const params = resolveMlpParams({
          epochs: 1,
          units: 4,
          dropout: 0.1,
          l2: 0.01,
          optimizer,
          momentum: 0.5,
        });
        const out = await trainMlp(makeData(Stream, { task, n: 50, nVal: 20 }), params, { seed: 5 });
        expect(out.epochs).toBe(1);
      }
    }
  });
});

describe('trainMlp behaviour', () => {
  test('learns a separable binary problem', async () => {
    const data = makeData(Stream, { task: 'binary', n: 400, nVal: 200 });
    const out = await trainMlp(data, resolveMlpParams({ epochs: 15, units: 16, learning_rate: 0.01 }), {
      seed: 1,
    });
    expect(out.score).toBeGreaterThan(0.85);
    expect(out.history).toHaveLength(15);
    expect(out.metrics).toEqual(out.history[14]);
    expect(Object.keys(out.metrics)).toEqual(['train_loss', 'accuracy', 'log_loss', 'roc_auc']);
  });

  test("'stop' from the callback ends training after that epoch", async () => {
    const seen: number[] = [];
    const out = await trainMlp(makeData(Stream, {}), small, {
      seed: 1,
      onEpoch: (epoch) => {
        seen.push(epoch);
        return epoch === 2 ? 'stop' : undefined;
      },
    });
    expect(seen).toEqual([1, 2]);
    expect(out.epochs).toBe(2);
    expect(out.stopped).toBe(true);
  });

  test('the score is the chosen metric', async () => {
    const out = await trainMlp(makeData(Stream, {}), small, { seed: 1, metric: 'log_loss' });
    expect(out.score).toBe(out.metrics.log_loss);
  });

  test('a NaN in the data makes the trial fail with E_TRIAL naming the epoch', async () => {
    const data = makeData(Stream, { task: 'regression' });
    data.train.x[3] = Number.NaN;
    const before = tf.memory().numTensors;
    const err = await trainMlp(data, small, { seed: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LockstepError);
    expect((err as LockstepError).code).toBe('E_TRIAL');
    expect((err as LockstepError).message).toBe('training diverged: loss is NaN at epoch 1');
    expect(tf.memory().numTensors).toBe(before);
  });

  test('no tensor leaks over 50 small trials', async () => {
    const data = makeData(Stream, { task: 'multiclass', n: 40, nVal: 10 });
    const params = resolveMlpParams({ epochs: 2, units: 4, dropout: 0.1, l2: 0.01, batch_size: 8 });
    await trainMlp(data, params, { seed: 0 }); // warm-up: kernels registered lazily
    const before = tf.memory().numTensors;
    for (let i = 0; i < 50; i++) await trainMlp(data, params, { seed: i });
    expect(tf.memory().numTensors).toBe(before);
  });

  test('keepModel returns the model; evaluateModel scores it on another part', async () => {
    const data: PreparedData = makeData(Stream, { task: 'regression' });
    const out = await trainMlp(data, small, { seed: 1, keepModel: true });
    expect(out.model).toBeDefined();
    const val = evaluateModel(out.model!, 'validation', data, 'rmse');
    expect(val.metrics).toEqual({ rmse: out.metrics.rmse, mae: out.metrics.mae, r2: out.metrics.r2 });
    const testPart = evaluateModel(out.model!, 'test', data);
    expect(testPart.score).toBe(testPart.metrics.rmse);
    expect(testPart.score).not.toBe(val.score);
    out.model!.dispose();
  });
});
