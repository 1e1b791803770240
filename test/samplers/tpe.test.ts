import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GpSampler } from '../../src/samplers/gp.js';
import { NumericParzen, sortUnit } from '../../src/samplers/parzen.js';
import { RandomSampler } from '../../src/samplers/random.js';
import { split, TpeSampler, unitMapper } from '../../src/samplers/tpe.js';
import type { FinishedTrial, Sampler } from '../../src/samplers/types.js';
import { tryToUnit, validateParams } from '../../src/space/codec.js';
import { parseSpace } from '../../src/space/schema.js';
import type { Distribution, Params, ParamValue, SearchSpace } from '../../src/space/types.js';

const quad2d = parseSpace({ x: { type: 'float', low: -5, high: 5 }, y: { type: 'float', low: -5, high: 5 } });
const quadratic = (p: Params) => ((p.x as number) - 1.3) ** 2 + ((p.y as number) + 2.1) ** 2;

/** Sequential search (lag 0): trial i sees trials 0..i-1. Returns the best value after n trials. */
function run(
  sampler: Sampler,
  space: SearchSpace,
  f: (p: Params) => number,
  n: number,
  seed: number,
  maximize = false,
) {
  const history: FinishedTrial[] = [];
  for (let i = 0; i < n; i++) {
    const params = sampler.sample(space, history, {
      seed,
      index: i,
      direction: maximize ? 'maximize' : 'minimize',
    });
    history.push({ index: i, params, state: 'complete', value: f(params), intermediate: [] });
  }
  const values = history.map((t) => t.value!);
  return { best: maximize ? Math.max(...values) : Math.min(...values), history };
}

function trial(
  index: number,
  value: number | undefined,
  state: FinishedTrial['state'] = 'complete',
): FinishedTrial {
  return { index, params: { x: index }, state, value, intermediate: [] };
}

describe('TpeSampler', () => {
  it('beats random search on a 2D quadratic: mean best after 60 trials over 10 seeds', () => {
    let tpe = 0;
    let tpeMv = 0;
    let random = 0;
    for (let seed = 0; seed < 10; seed++) {
      tpe += run(new TpeSampler(), quad2d, quadratic, 60, seed).best;
      tpeMv += run(new TpeSampler({ multivariate: true }), quad2d, quadratic, 60, seed).best;
      random += run(new RandomSampler(), quad2d, quadratic, 60, seed).best;
    }
    expect(tpe / 10).toBeLessThan((random / 10) * 0.4);
    expect(tpeMv / 10).toBeLessThan((random / 10) * 0.4);
  });

  it('respects the direction: maximising the negated objective finds the same region', () => {
    const r = run(new TpeSampler(), quad2d, (p) => -quadratic(p), 60, 3, true);
    const late = r.history.slice(40).map((t) => -t.value!);
    const early = r.history.slice(0, 10).map((t) => -t.value!);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(late)).toBeLessThan(mean(early) * 0.5);
  });

  it('concentrates on the good categorical choice', () => {
    const space = parseSpace({ c: ['a', 'b', 'c', 'd'], x: { type: 'float', low: 0, high: 1 } });
    const f = (p: Params) => (p.c === 'c' ? 0 : 1) + (p.x as number);
    const { history } = run(new TpeSampler(), space, f, 80, 1);
    const late = history.slice(40).filter((t) => t.params.c === 'c').length;
    expect(late).toBeGreaterThan(25);
  });

  it('samples at random before n_startup_trials usable trials, ignoring failed ones', () => {
    const random = new TpeSampler({ n_startup_trials: 3 });
    const failed = [0, 1, 2, 3].map((i) => ({
      ...trial(i, undefined, 'failed'),
      params: { x: 0.5, y: 0.5 },
    }));
    const ctx = { seed: 4, index: 9, direction: 'minimize' as const };
    // Only failed trials: still startup, so the result does not depend on them.
    expect(random.sample(quad2d, failed, ctx)).toEqual(random.sample(quad2d, [], ctx));
  });

  it('fits a conditional parameter only on the trials where it was active', () => {
    const space = parseSpace({
      opt: ['adam', 'sgd'],
      m: { type: 'float', low: 0, high: 1, when: { opt: 'sgd' } },
    });
    // sgd with m near 0.9 is best; adam trials do not have m.
    const f = (p: Params) => (p.opt === 'sgd' ? ((p.m as number) - 0.9) ** 2 : 0.5);
    const { history } = run(new TpeSampler(), space, f, 70, 2);
    const lateSgd = history.slice(35).filter((t) => t.params.opt === 'sgd');
    expect(lateSgd.length).toBeGreaterThan(15);
    const meanM = lateSgd.reduce((a, t) => a + (t.params.m as number), 0) / lateSgd.length;
    expect(meanM).toBeGreaterThan(0.7);
    for (const t of history) expect('m' in t.params).toBe(t.params.opt === 'sgd');
  });

  it('is fast enough to sample from a 1000-trial history (smoke; timings belong to benchmarks/)', () => {
    const space = parseSpace({
      a: { type: 'float', low: 0, high: 1 },
      b: { type: 'float', low: -1, high: 1 },
      lr: { type: 'float', low: 1e-5, high: 1, log: true },
      u: { type: 'int', low: 8, high: 512, log: true },
      c: ['p', 'q', 'r'],
    });
    const rs = new RandomSampler();
    const history = Array.from({ length: 1000 }, (_, i) => {
      const params = rs.sample(space, [], { seed: 1, index: i, direction: 'minimize' });
      return {
        index: i,
        params,
        state: 'complete' as const,
        value: (params.a as number) ** 2,
        intermediate: [],
      };
    });
    for (const mv of [false, true]) {
      const p = new TpeSampler({ multivariate: mv }).sample(space, history, {
        seed: 1,
        index: 1000,
        direction: 'minimize',
      });
      expect(Object.keys(p).sort()).toEqual(['a', 'b', 'c', 'lr', 'u']);
    }
  });
});

