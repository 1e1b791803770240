import { describe, expect, it } from 'vitest';
import { zdt1 } from '../../src/bench/zdt.js';
import { createSampler } from '../../src/samplers/create.js';
import { Nsga2Sampler, selectElite } from '../../src/samplers/nsga2.js';
import { crowdingDistance, type ParetoPoint, paretoPoints } from '../../src/samplers/pareto.js';
import { unitDraw } from '../../src/samplers/random.js';
import type { FinishedTrial, SampleContext } from '../../src/samplers/types.js';
import { decodeParams } from '../../src/space/codec.js';
import { parseSpace } from '../../src/space/schema.js';
import { samplerContract } from './contract.js';

samplerContract('nsga2', () => new Nsga2Sampler());
samplerContract('nsga2 (population 8)', () => new Nsga2Sampler({ population_size: 8 }));

const problem = zdt1(8);
const directions = ['minimize', 'minimize'] as const;
const ctx = (index: number, seed = 3): SampleContext => ({ seed, index, direction: 'minimize', directions });

function trial(
  index: number,
  params: FinishedTrial['params'],
  over: Partial<FinishedTrial> = {},
): FinishedTrial {
  return {
    index,
    params,
    state: 'complete',
    value: undefined,
    intermediate: [],
    values: problem.f(problem.pointOf(params)),
    ...over,
  };
}

/** A run under the lag rule: trial i sees the finished trials with index < i − lag. */
function run(sampler: Nsga2Sampler, n: number, lag = 0, seed = 3): FinishedTrial[] {
  const done: FinishedTrial[] = [];
  for (let i = 0; i < n; i++) {
    const visible = done.filter((t) => t.index < i - lag);
    done.push(trial(i, sampler.sample(problem.space, visible, ctx(i, seed))));
  }
  return done;
}

