/**
 * The loop validates every epoch without the model (FlatTrainer.predictArrays) and writes the
 * weights into the model once, at the end: the model a trial returns, and its hash, hold the final
 * parameters, also when the trial stops early; a trial that throws leaks nothing.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { Stream } from '../../src/rng/index.js';
import { initBackend } from '../../src/train/backend.js';
import { evaluateModel, trainMlp, weightsHash } from '../../src/train/loop.js';
import { resolveMlpParams } from '../../src/train/params.js';
import { makeData } from './fixtures/synthetic.mjs';

const params = (epochs: number) =>
  resolveMlpParams({ epochs, units: 6, layers: 2, activation: 'tanh', dropout: 0.1, batch_size: 16 });

beforeAll(async () => {
  await initBackend('wasm');
});

describe('the model a trial returns', () => {
  test('stopped after epoch 2 of 4: the same model and hash as a 2-epoch trial', async () => {
    const data = makeData(Stream, { task: 'multiclass' });
    const stopped = await trainMlp(data, params(4), {
      seed: 3,
      keepModel: true,
      onEpoch: (epoch) => (epoch === 2 ? 'stop' : undefined),
    });
    const two = await trainMlp(data, params(2), { seed: 3, keepModel: true });
    try {
      expect(stopped.stopped).toBe(true);
      expect(stopped.epochs).toBe(2);
      expect(stopped.weightsHash).toBe(two.weightsHash);
      expect(weightsHash(stopped.model!)).toBe(stopped.weightsHash);
      expect(stopped.metrics).toEqual(two.metrics);
      // The kept model (through the engine) gives the metrics the loop measured without it.
      const { train_loss: _, ...validation } = stopped.metrics;
      expect(evaluateModel(stopped.model!, 'validation', data).metrics).toEqual(validation);
    } finally {
      stopped.model?.dispose();
      two.model?.dispose();
    }
  });

  test('a trial whose callback throws fails with that error and leaks nothing', async () => {
    const data = makeData(Stream, { task: 'binary' });
    await trainMlp(data, params(1), { seed: 1 }); // warm-up
    const before = tf.memory().numTensors;
    const err = await trainMlp(data, params(3), {
      seed: 1,
      keepModel: true,
      onEpoch: (epoch) => {
        if (epoch === 2) throw new Error('callback failed');
      },
    }).catch((e: unknown) => e);
    expect((err as Error).message).toBe('callback failed');
    expect(tf.memory().numTensors).toBe(before);
  });
});
