import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { PreparedData } from '../../src/data/types.js';
import { LockstepError } from '../../src/errors.js';
import { TrainerPool } from '../../src/pool/pool.js';
import { runTrialTask } from '../../src/pool/run.js';
import { isSharedData, toShared } from '../../src/pool/shared.js';
import type { MlpTask, TrialResult } from '../../src/pool/types.js';
import { Stream } from '../../src/rng/index.js';
import { initBackend } from '../../src/train/backend.js';
import { makeData } from '../train/fixtures/synthetic.mjs';
import { requireBuild } from '../train/helpers.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const params = { epochs: 3, units: 10, dropout: 0.2, batch_size: 16, learning_rate: 0.01 };

let pool: TrainerPool;
let data: PreparedData;

beforeAll(async () => {
  requireBuild();
  await initBackend('wasm');
  pool = new TrainerPool({ workers: 2, backend: 'wasm' });
  data = makeData(Stream, { task: 'binary' });
});
afterAll(async () => {
  await pool?.close();
});

function mlp(seed: number, extra: Partial<MlpTask> = {}): MlpTask {
  return { kind: 'mlp', data: toShared(data), params, seed, ...extra };
}

function complete(r: TrialResult) {
  if (r.state !== 'complete') throw new Error(`expected a complete trial, got ${r.state}: ${r.error}`);
  return r;
}

describe('toShared', () => {
  test('puts every array in shared memory, with a key that follows the content', () => {
    const s = toShared(data);
    expect(isSharedData(s)).toBe(true);
    expect(isSharedData(data)).toBe(false);
    expect(s.train.x.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Array.from(s.validation.y)).toEqual(Array.from(data.validation.y));
    expect(toShared(s)).toBe(s);
    const other = makeData(Stream, { task: 'binary' });
    expect(toShared(other).key).toBe(s.key);
    other.test.x[0] = 42;
    expect(toShared(other).key).not.toBe(s.key);
  });
});