describe('split', () => {
  it("takes Optuna's n_below = min(ceil(0.1 n), 25), best first by direction, ties by index, both parts in index order", () => {
    const ts = [
      trial(0, 5),
      trial(1, 1),
      trial(2, 3),
      trial(3, 1),
      trial(4, 9),
      trial(5, 2),
      trial(6, 7),
      trial(7, 4),
      trial(8, 8),
      trial(9, 6),
      trial(10, 0.5),
    ];
    const min = split(ts, 'minimize', { gamma: 0.1, gamma_cap: 25 });
    expect(min.below.map((t) => t.index)).toEqual([1, 10]); // ceil(1.1) = 2: values 0.5 and 1 (index 1 before 3)
    expect(min.above.map((t) => t.index)).toEqual([0, 2, 3, 4, 5, 6, 7, 8, 9]);
    const max = split(ts, 'maximize', { gamma: 0.1, gamma_cap: 25 });
    expect(max.below.map((t) => t.index)).toEqual([4, 8]);
    const many = Array.from({ length: 1000 }, (_, i) => trial(i, (i * 7919) % 1000));
    const big = split(many, 'minimize', { gamma: 0.1, gamma_cap: 25 });
    expect(big.below).toHaveLength(25);
    expect(Math.max(...big.below.map((t) => t.value!))).toBe(24);
    expect(big.above).toHaveLength(975);
  });
});

describe('Parzen estimator', () => {
  it('sortUnit orders values and breaks ties by position', () => {
    const v = Float64Array.from([0.5, 0.1, 0.5, 0.99, 0, 1, 0.1]);
    expect([...sortUnit(v)]).toEqual([4, 1, 6, 0, 2, 3, 5]);
  });

  it('the windowed density matches the full sum and integrates to 1 over [0, 1]', () => {
    const n = 500;
    const mus = Float64Array.from({ length: n }, (_, i) => ((i * 0.618034) % 1) * 0.98 + 0.01);
    const est = new NumericParzen(mus, new Float64Array(n).fill(1), 1);
    let integral = 0;
    const m = 20000;
    for (let i = 0; i < m; i++) integral += Math.exp(est.logPdf((i + 0.5) / m)) / m;
    expect(integral).toBeCloseTo(1, 3);
    // Brute force at a few points.
    for (const x of [0.013, 0.5, 0.77, 0.999]) {
      let p = 0;
      for (let j = 0; j <= n; j++) {
        const mu = est.mus[j]!;
        const s = est.sigmas[j]!;
        const z = (1 - mu) / s;
        const a = -mu / s;
        const mass = 0.5 * (erf(z / Math.SQRT2) - erf(a / Math.SQRT2));
        p +=
          ((est.weights[j]! / est.total) * Math.exp(-0.5 * ((x - mu) / s) ** 2)) /
          (s * Math.sqrt(2 * Math.PI) * mass);
      }
      expect(est.logPdf(x)).toBeCloseTo(Math.log(p), 5);
    }
  });
});

