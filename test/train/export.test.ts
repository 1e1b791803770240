import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { NotFoundError } from '../../src/errors.js';
import { Stream } from '../../src/rng/index.js';
import { initBackend } from '../../src/train/backend.js';
import { loadMetadata, loadModel, saveModel } from '../../src/train/export.js';
import { trainMlp, weightsHash } from '../../src/train/loop.js';
import { predictRaw } from '../../src/train/mlp.js';
import { resolveMlpParams } from '../../src/train/params.js';
import { makeData } from './fixtures/synthetic.mjs';

let dir: string;
beforeAll(async () => {
  await initBackend('wasm');
  dir = await mkdtemp(path.join(os.tmpdir(), 'lockstep-export-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('saveModel / loadModel', () => {
  test('a saved model reloads with the same weights and predicts identical bits', async () => {
    const data = makeData(Stream, { task: 'multiclass' });
    const out = await trainMlp(
      data,
      resolveMlpParams({ epochs: 2, units: 6, layers: 2, activation: 'tanh' }),
      {
        seed: 4,
        keepModel: true,
      },
    );
    const model = out.model!;
    const meta = { params: { units: 6 }, weightsHash: out.weightsHash };
    const target = path.join(dir, 'm1');
    await saveModel(model, target, meta);
    expect((await readdir(target)).sort()).toEqual(['metadata.json', 'model.json', 'weights.bin']);
    const json = JSON.parse(await readFile(path.join(target, 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest[0].paths).toEqual(['./weights.bin']);
    expect(await loadMetadata(target)).toEqual(meta);

    const loaded = await loadModel(target);
    expect(weightsHash(loaded)).toBe(out.weightsHash);
    const x = tf.tensor2d(data.test.x, [data.test.n, data.nFeatures]);
    const p1 = model.predict(x) as tf.Tensor;
    const p2 = loaded.predict(x) as tf.Tensor;
    const a = p1.dataSync() as Float32Array;
    const b = p2.dataSync() as Float32Array;
    expect(
      Buffer.from(b.buffer, b.byteOffset, b.byteLength).equals(
        Buffer.from(a.buffer, a.byteOffset, a.byteLength),
      ),
    ).toBe(true);
    tf.dispose([x, p1, p2]);
    model.dispose();
    loaded.dispose();
  });

  test('loading from a directory without a model is a NotFoundError naming the file', async () => {
    const err = await loadModel(path.join(dir, 'nothing')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as Error).message).toContain(path.join(dir, 'nothing', 'model.json'));
  });
});

describe('the training forward pass and tfjs-layers agree', () => {
  test.each(['relu', 'tanh', 'elu', 'sigmoid', 'selu'] as const)(
    '%s: predictRaw gives the bits of model.predict',
    async (activation) => {
      const data = makeData(Stream, { task: 'binary' });
      const out = await trainMlp(data, resolveMlpParams({ epochs: 1, units: 7, activation }), {
        seed: 2,
        keepModel: true,
      });
      const model = out.model!;
      const layers = model.layers.filter((l) => l.getClassName() === 'Dense');
      const ours = predictRaw(layers, data.test.x, data.test.n, data.nFeatures);
      const x = tf.tensor2d(data.test.x, [data.test.n, data.nFeatures]);
      const p = model.predict(x) as tf.Tensor;
      expect(Array.from(ours)).toEqual(Array.from(p.dataSync()));
      tf.dispose([x, p]);
      model.dispose();
    },
  );
});
