import { describe, expect, it } from 'vitest';
import { GpSampler, logEi } from '../../src/samplers/gp.js';
import { RandomSampler } from '../../src/samplers/random.js';
import { SobolSampler } from '../../src/samplers/sobol.js';
import type { FinishedTrial, Sampler } from '../../src/samplers/types.js';
import { parseSpace } from '../../src/space/schema.js';
import type { Params, SearchSpace } from '../../src/space/types.js';

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

const braninSpace = parseSpace({
  x1: { type: 'float', low: -5, high: 10 },
  x2: { type: 'float', low: 0, high: 15 },
});
function branin(p: Params): number {
  const x1 = p.x1 as number;
  const x2 = p.x2 as number;
  const b = 5.1 / (4 * Math.PI ** 2);
  return (x2 - b * x1 * x1 + (5 / Math.PI) * x1 - 6) ** 2 + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x1) + 10;
}
const BRANIN_MIN = 0.397887;

/** EI = σ ∫_{−∞}^{z} (z − t) φ(t) dt by the midpoint rule: no cancellation, an independent reference. */
function ei(mu: number, sigma: number, best: number): number {
  const z = (best - mu) / sigma;
  const steps = 200000;
  const h = 30 / steps;
  let s = 0;
  for (let i = 0; i < steps; i++) {
    const t = z - 30 + (i + 0.5) * h;
    s += (z - t) * Math.exp(-0.5 * t * t);
  }
  return (sigma * s * h) / Math.sqrt(2 * Math.PI);
}

describe('GpSampler', () => {
  it('beats random search on Branin: mean regret after 30 trials over 5 seeds', () => {
    let gp = 0;
    let random = 0;
    for (let seed = 0; seed < 5; seed++) {
      gp += run(new GpSampler(), braninSpace, branin, 30, seed).best - BRANIN_MIN;
      random += run(new RandomSampler(), braninSpace, branin, 30, seed).best - BRANIN_MIN;
    }
    expect(gp / 5).toBeLessThan(0.05);
    expect(gp).toBeLessThan(random / 5);
  });

  it('respects the direction: maximising the negated objective finds the same region', () => {
    const r = run(new GpSampler(), braninSpace, (p) => -branin(p), 25, 2, true);
    expect(-r.best - BRANIN_MIN).toBeLessThan(0.2);
  });

  it('starts with the Sobol points of the trial indices', () => {
    const { history } = run(new GpSampler({ n_startup_trials: 4 }), braninSpace, branin, 4, 1);
    const sobol = new SobolSampler();
    for (const t of history) {
      expect(t.params).toEqual(
        sobol.sample(braninSpace, [], { seed: 1, index: t.index, direction: 'minimize' }),
      );
    }
  });

  it('logEi agrees with EI computed by numerical integration, also far in the tail', () => {
    for (const [mu, sigma, best] of [
      [0, 1, 0],
      [1, 0.5, 0.2],
      [-1, 2, 0.5],
      [3, 0.4, 0],
      [5, 0.5, 0],
      [12, 1, 0],
    ] as const) {
      expect(logEi(mu, sigma, best)).toBeCloseTo(Math.log(ei(mu, sigma, best)), 4);
    }
    // Far in the tail: finite, decreasing, never -Infinity.
    const a = logEi(10, 1, 0);
    const b = logEi(30, 1, 0);
    expect(Number.isFinite(b)).toBe(true);
    expect(b).toBeLessThan(a);
  });

  it('fits only the best max_history trials: a capped model ignores the worst ones', () => {
    const s = new GpSampler({ max_history: 20 });
    const { history } = run(new RandomSampler(), braninSpace, branin, 60, 3);
    const p = s.sample(braninSpace, history, { seed: 3, index: 60, direction: 'minimize' });
    // The same call with the 40 worst trials removed gives the same point.
    const best20 = new Set(
      [...history].sort((a, b) => a.value! - b.value! || a.index - b.index).slice(0, 20),
    );
    const q = s.sample(
      braninSpace,
      history.filter((t) => best20.has(t)),
      { seed: 3, index: 60, direction: 'minimize' },
    );
    expect(q).toEqual(p);
  });
});
