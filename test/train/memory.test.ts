/**
 * A trial's memory estimate (src/train/memory.ts): an upper bound of what the trial really allocates in wasm
 * memory (measured on the live allocations through the module's malloc), not grossly above it, and a pure
 * function of the parameters and the data's shape (pinned: changing it changes which trials a given
 * worker_memory_mb refuses).
 */
import { beforeAll, describe, expect, test } from 'vitest';
import type { PreparedData, Task } from '../../src/data/types.js';
import { initBackend } from '../../src/train/backend.js';
import { currentWasmBackend } from '../../src/train/direct.js';
import { trainMlp } from '../../src/train/loop.js';
import {
  checkTrialMemory,
  type DataShape,
  MemoryLimitError,
  trialMemoryBytes,
} from '../../src/train/memory.js';
import { type FlatParams, resolveMlpParams } from '../../src/train/params.js';

interface Malloc {
  _malloc(n: number): number;
  _free(p: number): void;
}

/** Live bytes allocated through the wasm module's malloc, and their peak since `reset()`. */
function trackAllocations(): { reset(): void; peak(): number } {
  const m = currentWasmBackend()!.wasm as unknown as Malloc;
  m._free(m._malloc(16)); // binds Emscripten's lazy export first
  const malloc = m._malloc;
  const free = m._free;
  const sizes = new Map<number, number>();
  let live = 0;
  let peak = 0;
  let base = 0;
  m._malloc = (n: number) => {
    const p = malloc(n);
    sizes.set(p, n);
    live += n;
    peak = Math.max(peak, live);
    return p;
  };
  m._free = (p: number) => {
    live -= sizes.get(p) ?? 0;
    sizes.delete(p);
    free(p);
  };
  return {
    reset() {
      peak = live;
      base = live;
    },
    peak: () => peak - base,
  };
}

function data(task: Task, n: number, f: number, k: number): PreparedData {
  const part = (rows: number) => ({
    x: new Float32Array(rows * f).map((_, i) => ((i * 7919) % 13) / 13 - 0.5),
    y: new Float32Array(rows).map((_, i) => (task === 'regression' ? (i % 5) / 5 : i % k)),
    n: rows,
  });
  return {
    task,
    nFeatures: f,
    nOutputs: task === 'multiclass' ? k : 1,
    train: part(n),
    validation: part(Math.ceil(n / 3)),
    test: part(1),
    datasetHash: 'synthetic',
  };
}

const shapeOf = (d: PreparedData): DataShape => ({
  nFeatures: d.nFeatures,
  nOutputs: d.nOutputs,
  trainRows: d.train.n,
  validationRows: d.validation.n,
  multiclass: d.task === 'multiclass',
});

const CASES: [string, FlatParams, PreparedData][] = [
  ['adam, wide', { layers: 2, units: 512, epochs: 1, batch_size: 32 }, data('multiclass', 200, 8, 3)],
  ['sgd', { layers: 2, units: 256, epochs: 1, optimizer: 'sgd' }, data('multiclass', 200, 8, 3)],
  [
    'rmsprop, dropout',
    { layers: 2, units: 256, epochs: 1, optimizer: 'rmsprop', dropout: 0.5 },
    data('binary', 200, 8, 2),
  ],
  [
    'large batch, l2',
    { layers: 2, units: 256, epochs: 1, batch_size: 1024, l2: 0.01 },
    data('multiclass', 2000, 8, 3),
  ],
  [
    'deep, many features',
    { layers: 8, units: 64, epochs: 1, batch_size: 256, activation: 'tanh' },
    data('multiclass', 1000, 200, 10),
  ],
  [
    'narrow, many rows',
    { layers: 1, units: 4, epochs: 1, batch_size: 2048, activation: 'selu' },
    data('regression', 8000, 300, 1),
  ],
  [
    'one wide layer, dropout',
    { layers: 1, units: 1000, epochs: 1, batch_size: 512, dropout: 0.2 },
    data('binary', 1500, 5, 2),
  ],
];

describe('trialMemoryBytes', () => {
  let tracker: ReturnType<typeof trackAllocations>;
  beforeAll(async () => {
    await initBackend('wasm');
    tracker = trackAllocations();
  });

  test.each(CASES)(
    '%s: at least the wasm memory the trial allocates at its peak, at most 3× it',
    async (_, flat, d) => {
      const params = resolveMlpParams(flat);
      tracker.reset();
      await trainMlp(d, params, { seed: 1 });
      const peak = tracker.peak();
      const estimate = trialMemoryBytes(params, shapeOf(d));
      expect(peak).toBeGreaterThan(0);
      expect(estimate).toBeGreaterThanOrEqual(peak);
      expect(estimate).toBeLessThanOrEqual(3 * peak);
    },
  );

  test('is a pure function of the parameters and the data shape (pinned values)', () => {
    const penguins: DataShape = {
      nFeatures: 9,
      nOutputs: 3,
      trainRows: 206,
      validationRows: 69,
      multiclass: true,
    };
    expect(trialMemoryBytes(resolveMlpParams({}), penguins)).toBe(1_372_435);
    expect(trialMemoryBytes(resolveMlpParams({ layers: 2, units: 20000, batch_size: 32 }), penguins)).toBe(
      51_366_858_099,
    );
  });
});

describe('checkTrialMemory', () => {
  const shape: DataShape = {
    nFeatures: 9,
    nOutputs: 3,
    trainRows: 206,
    validationRows: 69,
    multiclass: true,
  };

  test('passes a trial within the limit', () => {
    expect(() => checkTrialMemory(resolveMlpParams({ units: 64 }), shape, 64)).not.toThrow();
  });

  test('refuses a trial beyond it, naming the estimate, the parameter count and worker_memory_mb', () => {
    let caught: unknown;
    try {
      checkTrialMemory(resolveMlpParams({ layers: 2, units: 20000, batch_size: 32 }), shape, 64);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(MemoryLimitError);
    expect((caught as MemoryLimitError).code).toBe('E_MEMORY');
    expect((caught as MemoryLimitError).message).toBe(
      'the trial needs an estimated 48,988 MiB (400,280,003 parameters, batch_size 32), more than worker_memory_mb (64 MiB); it was not run',
    );
  });
});
