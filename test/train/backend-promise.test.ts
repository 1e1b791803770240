/**
 * What each backend promises across machines (README, "What is the same where"), tested by
 * perturbing V8's transcendental Math functions, as another CPU or Node version does (by an ulp):
 * a wasm trial's every recorded number stays the same bits however large the perturbation (its
 * kernels are WebAssembly and lockstep's own numbers come from src/math). A cpu trial's kernels
 * call Math.exp, Math.tanh, … and round the results to float32: a 1-ulp difference is absorbed
 * (except at a float32 rounding boundary, which nothing rules out), a larger one is not.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { Stream } from '../../src/rng/index.js';
import { initBackend } from '../../src/train/backend.js';
import { trainMlp } from '../../src/train/loop.js';
import { resolveMlpParams } from '../../src/train/params.js';
import { makeData } from './fixtures/synthetic.mjs';

const NAMES = [
  'exp',
  'expm1',
  'log',
  'log1p',
  'log2',
  'log10',
  'pow',
  'sin',
  'cos',
  'tan',
  'tanh',
  'sinh',
  'cosh',
  'atan',
  'atan2',
  'asin',
  'acos',
  'cbrt',
  'hypot',
] as const;
type Name = (typeof NAMES)[number];
const original = Object.fromEntries(NAMES.map((n) => [n, Math[n]])) as Record<
  Name,
  (...a: number[]) => number
>;

const f64 = new Float64Array(1);
const i64 = new BigInt64Array(f64.buffer);
/** `ulps` doubles further from zero: 1 is what another libm gives. */
function nudge(v: number, ulps: bigint): number {
  if (!Number.isFinite(v) || v === 0) return v;
  f64[0] = v;
  i64[0] = i64[0]! + ulps;
  return f64[0]!;
}

function perturbMath(ulps: bigint): void {
  for (const n of NAMES) {
    const f = original[n];
    (Math as unknown as Record<string, unknown>)[n] = (...a: number[]) => nudge(f(...a), ulps);
  }
}
/** About float32's own precision (2^32 double ulps = 2^-20 relative). */
const LARGE = 1n << 32n;
function restoreMath(): void {
  for (const n of NAMES) (Math as unknown as Record<string, unknown>)[n] = original[n];
}
afterEach(restoreMath);

const PARAMS = resolveMlpParams({
  layers: 2,
  units: 8,
  activation: 'elu',
  optimizer: 'adam',
  learning_rate: 0.01,
  batch_size: 16,
  epochs: 3,
  dropout: 0.1,
});

async function trial(backend: 'wasm' | 'cpu', task: 'binary' | 'multiclass') {
  await initBackend(backend);
  const data = makeData(Stream, { task, n: 90, nVal: 40, nTest: 10 });
  const out = await trainMlp(data, PARAMS, { seed: 7 });
  return { hash: out.weightsHash, metrics: out.metrics };
}

describe('backend promises across machines', () => {
  test.each(['binary', 'multiclass'] as const)(
    'wasm (%s): every recorded number is the same bits whatever V8 Math returns',
    async (task) => {
      const clean = await trial('wasm', task);
      perturbMath(1n);
      expect(await trial('wasm', task)).toEqual(clean);
      perturbMath(LARGE);
      expect(await trial('wasm', task)).toEqual(clean);
    },
  );

  test('cpu: same bits on one runtime; depends on V8 Math, whose last-bit differences float32 absorbs here', async () => {
    const clean = await trial('cpu', 'binary');
    expect(await trial('cpu', 'binary')).toEqual(clean);
    perturbMath(1n);
    expect((await trial('cpu', 'binary')).hash).toBe(clean.hash);
    perturbMath(LARGE);
    expect((await trial('cpu', 'binary')).hash).not.toBe(clean.hash);
    restoreMath();
    await initBackend('wasm');
  });
});