describe('NSGA-II generations', () => {
  it('generation 0 (trials 0 … population_size − 1) is drawn at random, whatever the history', () => {
    const s = new Nsga2Sampler({ population_size: 10 });
    const history = run(new Nsga2Sampler({ population_size: 10 }), 9);
    for (let i = 0; i < 10; i++) {
      const expected = decodeParams(problem.space, (spec) => unitDraw(ctx(i), 'nsga2', spec.name));
      expect(s.sample(problem.space, history.slice(0, i), ctx(i))).toEqual(expected);
    }
    expect(s.generationOf(9)).toBe(0);
    expect(s.generationOf(10)).toBe(1);
    expect(s.generationOf(25)).toBe(2);
  });

  it('the parents of generation g are P_{g-1} = elite(generation g−1 ∪ P_{g-2}), from the visible trials only', () => {
    const pop = 6;
    const s = new Nsga2Sampler({ population_size: pop });
    const history = run(new Nsga2Sampler({ population_size: pop }), 30);
    const { points, trials } = paretoPoints(history, directions);
    const elite = (idx: number[]) => {
      const pts = idx.map((i) => points[i]!);
      return selectElite(pts, pop).chosen.map((p) => pts[p]!.index);
    };
    const gen = (g: number) =>
      trials.map((t, i) => [t, i] as const).filter(([t]) => Math.floor(t.index / pop) === g);
    const p0 = elite(gen(0).map(([, i]) => i));
    const p1 = elite([...gen(1).map(([, i]) => i), ...p0].sort((a, b) => a - b));
    const p2 = elite([...gen(2).map(([, i]) => i), ...p1].sort((a, b) => a - b));
    // Trial 18 (generation 3) with the whole past visible: P_2.
    expect(s.parents(history.slice(0, 18), ctx(18))!.trials.map((t) => t.index)).toEqual(p2);
    // Trials of its own generation (visible when P = 0) are not parents.
    expect(s.parents(history.slice(0, 23), ctx(23))!.trials.map((t) => t.index)).toEqual(p2);
    // With a lag of 4, trial 19 sees trials 0 … 14: generation 2 in part.
    const partial = elite(
      [
        ...gen(2)
          .map(([, i]) => i)
          .filter((i) => i < 15),
        ...p1,
      ].sort((a, b) => a - b),
    );
    expect(s.parents(history.slice(0, 15), ctx(19))!.trials.map((t) => t.index)).toEqual(partial);
    // A fresh sampler and one that has seen other histories agree (the population cache is pure).
    s.parents(history.slice(0, 7), ctx(9));
    expect(new Nsga2Sampler({ population_size: pop }).parents(history.slice(0, 18), ctx(18))!.trials).toEqual(
      s.parents(history.slice(0, 18), ctx(18))!.trials,
    );
  });

  it('environmental selection: whole fronts while they fit, then the largest crowding distances', () => {
    const losses = [
      [0, 10],
      [10, 0],
      [5, 5],
      [1, 9],
      [9, 1],
      [6, 6],
      [20, 20],
    ];
    const pts: ParetoPoint[] = losses.map((l, index) => ({ index, losses: l }));
    // Front 0: 0, 1, 2, 3, 4 (size 5); front 1: 5; front 2: 6.
    expect(selectElite(pts, 5).chosen).toEqual([0, 1, 2, 3, 4]);
    expect(selectElite(pts, 6).chosen).toEqual([0, 1, 2, 3, 4, 5]);
    // 3 of front 0: the two extremes (infinite distance), then the largest finite one.
    const cd = crowdingDistance([0, 1, 2, 3, 4].map((i) => losses[i]!));
    const inner = [2, 3, 4].sort((a, b) => cd[b]! - cd[a]! || a - b);
    expect(selectElite(pts, 3).chosen).toEqual([0, 1, inner[0]!].sort((a, b) => a - b));
    const e = selectElite(pts, 6);
    expect(Array.from(e.rank)).toEqual([0, 0, 0, 0, 0, 1]);
    expect(e.crowding[5]).toBe(0); // alone in its front: every objective has one value (Optuna: 0)
  });

  it('infeasible trials are parents only when there are not enough feasible ones', () => {
    const pop = 4;
    const history = run(new Nsga2Sampler({ population_size: pop }), 8).map((t, i) => ({
      ...t,
      // Trials 1, 3, 5 and 7 violate a constraint; the others satisfy it.
      constraints: [i % 2 === 1 ? 1 + i : -1],
    }));
    const s = new Nsga2Sampler({ population_size: pop });
    expect(s.parents(history, ctx(8))!.trials.map((t) => t.index)).toEqual([0, 2, 4, 6]);
    const fewFeasible = history.map((t) => (t.index === 2 || t.index === 4 ? { ...t, constraints: [3] } : t));
    // Feasible 0 and 6, then the infeasible ones with the smallest violations (1: 2, 3: 3, 2: 3 …, ties by crowding).
    const parents = s.parents(fewFeasible, ctx(8))!.trials.map((t) => t.index);
    expect(parents).toContain(0);
    expect(parents).toContain(6);
    expect(parents).toContain(1);
    expect(parents).toHaveLength(4);
  });
});

