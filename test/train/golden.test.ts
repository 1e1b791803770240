/**
 * Golden numbers: 14 small trials covering every task, activation, optimizer, dropout, l2, depth
 * and a partial last batch, each pinned to its final weights hash and final metrics, recorded from
 * the trainer at NUMERIC_VERSION 3 with the default `init: torch` (CASES), and the same trials with
 * `init: he` (HE_CASES: numeric version 2's numbers, see there).
 *
 * If this test turns red, a trial's numbers changed. That is a numeric change: bump
 * NUMERIC_VERSION in src/train/backend.ts, then re-record the literals below
 * (LOCKSTEP_GOLDEN_PRINT=1 npx vitest run test/train/golden.test.ts prints them).
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { Stream } from '../../src/rng/index.js';
import { initBackend, NUMERIC_VERSION } from '../../src/train/backend.js';
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
    hash: '9034fca59481cf39bfc27daae901d4c6fb1dd8fd2ac03dfcc06bf1fedc698295',
    metrics: {
      train_loss: 0.6568919352861893,
      accuracy: 0.575,
      log_loss: 0.6477632785489811,
      roc_auc: 0.899749373433584,
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
    hash: '762dc1822094bd3b9c4fd3188b5ee412f028c3ed48489759b2c774a285b5c914',
    metrics: {
      train_loss: 0.6996836713473648,
      accuracy: 0.5,
      log_loss: 0.6893553103721651,
      roc_auc: 0.631578947368421,
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
    hash: 'd8f0e3e2db84c25b8cc858881116b9e47e90cc35c9e31207f7c7706c12139306',
    metrics: {
      train_loss: 0.696194848753854,
      accuracy: 0.425,
      log_loss: 0.702058992130503,
      roc_auc: 0.2907268170426065,
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
    hash: 'b1ecdceed105916a002312a160f7742e9c6ba359c3d6728cf92e74786562a6a6',
    metrics: {
      train_loss: 0.7043267948274627,
      accuracy: 0.525,
      log_loss: 0.678477267195659,
      roc_auc: 0.9523809523809523,
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
    hash: '089fbddfc2f21606bfc3b72767e0a5c4a0ce88c883bc36423c4ccf764cc08993',
    metrics: {
      train_loss: 0.580989069866579,
      accuracy: 0.75,
      log_loss: 0.5090561735349444,
      roc_auc: 0.9874686716791979,
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
    hash: '07f3c86d4c58460ea55f14cc9ebbb04da1836f4db36a35a6d5f204c7d3572b09',
    metrics: {
      train_loss: 1.0498357296083447,
      accuracy: 0.45,
      log_loss: 1.0433749923504698,
      roc_auc: 0.8305860805860806,
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
    hash: 'bfa19eeb58c9bb62e3e960493d779aa8c22ec23affced928c880caf8dbccbfed',
    metrics: {
      train_loss: 0.8661091268883704,
      accuracy: 0.775,
      log_loss: 0.8494991942864025,
      roc_auc: 0.9375,
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
    hash: 'f558c70fa40636c5294802ae8ae8f24e49918a8ebc1d527085845ebc7a761f22',
    metrics: {
      train_loss: 1.143537969020958,
      accuracy: 0.425,
      log_loss: 1.0785950756402074,
      roc_auc: 0.7001678876678876,
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
    hash: 'd2428137616d0e2eaaaed4a8956315675076a0f41d2d1dff5f16a7294990b11e',
    metrics: {
      train_loss: 1.1147389628810211,
      accuracy: 0.35,
      log_loss: 1.1238963789633725,
      roc_auc: 0.6772741147741147,
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
    hash: 'b19466047cd4e3e529bd2b90c5f114a029b4a3cc8fcd7025e56d8785648d00bf',
    metrics: {
      train_loss: 2.2467612706137454,
      rmse: 2.8175350514550432,
      mae: 2.3337360963225366,
      r2: -0.05622146212432777,
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
    hash: '8f584ef8e00cfd60af725d350def754d47e503718383b7eab2c8f7188dda0082',
    metrics: {
      train_loss: 1.7149593666242482,
      rmse: 2.3974996519027476,
      mae: 2.001954421121627,
      r2: 0.23522543019073283,
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
    hash: '473c4092b9ef3b474e6e800511c5b3fb843299c8229848fc3b73c97abee8459d',
    metrics: {
      train_loss: 2.4638951943515295,
      rmse: 3.105486427585977,
      mae: 2.5230797681957484,
      r2: -0.28314460963421184,
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
    hash: 'f538cad1422bc3b4f4119a0f1e8b7253e4aced727de619f31a36c05431f3e3da',
    metrics: {
      train_loss: 2.2290483708457067,
      rmse: 2.755920653985278,
      mae: 2.3182157214730976,
      r2: -0.010531258595897208,
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
    hash: '8667aa321c6f79e0ba40e586d6a796b55386666bf91ba7f708ff68b6009de0b2',
    metrics: {
      train_loss: 0.9261179048378885,
      rmse: 1.1164213351967238,
      mae: 0.8893578324001282,
      r2: 0.8341663774980127,
    },
  },
  // GOLDEN-END
];

/**
 * CASES with `init: he`, numeric version 2's only initialisation. Version 3 changed nothing else that moves a
 * weight (elu's derivative is computed otherwise, to the same values), so these are version 2's literals
 * (commit bc186f6) — the same weights hashes and metrics — but for train_loss where l2 > 0: version 3 adds
 * the L2 term once per epoch, at the epoch's final weights, where version 2 added it at every batch.
 */
