import { test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Stream } from '../../src/rng/index.js';
import { initBackend } from '../../src/train/backend.js';
import { trainMlp } from '../../src/train/loop.js';
import { resolveMlpParams } from '../../src/train/params.js';
import { makeData } from './fixtures/synthetic.mjs';
test('smoke', async () => {
  await initBackend('wasm');
  for (const task of ['binary', 'multiclass', 'regression'] as const) {
    const data = makeData(Stream, { task });
    const before = tf.memory().numTensors;
    const t0 = performance.now();
    const r = await trainMlp(data, resolveMlpParams({ epochs: 5, dropout: 0.2, l2: 0.001, units: 16 }), { seed: 3 });
    console.log(task, performance.now() - t0, r.score, r.weightsHash, r.history.at(-1), tf.memory().numTensors - before);
  }
});
