import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { zdt1 } from '../../src/bench/zdt.js';
import {
  belowWeightsOf,
  greedyHypervolumeSubset,
  MotpeSampler,
  splitMultiObjective,
} from '../../src/samplers/motpe.js';
import type { ParetoPoint } from '../../src/samplers/pareto.js';
import { fastNonDominatedSort } from '../../src/samplers/pareto.js';
import { RandomSampler, unitDraw } from '../../src/samplers/random.js';
import { TpeSampler } from '../../src/samplers/tpe.js';
import type { FinishedTrial, SampleContext } from '../../src/samplers/types.js';
import { decodeParams } from '../../src/space/codec.js';
import { samplerContract } from './contract.js';
import { makeHistory, mixedObjective, mixedSpace } from './fixtures.js';

interface OptunaCase {
  losses: number[][];
  violations: number[] | null;
  n_below: number;
  below: number[];
  weights: number[];
}
const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/motpe-split-optuna31.json', import.meta.url), 'utf8'),
) as { optuna: string; cases: OptunaCase[] };

const pointsOf = (c: OptunaCase): ParetoPoint[] =>
  c.losses.map((losses, index) =>
    c.violations === null ? { index, losses } : { index, losses, violation: c.violations[index]! },
  );

samplerContract('motpe (one objective: TPE)', () => new MotpeSampler());
samplerContract('motpe (no startup)', () => new MotpeSampler({ n_startup_trials: 0 }));

describe("MOTPE's split into good and bad trials", () => {
  it(`is Optuna ${fixture.optuna}'s _split_observation_pairs on ${fixture.cases.length} random sets (2-3 objectives, ties, constraints)`, () => {
    expect(fixture.optuna).toBe('3.1.0');
    for (const c of fixture.cases) {
      expect(splitMultiObjective(pointsOf(c), c.n_below)).toEqual(c.below);
    }
  });

  it(`weights the good trials as Optuna ${fixture.optuna}'s _calculate_weights_below_for_multi_objective`, () => {
    for (const c of fixture.cases) {
      const w = belowWeightsOf(pointsOf(c), c.below);
      c.weights.forEach((x, j) => {
        expect(Math.abs(w[j]! - x)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(x)));
      });
    }
  });

  it('takes whole non-domination fronts while they fit, then a hypervolume subset of the next', () => {
    const pts: ParetoPoint[] = [
      [0, 4],
      [4, 0],
      [1, 3],
      [3, 1],
      [2.2, 2.5],
      [5, 5],
      [2.1, 2.1],
    ].map((losses, index) => ({ index, losses }));
    // Front 0: 0, 1, 2, 3, 6. Front 1: 4. Front 2: 5.
    expect(fastNonDominatedSort(pts)).toEqual([[0, 1, 2, 3, 6], [4], [5]]);
    expect(splitMultiObjective(pts, 6)).toEqual([0, 1, 2, 3, 4, 6]);
    // 3 of front 0: the greedy subset by hypervolume contribution.
    const front = [0, 1, 2, 3, 6].map((p) => pts[p]!.losses);
    const chosen = greedyHypervolumeSubset(front, 3, [4.4, 4.4]);
    expect(splitMultiObjective(pts, 3)).toEqual(chosen.map((j) => [0, 1, 2, 3, 6][j]!).sort((a, b) => a - b));
    // The first pick has the largest box: (2.1, 2.1) → 2.3² = 5.29 against (1, 3) → 3.4 × 1.4 = 4.76.
    expect(chosen[0]).toBe(4);
  });

  it('with constraints, feasible trials are good first and infeasible ones by violation', () => {
    const pts: ParetoPoint[] = [
      { index: 0, losses: [0, 0], violation: 2 },
      { index: 1, losses: [5, 5], violation: 0 },
      { index: 2, losses: [1, 1], violation: 0.5 },
      { index: 3, losses: [6, 6], violation: 0 },
      { index: 4, losses: [9, 9], violation: Infinity },
    ];
    expect(splitMultiObjective(pts, 3)).toEqual([1, 2, 3]);
    expect(splitMultiObjective(pts, 1)).toEqual([1]); // by domination among the feasible ones
    const w = belowWeightsOf(pts, [1, 2, 3]);
    expect(w[1]).toBe(1e-12); // infeasible good trial
    expect(w[0]).toBe(1); // (5,5) has the largest contribution
  });
});