const HE_CASES: Record<string, Pick<Golden, 'hash' | 'metrics'>> = {
  // GOLDEN-HE-BEGIN
  'binary relu adam, 1 layer': {
    hash: 'c9e36d8f53eb02709d958b54b4dedbccc4f5098581ca2312e6f5d882613fb6a1',
    metrics: {
      train_loss: 0.7041711005841804,
      accuracy: 0.625,
      log_loss: 0.6815734281249083,
      roc_auc: 0.6416040100250626,
    },
  },
  'binary elu sgd, 2 layers': {
    hash: '2042304a9df820d1546b78e1e1efcefc615a18097a425473a7a9a7731117cfb2',
    metrics: {
      train_loss: 0.718078911285167,
      accuracy: 0.675,
      log_loss: 0.6296075328208663,
      roc_auc: 0.7518796992481203,
    },
  },
  'binary tanh sgd momentum, dropout': {
    hash: '72ac1136c54297817298d96c6434b26863e6767b57d1e6dc468bb4470995f19b',
    metrics: {
      train_loss: 0.7176426190822934,
      accuracy: 0.35,
      log_loss: 0.7380793945029918,
      roc_auc: 0.3258145363408521,
    },
  },
  'binary sigmoid rmsprop, l2': {
    hash: '7f84ed6b2016d92338c901734d5df494c9cb1b406e2b89f9d899fffafd038ca5',
    metrics: {
      train_loss: 0.7384479333168297, // version 2: 0.7409117059341963
      accuracy: 0.525,
      log_loss: 0.661070824527947,
      roc_auc: 0.9097744360902256,
    },
  },
  'binary selu adam, 3 layers, dropout, l2': {
    hash: 'f38369f4a93802d97316d78caae0e24785e97cecc0dcd41b92acb7fe9f7351e0',
    metrics: {
      train_loss: 0.5184556388888109, // version 2: 0.518694636978978
      accuracy: 0.85,
      log_loss: 0.3265301246234218,
      roc_auc: 0.9473684210526315,
    },
  },
  'multiclass relu adam, dropout': {
    hash: 'f47f9d901d98911aa6411552e86b153f37a1e988fc0ff0d9892bd66956fc4245',
    metrics: {
      train_loss: 1.1360471111932204,
      accuracy: 0.475,
      log_loss: 0.9819058369787973,
      roc_auc: 0.6853632478632479,
    },
  },
  'multiclass tanh rmsprop momentum': {
    hash: 'fd8d0c310deb9605f01b3ca5b50bc9dd1600c3de03672505702cc074104fb3ac',
    metrics: {
      train_loss: 0.8023539647975733,
      accuracy: 0.775,
      log_loss: 0.7718541122754217,
      roc_auc: 0.9205586080586081,
    },
  },
  'multiclass selu sgd, l2': {
    hash: '38e57d45d4b182599bcf463657dbf24d4ccf693c87eea860f8d5a51aad33dc42',
    metrics: {
      train_loss: 1.0157056204137291, // version 2: 1.0163795822032637
      accuracy: 0.75,
      log_loss: 0.6729479602251207,
      roc_auc: 0.8977411477411478,
    },
  },
  'multiclass sigmoid sgd momentum, 3 layers': {
    hash: '4b34877ef414642fc9104cca34e9bc70f40548dac6d63e0a0b805a17b5f9f270',
    metrics: {
      train_loss: 1.1180113411609613,
      accuracy: 0.35,
      log_loss: 1.1277475561736383,
      roc_auc: 0.7103174603174603,
    },
  },
  'regression relu adam, 3 layers, l2': {
    hash: '1f09360645866a2ccc24d546d4046b0ac7e88cf51a527948d8c19a8772dffcd7',
    metrics: {
      train_loss: 2.0004890909288444, // version 2: 2.0005370804754414
      rmse: 2.6143192871743373,
      mae: 2.207704439887311,
      r2: 0.09064473278595453,
    },
  },
  'regression elu rmsprop, dropout': {
    hash: 'ef98aa70e02c4269b9568c431861a994110492026549c5ad5974db49da84cd9c',
    metrics: {
      train_loss: 1.4405306352920657,
      rmse: 2.04389061025927,
      mae: 1.739446417056024,
      r2: 0.44418325083494636,
    },
  },
  'regression tanh sgd, one full batch': {
    hash: 'cdfe6ea924934eddd02c69cf78ce0cd0973c106c537ea82b69c111d0cf9e4e98',
    metrics: {
      train_loss: 3.2647665838484343,
      rmse: 3.8624755468182514,
      mae: 3.074345314130187,
      r2: -0.9849419886059252,
    },
  },
  'regression sigmoid adam, dropout, l2': {
    hash: 'a8731c9aa672c101b0ed2881394d94cfac9a73cdac353c204f606e40e6c623a2',
    metrics: {
      train_loss: 2.4284078251192676, // version 2: 2.430258314588639
      rmse: 2.7666730330965965,
      mae: 2.329685167595744,
      r2: -0.018431929890105447,
    },
  },
  'regression selu sgd momentum': {
    hash: '14d70c81cc7f165c1552d90cf2ca4ea0d7e32f27c2106c2907af08a8aa84d01c',
    metrics: {
      train_loss: 0.14746825670488048,
      rmse: 0.7020602852805351,
      mae: 0.5834874749183655,
      r2: 0.9344209463468633,
    },
  },
  // GOLDEN-HE-END
};

const PRINT = process.env.LOCKSTEP_GOLDEN_PRINT === '1';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('golden trials (numbers pinned at NUMERIC_VERSION 3)', () => {
  test('the numbers below are those of numeric version 3', () => {
    expect(NUMERIC_VERSION).toBe(3);
  });

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

describe('golden trials with init: he (numeric version 2 but for train_loss with l2)', () => {
  test('every case has its he numbers, and they differ from the torch ones', () => {
    expect(Object.keys(HE_CASES)).toEqual(CASES.map((c) => c.name));
    for (const c of CASES) expect(HE_CASES[c.name]!.hash).not.toBe(c.hash);
  });

  test.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const data = makeData(Stream, { task: c.task, ...DATA });
    const out = await trainMlp(data, resolveMlpParams({ ...c.params, init: 'he' }), { seed: c.seed });
    if (PRINT) {
      process.stdout.write(
        `GOLDEN-HE ${JSON.stringify({ name: c.name, hash: out.weightsHash, metrics: out.metrics })}\n`,
      );
      return;
    }
    expect(out.weightsHash).toBe(HE_CASES[c.name]!.hash);
    expect(out.metrics).toEqual(HE_CASES[c.name]!.metrics);
  });
});
