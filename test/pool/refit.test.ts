import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { PreparedData } from '../../src/data/types.js';
import { LockstepError } from '../../src/errors.js';
import { TrainerPool } from '../../src/pool/pool.js';
import { Stream } from '../../src/rng/index.js';
import type { RefitJob } from '../../src/study/refit.js';
import { runRefitJob } from '../../src/study/refit.js';
import { initBackend } from '../../src/train/backend.js';
import { smallCsv, tempDir, writeFiles } from '../helpers/cli.js';
import { makeData } from '../train/fixtures/synthetic.mjs';
import { ROOT, requireBuild } from '../train/helpers.js';

// A study's refit runs on a free worker of its pool (TrainerPool.refit) or on the main thread (runRefitJob):
// the same record and the same model files either way, and the same one-line errors.

let pool: TrainerPool;
let data: PreparedData;
let dir: string;

beforeAll(async () => {
  requireBuild();
  await initBackend('wasm');
  pool = new TrainerPool({ workers: 1, backend: 'wasm' });
  data = makeData(Stream, { task: 'binary' });
  dir = tempDir();
});
afterAll(async () => {
  await pool?.close();
});

function job(modelDir: string, extra: Partial<RefitJob['best']['params']> = {}): RefitJob {
  return {
    data,
    best: {
      id: 'abcd1234-3',
      index: 3,
      params: { epochs: 4, units: 12, dropout: 0.25, batch_size: 16, learning_rate: 0.01, ...extra },
    },
    studySeed: 17,
    metric: 'accuracy',
    modelDir,
    study: {
      name: 'refit-test',
      key: 'abcd1234',
      dataset: null,
      preprocessing: null,
      environment: { backend: 'wasm' },
    } as unknown as RefitJob['study'],
    note: 'a test refit',
  };
}

const files = (d: string) =>
  ['weights.bin', 'model.json', 'metadata.json'].map((f) => readFileSync(join(d, f)));

describe('TrainerPool.refit', () => {
  test('gives the record and the model files a refit on the main thread gives', async () => {
    const inWorker = await pool.refit(job(join(dir, 'worker')));
    const here = await runRefitJob(job(join(dir, 'here')));
    expect(inWorker.record).toEqual(here.record);
    expect(inWorker.record.weightsHash).toMatch(/^[0-9a-f]{64}$/);
    expect(inWorker.modelDir).toBe(join(dir, 'worker'));
    expect(files(inWorker.modelDir)).toEqual(files(here.modelDir));
    // Another configuration is another model: the comparison above can fail.
    const other = await pool.refit(job(join(dir, 'other'), { units: 13 }));
    expect(other.record.weightsHash).not.toBe(here.record.weightsHash);
  });

  test('a refit that cannot write its model fails with the same one-line error in a worker as here', async () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, 'not a folder');
    const modelDir = join(blocker, 'best');
    const inWorker = await pool.refit(job(modelDir)).catch((e: unknown) => e);
    const here = await runRefitJob(job(modelDir)).catch((e: unknown) => e);
    expect(inWorker).toBeInstanceOf(LockstepError);
    expect(here).toBeInstanceOf(LockstepError);
    expect((inWorker as LockstepError).code).toBe('E_IO');
    expect((inWorker as LockstepError).message).toBe((here as LockstepError).message);
    expect((inWorker as LockstepError).message).toContain(`${modelDir}: cannot create the model folder`);
    // The worker is still there for the next refit.
    await expect(pool.refit(job(join(dir, 'after')))).resolves.toMatchObject({
      modelDir: join(dir, 'after'),
    });
  });

  test('a closed pool refuses a refit', async () => {
    const p = new TrainerPool({ workers: 1, backend: 'wasm' });
    await p.close();
    await expect(p.refit(job(join(dir, 'closed')))).rejects.toMatchObject({ code: 'E_ABORTED' });
  });
});

describe('search: the refit of a pooled study', () => {
  // Whether the main thread loaded tfjs (study/search.js loads none before a trial or refit needs it; the package's
  // index does, for its other exports): with two workers the refit goes to the free worker; with one, the
  // early refit runs here beside the last trial (the pool's only worker is busy).
  const script = (workers: number, out: string) => `
    import { createRequire } from 'node:module';
    import { search } from ${JSON.stringify(join(ROOT, 'dist/study/search.js'))};
    const r = await search({ config: ${JSON.stringify(join(out, 'study.yaml'))}, workers: ${workers}, out: ${JSON.stringify(out)} });
    const loaded = Object.keys(createRequire(import.meta.url).cache).some((k) => /tfjs-core[\\/]dist[\\/]/.test(k));
    console.log(JSON.stringify({ digest: r.digest, refit: r.refit, loaded }));`;

  test('runs on a free worker (this thread loads no tfjs) and records what a one-worker search records', () => {
    const run = (workers: number) => {
      const out = tempDir();
      writeFiles(out, {
        'data.csv': smallCsv(120, 5),
        'study.yaml': `name: pooled\nseed: 3\ndataset: data.csv\ntarget: label\nsampler: random\nparallelism: 2\nbudget: { trials: 4 }\nspace:\n  units_1: { type: int, low: 4, high: 16 }\n  epochs: 3\n`,
      });
      const stdout = execFileSync(process.execPath, ['--input-type=module', '-e', script(workers, out)], {
        cwd: out,
        encoding: 'utf8',
      });
      return JSON.parse(stdout.trim().split('\n').at(-1)!) as {
        digest: string;
        refit: { weightsHash: string; modelDir: string };
        loaded: boolean;
      };
    };
    const two = run(2);
    const one = run(1);
    expect(two.loaded).toBe(false);
    expect(one.loaded).toBe(true);
    expect(two.digest).toBe(one.digest);
    expect(two.refit.weightsHash).toBe(one.refit.weightsHash);
    expect(files(two.refit.modelDir)[0]).toEqual(files(one.refit.modelDir)[0]);
  }, 120_000);
});