describe('MotpeSampler', () => {
  const problem = zdt1(6);
  const directions = ['minimize', 'minimize'] as const;
  const ctx = (index: number, seed = 11): SampleContext => ({
    seed,
    index,
    direction: 'minimize',
    directions,
  });

  /** A sequential (P = 0) run: each trial sees every earlier one. */
  function run(sampler: { sample: MotpeSampler['sample'] }, n: number, seed = 11): FinishedTrial[] {
    const history: FinishedTrial[] = [];
    for (let i = 0; i < n; i++) {
      const params = sampler.sample(problem.space, history, ctx(i, seed));
      history.push({
        index: i,
        params,
        state: 'complete',
        value: undefined,
        intermediate: [],
        values: problem.f(problem.pointOf(params)),
      });
    }
    return history;
  }

  it('with one objective and no constraints proposes exactly what TPE proposes', () => {
    const history = makeHistory(
      40,
      (i) => new RandomSampler().sample(mixedSpace, [], { seed: 2, index: i, direction: 'minimize' }),
      mixedObjective,
    );
    for (const index of [40, 41, 57]) {
      const c: SampleContext = { seed: 5, index, direction: 'minimize' };
      expect(new MotpeSampler().sample(mixedSpace, history, c)).toEqual(
        new TpeSampler().sample(mixedSpace, history, c),
      );
    }
  });

  it('same seed and history give the same proposal; another seed another one', () => {
    const history = run(new MotpeSampler(), 30);
    const a = new MotpeSampler().sample(problem.space, history, ctx(30));
    expect(new MotpeSampler().sample(problem.space, history, ctx(30))).toEqual(a);
    expect(new MotpeSampler().sample(problem.space, history, ctx(30, 12))).not.toEqual(a);
  });

  it('the first n_startup_trials are random draws, then the proposals follow the good trials', () => {
    const history = run(new MotpeSampler(), 60);
    expect(history.slice(0, 10).map((t) => t.params)).toEqual(
      history
        .slice(0, 10)
        .map((_, i) => decodeParams(problem.space, (spec) => unitDraw(ctx(i), 'motpe', spec.name))),
    );
    // On ZDT1 the good trials have small x2..xn: MOTPE's later proposals concentrate there.
    const g = (t: FinishedTrial) =>
      problem
        .pointOf(t.params)
        .slice(1)
        .reduce((s, v) => s + v, 0) / 5;
    const late = history.slice(40).reduce((s, t) => s + g(t), 0) / 20;
    expect(late).toBeLessThan(0.4);
  });

  it('ignores pruned and failed trials and trials with a missing or non-finite value', () => {
    // The same trials at even indices; failed ones in between and broken ones after them.
    const history = run(new MotpeSampler(), 30).map((t) => ({ ...t, index: 2 * t.index }));
    const noisy: FinishedTrial[] = history.flatMap((t) => [
      t,
      { ...t, index: t.index + 1, state: 'failed' as const, values: undefined },
    ]);
    noisy.push({ ...history[3]!, index: 99, values: [Number.NaN, 1] });
    noisy.push({ ...history[4]!, index: 100, state: 'pruned' });
    noisy.push({ ...history[5]!, index: 101, values: [1] });
    const a = new MotpeSampler().sample(problem.space, history, ctx(200));
    expect(new MotpeSampler().sample(problem.space, noisy, ctx(200))).toEqual(a);
  });
});
