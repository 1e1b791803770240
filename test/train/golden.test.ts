/**
 * Golden numbers: 14 small trials covering every task, activation, optimizer, dropout, l2, depth
 * and a partial last batch, each pinned to its final weights hash and final metrics, recorded from
 * the trainer as it was before the direct wasm-kernel path (NUMERIC_VERSION 2).
 *
 * If this test turns red, a trial's numbers changed. That is a numeric change: bump
 * NUMERIC_VERSION in src/train/backend.ts, then re-record the literals below
 * (LOCKSTEP_GOLDEN_PRINT=1 npx vitest run test/train/golden.test.ts prints them).
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { Stream } from '../../src/rng/index.js';
import { initBackend } from '../../src/train/backend.js';
import { trainMlp } from '../../src/train/loop.js';
import { type FlatParams, resolveMlpParams } from '../../src/train/params.js';
import { makeData } from './fixtures/synthetic.mjs';

type Task = 'binary' | 'multiclass' | 'regression';

interface Golden {
  name: string;
  task: Task;
  params: FlatParams;
  seed: number;
  hash: string;
  metrics: Record<string, number>;
}

// 90 training rows: batch sizes 16, 20, 32 and 64 leave a partial last batch.
const DATA = { n: 90, nVal: 40, nTest: 10 };

const CASES: Golden[] = [
  // GOLDEN-BEGIN
  {
    name: 'binary relu adam, 1 layer',
    task: 'binary',
    params: {
      layers: 1,
      units: 8,
      activation: 'relu',
      optimizer: 'adam',
      learning_rate: 0.01,
      batch_size: 16,
      epochs: 3,
    },
    seed: 1,
    hash: 'c9e36d8f53eb02709d958b54b4dedbccc4f5098581ca2312e6f5d882613fb6a1',
    metrics: {
      train_loss: 0.7041711005841804,
      accuracy: 0.625,
      log_loss: 0.6815734281249083,
      roc_auc: 0.6416040100250626,
    },
  },
  {
    name: 'binary elu sgd, 2 layers',
    task: 'binary',
    params: {
      layers: 2,
      units: 6,
      activation: 'elu',
      optimizer: 'sgd',
      learning_rate: 0.05,
      batch_size: 20,
      epochs: 3,
    },
    seed: 2,
    hash: '2042304a9df820d1546b78e1e1efcefc615a18097a425473a7a9a7731117cfb2',
    metrics: {
      train_loss: 0.718078911285167,
      accuracy: 0.675,
      log_loss: 0.6296075328208663,
      roc_auc: 0.7518796992481203,
    },
  },
  {
    name: 'binary tanh sgd momentum, dropout',
    task: 'binary',
    params: {
      layers: 2,
      units: 8,
      activation: 'tanh',
      optimizer: 'sgd',
      momentum: 0.9,
      learning_rate: 0.02,
      dropout: 0.2,
      batch_size: 32,
      epochs: 3,
    },
    seed: 3,
    hash: '72ac1136c54297817298d96c6434b26863e6767b57d1e6dc468bb4470995f19b',
    metrics: {
      train_loss: 0.7176426190822934,
      accuracy: 0.35,
      log_loss: 0.7380793945029918,
      roc_auc: 0.3258145363408521,
    },
  },
  {
    name: 'binary sigmoid rmsprop, l2',
    task: 'binary',
    params: {
      layers: 1,
      units: 10,
      activation: 'sigmoid',
      optimizer: 'rmsprop',
      learning_rate: 0.005,
      l2: 0.01,
      batch_size: 16,
      epochs: 3,
    },
    seed: 4,
    hash: '7f84ed6b2016d92338c901734d5df494c9cb1b406e2b89f9d899fffafd038ca5',
    metrics: {
      train_loss: 0.7409117059341963,
      accuracy: 0.525,
      log_loss: 0.661070824527947,
      roc_auc: 0.9097744360902256,
    },
  },
  {
    name: 'binary selu adam, 3 layers, dropout, l2',
    task: 'binary',
    params: {
      layers: 3,
      units: 5,
      units_2: 9,
      activation: 'selu',
      optimizer: 'adam',
      learning_rate: 0.01,
      dropout: 0.1,
      l2: 0.001,
      batch_size: 16,
      epochs: 2,
    },
    seed: 5,
    hash: 'f38369f4a93802d97316d78caae0e24785e97cecc0dcd41b92acb7fe9f7351e0',
    metrics: {
      train_loss: 0.518694636978978,
      accuracy: 0.85,
      log_loss: 0.3265301246234218,
      roc_auc: 0.9473684210526315,
    },
  },
  {
    name: 'multiclass relu adam, dropout',
    task: 'multiclass',
    params: {
      layers: 2,
      units: 8,
      activation: 'relu',
      optimizer: 'adam',
      learning_rate: 0.01,
      dropout: 0.3,
      batch_size: 32,
      epochs: 3,
    },
    seed: 6,
    hash: 'f47f9d901d98911aa6411552e86b153f37a1e988fc0ff0d9892bd66956fc4245',
    metrics: {
      train_loss: 1.1360471111932204,
      accuracy: 0.475,
      log_loss: 0.9819058369787973,
      roc_auc: 0.6853632478632479,
    },
  },
  {
    name: 'multiclass tanh rmsprop momentum',
    task: 'multiclass',
    params: {
      layers: 1,
      units: 8,
      activation: 'tanh',
      optimizer: 'rmsprop',
      momentum: 0.5,
      learning_rate: 0.005,
      batch_size: 20,
      epochs: 3,
    },
    seed: 7,
    hash: 'fd8d0c310deb9605f01b3ca5b50bc9dd1600c3de03672505702cc074104fb3ac',
    metrics: {
      train_loss: 0.8023539647975733,
      accuracy: 0.775,
      log_loss: 0.7718541122754217,
      roc_auc: 0.9205586080586081,
    },
  },
  {
    name: 'multiclass selu sgd, l2',
    task: 'multiclass',
    params: {
      layers: 2,
      units: 6,
      activation: 'selu',
      optimizer: 'sgd',
      learning_rate: 0.1,
      l2: 0.01,
      batch_size: 64,
      epochs: 3,
    },
    seed: 8,
    hash: '38e57d45d4b182599bcf463657dbf24d4ccf693c87eea860f8d5a51aad33dc42',
    metrics: {
      train_loss: 1.0163795822032637,
      accuracy: 0.75,
      log_loss: 0.6729479602251207,
      roc_auc: 0.8977411477411478,
    },
  },
  {
    name: 'multiclass sigmoid sgd momentum, 3 layers',
    task: 'multiclass',
    params: {
      layers: 3,
      units: 6,
      activation: 'sigmoid',
      optimizer: 'sgd',
      momentum: 0.8,
      learning_rate: 0.05,
      batch_size: 16,
      epochs: 2,
    },
    seed: 9,
    hash: '4b34877ef414642fc9104cca34e9bc70f40548dac6d63e0a0b805a17b5f9f270',
    metrics: {
      train_loss: 1.1180113411609613,
      accuracy: 0.35,
      log_loss: 1.1277475561736383,
      roc_auc: 0.7103174603174603,
    },
  },
  {
    name: 'regression relu adam, 3 layers, l2',
    task: 'regression',
    params: {
      layers: 3,
      units: 7,
      activation: 'relu',
      optimizer: 'adam',
      learning_rate: 0.01,
      l2: 0.001,
      batch_size: 16,
      epochs: 2,
    },
    seed: 10,
    hash: '1f09360645866a2ccc24d546d4046b0ac7e88cf51a527948d8c19a8772dffcd7',
    metrics: {
      train_loss: 2.0005370804754414,
      rmse: 2.6143192871743373,
      mae: 2.207704439887311,
      r2: 0.09064473278595453,
    },
  },
  {
    name: 'regression elu rmsprop, dropout',
    task: 'regression',
    params: {
      layers: 2,
      units: 8,
      activation: 'elu',
      optimizer: 'rmsprop',
      learning_rate: 0.005,
      dropout: 0.2,
      batch_size: 32,
      epochs: 3,
    },
    seed: 11,
    hash: 'ef98aa70e02c4269b9568c431861a994110492026549c5ad5974db49da84cd9c',
    metrics: {
      train_loss: 1.4405306352920657,
      rmse: 2.04389061025927,
      mae: 1.739446417056024,
      r2: 0.44418325083494636,
    },
  },
  {
    name: 'regression tanh sgd, one full batch',
    task: 'regression',
    params: {
      layers: 1,
      units: 6,
      activation: 'tanh',
      optimizer: 'sgd',
      learning_rate: 0.01,
      batch_size: 90,
      epochs: 4,
    },
    seed: 12,
    hash: 'cdfe6ea924934eddd02c69cf78ce0cd0973c106c537ea82b69c111d0cf9e4e98',
    metrics: {
      train_loss: 3.2647665838484343,
      rmse: 3.8624755468182514,
      mae: 3.074345314130187,
      r2: -0.9849419886059252,
    },
  },
  {
    name: 'regression sigmoid adam, dropout, l2',
    task: 'regression',
    params: {
      layers: 2,
      units: 8,
      activation: 'sigmoid',
      optimizer: 'adam',
      learning_rate: 0.01,
      dropout: 0.25,
      l2: 0.005,
      batch_size: 20,
      epochs: 3,
    },
    seed: 13,
    hash: 'a8731c9aa672c101b0ed2881394d94cfac9a73cdac353c204f606e40e6c623a2',
    metrics: {
      train_loss: 2.430258314588639,
      rmse: 2.7666730330965965,
      mae: 2.329685167595744,
      r2: -0.018431929890105447,
    },
  },
  {
    name: 'regression selu sgd momentum',
    task: 'regression',
    params: {
      layers: 1,
      units: 8,
      activation: 'selu',
      optimizer: 'sgd',
      momentum: 0.9,
      learning_rate: 0.01,
      batch_size: 16,
      epochs: 3,
    },
    seed: 14,
    hash: '14d70c81cc7f165c1552d90cf2ca4ea0d7e32f27c2106c2907af08a8aa84d01c',
    metrics: {
      train_loss: 0.14746825670488048,
      rmse: 0.7020602852805351,
      mae: 0.5834874749183655,
      r2: 0.9344209463468633,
    },
  },
  // GOLDEN-END
];

const PRINT = process.env.LOCKSTEP_GOLDEN_PRINT === '1';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('golden trials (numbers pinned at NUMERIC_VERSION 2)', () => {
  test.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const data = makeData(Stream, { task: c.task, ...DATA });
    const out = await trainMlp(data, resolveMlpParams(c.params), { seed: c.seed });
    if (PRINT) {
      process.stdout.write(
        `GOLDEN ${JSON.stringify({ name: c.name, hash: out.weightsHash, metrics: out.metrics })}\n`,
      );
      return;
    }
    expect(out.weightsHash).toBe(c.hash);
    expect(out.metrics).toEqual(c.metrics);
  });
});