describe('Parzen estimator: narrow kernels summed per block', () => {
  it('matches the kernel-by-kernel sum to 1e-8 on concentrated and edge-heavy observations', () => {
    // Like a long TPE run: most observations packed near an optimum (most kernels in every window),
    // some at the edges (truncated kernels), a ramp of weights (observationWeights).
    for (const n of [300, 1200, 4000]) {
      const mus = Float64Array.from({ length: n }, (_, i) => {
        const u = (i * 0.618034) % 1;
        if (i % 5 === 0) return u;
        if (i % 17 === 0) return i % 2 === 0 ? u * 0.02 : 1 - u * 0.02 - 1e-9;
        return Math.min(0.999, Math.max(0, 0.3 + (u - 0.5) * 0.08));
      });
      const weights = Float64Array.from({ length: n }, (_, i) =>
        i < n - 25 ? 1 / n + ((1 - 1 / n) * i) / (n - 26) : 1,
      );
      const est = new NumericParzen(mus, weights, 1);
      expect((est as unknown as { moments?: Float64Array }).moments).toBeDefined();
      const coef = Array.from(est.mus, (mu, j) => {
        const s = est.sigmas[j]!;
        // Interior kernels have mass 1 to 1e-15; the reference's erf by quadrature only for the others.
        const mass =
          mu > 8 * s && mu < 1 - 8 * s
            ? 1
            : 0.5 * (erf((1 - mu) / s / Math.SQRT2) - erf(-mu / s / Math.SQRT2));
        return est.weights[j]! / est.total / (s * Math.sqrt(2 * Math.PI) * mass);
      });
      for (let i = 0; i <= 200; i++) {
        const x = i === 200 ? 1 - 1e-12 : i / 200;
        let p = 0;
        for (let j = 0; j < est.mus.length; j++)
          p += coef[j]! * Math.exp(-0.5 * ((x - est.mus[j]!) / est.sigmas[j]!) ** 2);
        // The reference's own erf by quadrature is good to ~1e-7 at the edges.
        expect(Math.abs(est.logPdf(x) - Math.log(p))).toBeLessThan(1e-6);
      }
    }
  });
});

/** erf by numerical integration (independent of the implementation under test). */
function erf(x: number): number {
  const n = 2000;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const t = ((i + 0.5) / n) * x;
    s += Math.exp(-t * t);
  }
  return ((2 / Math.sqrt(Math.PI)) * s * x) / n;
}

describe('unitMapper (the fast path of tryToUnit used on long histories)', () => {
  const dists: Distribution[] = [
    { type: 'float', low: -2, high: 3 },
    { type: 'float', low: 1e-4, high: 1, log: true },
    { type: 'float', low: 0, high: 1, step: 0.25 },
    { type: 'int', low: 1, high: 600, log: true },
    { type: 'int', low: -5, high: 15, step: 5 },
    { type: 'int', low: 0, high: 100_000 },
    { type: 'categorical', choices: ['a', 1, false] },
    { type: 'fixed', value: 3 },
  ];
  it.each(dists.map((d) => [JSON.stringify(d), d] as const))('agrees with tryToUnit for %s', (_, dist) => {
    const map = unitMapper(dist);
    const values = fc.oneof(
      fc.double({ min: -10, max: 700, noNaN: true }),
      fc.integer({ min: -10, max: 700 }),
      fc.constantFrom<ParamValue | undefined>('a', 1, false, true, 'zz', undefined, 0.25, 1e-4, 600, 3),
    );
    fc.assert(
      fc.property(values, (v) => {
        const expected = tryToUnit(dist, v);
        const got = map(v);
        if (expected === undefined) expect(got).toBeNaN();
        else expect(got).toBe(expected);
      }),
    );
  });

  it('TPE skips history values that are not in the space (an old study)', () => {
    const space = parseSpace({ x: { type: 'float', low: 0, high: 1 }, c: ['a', 'b'] });
    const good = Array.from({ length: 20 }, (_, i) => ({
      index: i,
      params: { x: i / 20, c: i % 2 === 0 ? 'a' : 'b' },
      state: 'complete' as const,
      value: i,
      intermediate: [],
    }));
    const foreign = [
      { index: 20, params: { x: 7, c: 'zzz' }, state: 'complete' as const, value: -100, intermediate: [] },
    ];
    const ctx = { seed: 1, index: 30, direction: 'minimize' as const };
    const p = new TpeSampler().sample(space, [...good, ...foreign], ctx);
    expect(() => validateParams(space, p)).not.toThrow();
  });
});

describe('TPE and GP in a finite space', () => {
  const grid = parseSpace({
    a: ['p', 'q', 'r'],
    b: [1, 2, 3, 4],
    c: { type: 'int', low: 0, high: 3 },
  });
  const f = (p: Params) =>
    (p.a === 'q' ? 0 : 1) + Math.abs((p.b as number) - 3) + ((p.c as number) - 1) ** 2 / 4;

  it.each<[string, () => Sampler]>([
    ['tpe', () => new TpeSampler()],
    ['tpe (multivariate)', () => new TpeSampler({ multivariate: true })],
    ['gp', () => new GpSampler()],
  ])('%s does not re-suggest a tried point while untried ones remain (48 points, 40 trials)', (_, make) => {
    const { history } = run(make(), grid, f, 40, 11);
    const keys = history.map((t) => JSON.stringify(t.params));
    expect(new Set(keys).size).toBe(40);
  });
});
