import { describe, expect, it } from 'vitest';
import { Stream } from '../../src/rng/index.js';
import { CmaEsSampler, CmaState } from '../../src/samplers/cmaes.js';
import { RandomSampler } from '../../src/samplers/random.js';
import type { FinishedTrial, Sampler } from '../../src/samplers/types.js';
import { parseSpace } from '../../src/space/schema.js';
import type { Params, SearchSpace } from '../../src/space/types.js';

function run(sampler: Sampler, space: SearchSpace, f: (p: Params) => number, n: number, seed: number) {
  const history: FinishedTrial[] = [];
  for (let i = 0; i < n; i++) {
    const params = sampler.sample(space, history, { seed, index: i, direction: 'minimize' });
    history.push({ index: i, params, state: 'complete', value: f(params), intermediate: [] });
  }
  return { best: Math.min(...history.map((t) => t.value!)), history };
}

const sphere6 = parseSpace(
  Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`x${i}`, { type: 'float', low: -5, high: 5 }])),
);
const sphere = (p: Params) => Object.values(p).reduce<number>((s, v) => s + ((v as number) - 1) ** 2, 0);

describe('CmaEsSampler', () => {
  it('converges on a 6-D sphere: best < 1e-4 after 600 trials, for 3 seeds', () => {
    for (const seed of [0, 1, 2])
      expect(run(new CmaEsSampler(), sphere6, sphere, 600, seed).best).toBeLessThan(1e-4);
  });

  it('beats random search on the sphere at 150 trials by a factor of 20 (mean of 5 seeds)', () => {
    let cma = 0;
    let random = 0;
    for (let seed = 0; seed < 5; seed++) {
      cma += run(new CmaEsSampler(), sphere6, sphere, 150, seed).best;
      random += run(new RandomSampler(), sphere6, sphere, 150, seed).best;
    }
    expect(cma).toBeLessThan(random / 20);
  });

  it('the step size shrinks with the generations, and a stagnated state says so', () => {
    const s = new CmaState(3, 6, new Float64Array(3).fill(0.5), 0.2);
    const stream = Stream.of(1, 'test');
    for (let g = 0; g < 60; g++) {
      const xs = Array.from({ length: 6 }, () => s.ask(stream));
      s.tell(
        xs,
        xs.map((x) => x.reduce((a, v) => a + (v - 0.3) ** 2, 0)),
      );
    }
    expect(s.sigma).toBeLessThan(0.01);
    for (let k = 0; k < 3; k++) expect(s.mean[k]!).toBeCloseTo(0.3, 3);
    expect(s.stagnated()).toBe(false);
    const flat = new CmaState(2, 4, new Float64Array(2).fill(0.5), 0.2);
    for (let g = 0; g < 40; g++)
      flat.tell(
        Array.from({ length: 4 }, () => flat.ask(stream)),
        [1, 1, 1, 1],
      );
    expect(flat.stagnated()).toBe(true);
  });

  it('ipop restarts a flat run with a doubled population; no restart without it', () => {
    const space = parseSpace({
      x: { type: 'float', low: 0, high: 1 },
      y: { type: 'float', low: 0, high: 1 },
    });
    const flat = () => 1;
    const ipop = new CmaEsSampler({ restart: 'ipop' });
    const h = run(ipop, space, flat, 300, 4).history;
    const ctx = { seed: 4, index: 300, direction: 'minimize' as const };
    const specs = space.params;
    const usable = h;
    expect(ipop.replay(specs, usable, ctx).lambda).toBeGreaterThan(6);
    expect(new CmaEsSampler().replay(specs, usable, ctx).lambda).toBe(6);
  });

  it('is the same whether the history is replayed in one call or grown trial by trial (pure replay)', () => {
    const s = new CmaEsSampler();
    const { history } = run(s, sphere6, sphere, 80, 9);
    const next = s.sample(sphere6, history, { seed: 9, index: 80, direction: 'minimize' });
    const again = new CmaEsSampler().sample(sphere6, history.slice(), {
      seed: 9,
      index: 80,
      direction: 'minimize',
    });
    expect(again).toEqual(next);
    // A failed trial changes nothing but is skipped.
    const withFailed = [
      ...history,
      { index: 80, params: next, state: 'failed' as const, value: undefined, intermediate: [] },
    ];
    expect(s.sample(sphere6, withFailed, { seed: 9, index: 81, direction: 'minimize' })).toEqual(
      s.sample(sphere6, history, { seed: 9, index: 81, direction: 'minimize' }),
    );
  });

  it('draws categorical and conditional parameters at random, numeric ones from CMA-ES', () => {
    const space = parseSpace({
      x: { type: 'float', low: -5, high: 5 },
      k: { type: 'int', low: 1, high: 100, log: true },
      act: ['relu', 'tanh'],
      m: { type: 'float', low: 0, high: 1, when: { act: 'tanh' } },
    });
    const f = (p: Params) => ((p.x as number) - 2) ** 2 + (Math.log(p.k as number) - 2) ** 2;
    const { history } = run(new CmaEsSampler(), space, f, 200, 1);
    const late = history.slice(150);
    expect(late.every((t) => Math.abs((t.params.x as number) - 2) < 0.5)).toBe(true);
    expect(new Set(late.map((t) => t.params.act)).size).toBe(2);
  });
});