describe('TrainerPool', () => {
  test('a trial in a worker gives the same bits as on the main thread', async () => {
    const inWorker = complete(await pool.run(mlp(21)));
    const here = complete(await runTrialTask(mlp(21)));
    expect(inWorker.weightsHash).toBe(here.weightsHash);
    expect(inWorker.history).toEqual(here.history);
    expect(inWorker.epochs).toBe(3);
  });

  test('two workers running different trials back to back: each equals its run alone', async () => {
    const seeds = [1, 2, 3, 4, 5, 6];
    const together = await Promise.all(seeds.map((s) => pool.run(mlp(s))));
    const alone: TrialResult[] = [];
    for (const s of seeds) alone.push(await runTrialTask(mlp(s)));
    expect(together.map((r) => complete(r).weightsHash)).toEqual(alone.map((r) => complete(r).weightsHash));
    expect(new Set(together.map((r) => complete(r).weightsHash)).size).toBe(seeds.length);
  });

  test("progress reaches the main thread, and its 'stop' lands before the next epoch", async () => {
    const seen: Array<[number, number]> = [];
    const r = complete(
      await pool.run(mlp(8), {
        onEpoch: (epoch, metrics) => {
          seen.push([epoch, metrics.accuracy!]);
          return epoch === 2 ? 'stop' : undefined;
        },
      }),
    );
    expect(seen.map(([e]) => e)).toEqual([1, 2]);
    expect(r.stopped).toBe(true);
    expect(r.epochs).toBe(2);
    expect(seen[1]![1]).toBe(r.metrics.accuracy);
    // The same stop, given as stopAtEpoch on the main thread (a replay), gives the same bits.
    const replay = complete(await runTrialTask(mlp(8, { stopAtEpoch: 2 })));
    expect(replay.weightsHash).toBe(r.weightsHash);
  });

  test('an async progress callback is awaited', async () => {
    const r = complete(
      await pool.run(mlp(9), {
        onEpoch: async (epoch) => {
          await new Promise((res) => setTimeout(res, 20));
          return epoch === 1 ? 'stop' : 'continue';
        },
      }),
    );
    expect(r.epochs).toBe(1);
  });

  test('a throwing progress callback fails the trial with its message', async () => {
    const r = await pool.run(mlp(9), {
      onEpoch: () => {
        throw new Error('ledger full');
      },
    });
    expect(r).toMatchObject({
      state: 'failed',
      error: 'the progress callback failed: Error: ledger full',
      cause: 'environment', // the main thread's side failed, not the trial's numbers
    });
  });

  test('invalid parameters give a failed result naming the field, not a rejection', async () => {
    const r = await pool.run({ ...mlp(1), params: { units: 0 } });
    expect(r).toEqual({
      state: 'failed',
      error: 'params.units: expected an integer >= 1, got 0',
      cause: 'trial',
      code: 'E_PARAM',
      epochs: 0,
      history: [],
    });
  });

  test('a module objective runs with its seed and index, reports epochs and can be stopped', async () => {
    const task = {
      kind: 'module' as const,
      module: fixture('objective.mjs'),
      params: { x: 3, epochs: 4 },
      seed: 9,
      index: 5,
    };
    const r = complete(await pool.run(task, { onEpoch: (epoch) => (epoch === 3 ? 'stop' : undefined) }));
    expect(r.epochs).toBe(3);
    expect(r.stopped).toBe(true);
    expect(r.weightsHash).toBeNull();
    expect(r.score).toBeCloseTo(1 + 1 / 3 + 2 / 1000, 12);
    expect(r.metrics.index).toBe(5);
    expect(r.history.map((h) => h.value)).toEqual([1 + 1 + 0.002, 1 + 0.5 + 0.002, 1 + 1 / 3 + 0.002]);
  });

  test('Math.random inside a worker trial is trapped too', async () => {
    const r = await pool.run({ kind: 'module', module: fixture('random.mjs'), params: {}, seed: 1 });
    expect(r.state).toBe('failed');
    if (r.state === 'failed') expect(r.error).toMatch(/Math\.random was called during a trial/);
  });

  test('a module without an objective export fails, naming the file', async () => {
    const file = fixture('no-objective.mjs');
    const r = await pool.run({ kind: 'module', module: file, params: {}, seed: 1 });
    expect(r.state).toBe('failed');
    if (r.state === 'failed')
      expect(r.error).toBe(`${file}: the module does not export a function 'objective'`);
  });

  test('an objective that returns NaN fails with E_TRIAL', async () => {
    const file = fixture('nan.mjs');
    const r = await pool.run({ kind: 'module', module: file, params: {}, seed: 1 });
    expect(r).toMatchObject({
      state: 'failed',
      code: 'E_TRIAL',
      error: `${file}: objective returned NaN; expected a number or { score: number }`,
    });
  });

  test('an aborted trial rejects with E_ABORTED and the pool keeps working', async () => {
    const ac = new AbortController();
    const run = pool.run(
      { kind: 'module', module: fixture('slow.mjs'), params: {}, seed: 1 },
      { signal: ac.signal },
    );
    setTimeout(() => ac.abort(), 200);
    const err = await run.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LockstepError);
    expect((err as LockstepError).code).toBe('E_ABORTED');
    expect(complete(await pool.run(mlp(21))).epochs).toBe(3);
  });

  test('aborting a trial that waits for its progress answer releases it', async () => {
    const ac = new AbortController();
    const run = pool.run(mlp(3), {
      signal: ac.signal,
      onEpoch: () => {
        ac.abort();
        return new Promise<undefined>(() => undefined);
      },
    });
    const err = await run.catch((e: unknown) => e);
    expect((err as LockstepError).code).toBe('E_ABORTED');
    expect(complete(await pool.run(mlp(4))).epochs).toBe(3);
  });
});
