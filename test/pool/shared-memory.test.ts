import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TrainerPool } from '../../src/pool/pool.js';
import { toShared } from '../../src/pool/shared.js';
import type { MlpTask, TrialResult } from '../../src/pool/types.js';
import { Stream } from '../../src/rng/index.js';
import type { EpochMetrics } from '../../src/train/types.js';
import { makeData } from '../train/fixtures/synthetic.mjs';
import { requireBuild } from '../train/helpers.js';

// The dataset reaches a worker as views of the main thread's SharedArrayBuffers, not as a copy made
// when a task is posted: a write the main thread makes while a trial runs is seen by that trial.
// (With a copy, the trial would go on reading the values it was posted with.)

const params = { epochs: 3, units: 10, dropout: 0.2, batch_size: 16, learning_rate: 0.01 };

let pool: TrainerPool;
beforeAll(() => {
  requireBuild();
  pool = new TrainerPool({ workers: 1, backend: 'wasm' });
});
afterAll(async () => {
  await pool?.close();
});

function complete(r: TrialResult) {
  if (r.state !== 'complete') throw new Error(`expected a complete trial, got ${r.state}: ${r.error}`);
  return r;
}

async function run(task: MlpTask, atEpoch1?: () => void): Promise<EpochMetrics[]> {
  const r = await pool.run(task, {
    // The worker waits for this answer before its next epoch, so the write lands between epochs 1 and 2.
    onEpoch: (epoch) => {
      if (epoch === 1) atEpoch1?.();
    },
    wait: true,
  });
  return complete(r).history;
}

describe('the dataset in shared memory', () => {
  test('a trial in a worker sees the main thread write the validation labels between its epochs', async () => {
    const plain = toShared(makeData(Stream, { task: 'binary' }));
    const flipped = toShared(makeData(Stream, { task: 'binary' }));
    expect(flipped.validation.y.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Array.from(flipped.validation.y)).toEqual(Array.from(plain.validation.y));

    const before = await run({ kind: 'mlp', data: plain, params, seed: 5 });
    const after = await run({ kind: 'mlp', data: flipped, params, seed: 5 }, () => {
      const y = flipped.validation.y;
      for (let i = 0; i < y.length; i++) y[i] = 1 - y[i]!;
    });

    // Epoch 1 ran on the same labels; training reads only the training rows, so the model is the same at
    // every epoch and the flipped labels turn each later accuracy a into 1 - a.
    expect(after[0]).toEqual(before[0]);
    for (const e of [1, 2]) {
      expect(after[e]!.train_loss).toBe(before[e]!.train_loss);
      expect(after[e]!.accuracy).toBeCloseTo(1 - before[e]!.accuracy!, 12);
      expect(after[e]!.accuracy).not.toBe(before[e]!.accuracy);
    }
  });
});
