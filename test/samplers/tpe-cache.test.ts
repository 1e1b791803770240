import { describe, expect, it } from 'vitest';
import { TpeSampler } from '../../src/samplers/tpe.js';
import type { FinishedTrial, SampleContext } from '../../src/samplers/types.js';
import { parseSpace } from '../../src/space/schema.js';
import type { Params, SearchSpace } from '../../src/space/types.js';

// The TPE sampler keeps each usable trial's unit values and their sorted order between calls. A pure cache:
// a sampler that has seen other histories must propose exactly what the uncached computation proposes.
// The reference: a fresh sampler given the history in reverse order, which the cache does not take (it
// holds only histories in increasing index order) and which TPE treats as the same history (the split
// orders both parts by index).
const reference = (sp: SearchSpace, history: FinishedTrial[], ctx: SampleContext) =>
  new TpeSampler().sample(sp, [...history].reverse(), ctx);

const space = parseSpace(
  {
    x: { type: 'float', low: -2, high: 2 },
    lr: { type: 'float', low: 1e-5, high: 1, log: true },
    n: { type: 'int', low: 1, high: 1024, log: true },
    c: ['a', 'b', 'c'],
    z: { type: 'float', low: 0, high: 1, when: { c: 'b' } },
  },
  'space',
);
const f = (p: Params) =>
  ((p.x as number) - 0.3) ** 2 +
  Math.log10(p.lr as number) ** 2 / 10 +
  Math.log2(p.n as number) / 10 +
  (p.c === 'b' ? (p.z as number) : 0.5);

describe('TpeSampler cache', () => {
  it('a growing history (lag 0 and lag 3) gives the params of a fresh sampler at every step', () => {
    // The engine benchmark's space and objective (lag 0, 1,000 trials), then a conditional space at lag 3.
    const bench = parseSpace(
      {
        x: { type: 'float', low: -2, high: 2 },
        y: { type: 'float', low: -2, high: 2 },
        lr: { type: 'float', low: 1e-5, high: 1, log: true },
        n: { type: 'int', low: 1, high: 1024, log: true },
        c: ['a', 'b', 'c', 'd'],
      },
      'space',
    );
    const g = (p: Params) =>
      ((p.x as number) - 0.3) ** 2 +
      ((p.y as number) + 1) ** 2 +
      Math.log10(p.lr as number) ** 2 / 10 +
      Math.log2(p.n as number) / 10 +
      (p.c === 'b' ? 0 : 0.5);
    const runs = [
      { sp: bench, obj: g, lag: 0, n: 1000, seed: 1 },
      { sp: space, obj: f, lag: 3, n: 300, seed: 3 },
    ];
    for (const { sp, obj, lag, n, seed } of runs) {
      const cached = new TpeSampler();
      const trials: FinishedTrial[] = [];
      for (let i = 0; i < n; i++) {
        const history = trials.slice(0, Math.max(0, i - lag));
        const ctx = { seed, index: i, direction: 'minimize' as const };
        const p = cached.sample(sp, history, ctx);
        expect(p).toEqual(reference(sp, history, ctx));
        // Some failed and pruned trials, and a few non-finite values: excluded from the usable ones.
        const state = i % 17 === 5 ? 'failed' : i % 13 === 4 ? 'pruned' : 'complete';
        const value = i % 29 === 11 ? Number.NaN : obj(p);
        trials.push({
          index: i,
          params: p,
          state,
          value: state === 'failed' ? undefined : value,
          intermediate: [],
        });
      }
    }
  });

  it('histories that do not extend the last one (shorter, reordered, another study, repeated) start anew', () => {
    const trials: FinishedTrial[] = [];
    const s = new TpeSampler();
    for (let i = 0; i < 120; i++) {
      const p = s.sample(space, trials, { seed: 5, index: i, direction: 'minimize' });
      trials.push({ index: i, params: p, state: 'complete', value: f(p), intermediate: [] });
    }
    const cases: FinishedTrial[][] = [
      trials.slice(0, 60),
      trials.slice(10),
      [...trials].reverse(),
      trials.map((t) => ({ ...t, params: { ...t.params, x: -(t.params.x as number) } })),
      [...trials.slice(0, 50), ...trials.slice(0, 50)],
      trials,
    ];
    for (const [k, h] of cases.entries()) {
      for (const dir of ['minimize', 'maximize'] as const) {
        const got = s.sample(space, h, { seed: 5, index: 200 + k, direction: dir });
        const want = reference(space, h, { seed: 5, index: 200 + k, direction: dir });
        expect(got).toEqual(want);
      }
    }
    const other = parseSpace({ x: { type: 'float', low: -2, high: 2 }, c: ['a', 'b', 'c'] }, 'space');
    const got = s.sample(other, trials, { seed: 5, index: 300, direction: 'minimize' });
    expect(got).toEqual(reference(other, trials, { seed: 5, index: 300, direction: 'minimize' }));
  });
});