describe('NSGA-II children', () => {
  const pop = 10;
  const history = run(new Nsga2Sampler({ population_size: pop }), 20);

  it('without mutation, every parameter comes from one of two parents; without crossover, from one', () => {
    const parents = new Nsga2Sampler({ population_size: pop }).parents(history, ctx(20))!.trials;
    const noMutation = new Nsga2Sampler({ population_size: pop, mutation_prob: 0 });
    const copies = new Nsga2Sampler({ population_size: pop, mutation_prob: 0, crossover_prob: 0 });
    let mixed = 0;
    for (let i = 20; i < 30; i++) {
      const child = noMutation.sample(problem.space, history, ctx(i));
      const sources = Object.entries(child).map(([k, v]) =>
        parents.filter((p) => p.params[k] === v).map((p) => p.index),
      );
      for (const s of sources) expect(s.length).toBeGreaterThan(0);
      if (!parents.some((p) => sources.every((s) => s.includes(p.index)))) mixed++;
      const copy = copies.sample(problem.space, history, ctx(i));
      expect(parents.some((p) => JSON.stringify(p.params) === JSON.stringify(copy))).toBe(true);
    }
    expect(mixed).toBeGreaterThan(5); // crossover mixes two parents
  });

  it('with mutation_prob 1, a child is a uniform draw', () => {
    const s = new Nsga2Sampler({ population_size: pop, mutation_prob: 1 });
    const child = s.sample(problem.space, history, ctx(25));
    expect(child).toEqual(decodeParams(problem.space, (spec) => unitDraw(ctx(25), 'nsga2', spec.name)));
  });

  it('a conditional parameter inactive in the chosen parent comes from the other one or a draw; values stay valid', () => {
    const space = parseSpace({
      opt: ['adam', 'sgd'],
      momentum: { type: 'float', low: 0, high: 0.9, when: { opt: 'sgd' } },
      units: { type: 'int', low: 8, high: 64, step: 8 },
    });
    const h: FinishedTrial[] = [];
    const s = new Nsga2Sampler({ population_size: 4 });
    for (let i = 0; i < 40; i++) {
      const c: SampleContext = { seed: 1, index: i, direction: 'minimize', directions };
      const params = s.sample(space, h, c);
      if (params.opt === 'sgd') expect(params.momentum as number).toBeLessThanOrEqual(0.9);
      else expect('momentum' in params).toBe(false);
      expect(((params.units as number) - 8) % 8).toBe(0);
      h.push({
        index: i,
        params,
        state: 'complete',
        value: undefined,
        intermediate: [],
        values: [params.units as number, (params.momentum as number | undefined) ?? 1],
      });
    }
  });

  it('is registered: createSampler({ name: "nsga2", population_size }) and option errors name the option', () => {
    const s = createSampler({ name: 'nsga2', population_size: 10 });
    expect(s.sample(problem.space, history, ctx(21))).toEqual(
      new Nsga2Sampler({ population_size: 10 }).sample(problem.space, history, ctx(21)),
    );
    expect(() => createSampler({ name: 'nsga2', population_size: 1 })).toThrow(
      'sampler.population_size: population_size must be an integer >= 2, but got 1',
    );
    expect(() => createSampler({ name: 'nsga2', crossover_prob: 1.5 })).toThrow(
      'crossover_prob must be in [0, 1], but got 1.5',
    );
    expect(() => createSampler({ name: 'nsga2', popsize: 4 })).toThrow("unknown option(s) 'popsize'");
    expect(() => createSampler({ name: 'motpe', gamma: 0 })).toThrow('gamma must be in (0, 1]');
  });
});

describe('NSGA-II determinism', () => {
  it('the same seed gives the same run, with one instance or a new one per call; another seed another run', () => {
    const a = run(new Nsga2Sampler({ population_size: 10 }), 45, 2);
    const fresh: FinishedTrial[] = [];
    for (let i = 0; i < 45; i++) {
      const visible = fresh.filter((t) => t.index < i - 2);
      fresh.push(trial(i, new Nsga2Sampler({ population_size: 10 }).sample(problem.space, visible, ctx(i))));
    }
    expect(fresh).toEqual(a);
    expect(run(new Nsga2Sampler({ population_size: 10 }), 45, 2, 4)).not.toEqual(a);
  });

  it('improves on ZDT1 over its generations (the front moves towards g = 1)', () => {
    const h = run(new Nsga2Sampler({ population_size: 20 }), 200);
    const g = (t: FinishedTrial) => t.values![1]! + t.values![0]!;
    const best = (ts: FinishedTrial[]) => Math.min(...ts.map(g));
    expect(best(h.slice(180))).toBeLessThan(best(h.slice(0, 20)));
  });
});
