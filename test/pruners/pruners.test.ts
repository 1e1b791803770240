import { describe, expect, it } from 'vitest';
import {
  createPruner,
  HyperbandPruner,
  NopPruner,
  PercentilePruner,
  percentile,
  rungsOf,
  SuccessiveHalvingPruner,
  weightedRoundRobin,
} from '../../src/pruners/index.js';
import type { PruneContext } from '../../src/pruners/types.js';
import { prunerContract, trial } from './contract.js';

prunerContract(
  'median',
  () => createPruner({ name: 'median', n_startup_trials: 3, n_warmup_steps: 2 }, { epochs: 8 }),
  {
    warmup: 2,
    epochs: 8,
    visible: 10,
  },
);
prunerContract(
  'percentile',
  () => createPruner({ name: 'percentile', percentile: 25, n_warmup_steps: 1 }, { epochs: 8 }),
  {
    warmup: 1,
    epochs: 8,
    visible: 10,
  },
);
prunerContract(
  'successive_halving',
  () => createPruner({ name: 'successive_halving', min_epochs: 2, eta: 2 }, { epochs: 16 }),
  {
    warmup: 1,
    epochs: 16,
    visible: 12,
  },
);
// Trial 62 is in bracket 3 of 4 (position 13 of the cycle): judged from min_epochs on.
prunerContract(
  'hyperband',
  () => createPruner({ name: 'hyperband', min_epochs: 1, eta: 3 }, { epochs: 27 }),
  {
    warmup: 0,
    epochs: 27,
    visible: 60,
    index: 62,
  },
);

const min = (index: number): PruneContext => ({ index, seed: 0, direction: 'minimize' });
const max = (index: number): PruneContext => ({ index, seed: 0, direction: 'maximize' });

describe('none', () => {
  it('never prunes', () => {
    expect(new NopPruner().shouldPrune([trial(0, [0])], [1e9], min(5))).toBe(false);
  });
});

describe('percentile and median', () => {
  const five = [0.1, 0.2, 0.3, 0.4, 0.5].map((v, i) => trial(i, [v, v / 2]));

  it('interpolates percentiles linearly between ranks, as numpy does', () => {
    expect(percentile([1, 2, 3, 4, 5], 50)).toBe(3);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentile([5, 1, 3], 25)).toBe(2);
    expect(percentile([Number.NaN, 2], 50)).toBe(2);
    expect(percentile([], 50)).toBeNaN();
  });

  it('median prunes a trial whose best so far is worse than the median of the visible complete trials at that epoch', () => {
    const p = new PercentilePruner({ percentile: 50, n_startup_trials: 5 }, 'median');
    expect(p.shouldPrune(five, [0.31], min(9))).toBe(true);
    expect(p.shouldPrune(five, [0.29], min(9))).toBe(false);
    // Epoch 2: the others are at 0.05 … 0.25 (median 0.15); the trial's best so far counts.
    expect(p.shouldPrune(five, [0.29, 0.16], min(9))).toBe(true);
    expect(p.shouldPrune(five, [0.14, 0.2], min(9))).toBe(false);
  });

  it('waits for n_startup_trials complete trials; pruned and failed ones do not count', () => {
    const p = new PercentilePruner({ percentile: 50, n_startup_trials: 5 });
    const h = [...five.slice(0, 4), trial(4, [0.5], 'pruned'), trial(5, [0.5], 'failed')];
    expect(p.shouldPrune(h, [0.9], min(9))).toBe(false);
    expect(p.shouldPrune(five, [0.9], min(9))).toBe(true);
  });

  it('judges only at n_warmup_steps + 1 + k · interval_steps', () => {
    const h = [0.1, 0.2, 0.3].map((v, i) => trial(i, Array(8).fill(v)));
    const p = new PercentilePruner({
      percentile: 50,
      n_startup_trials: 1,
      n_warmup_steps: 2,
      interval_steps: 3,
    });
    const judged = [1, 2, 3, 4, 5, 6, 7, 8].filter((e) => p.shouldPrune(h, Array(e).fill(0.9), min(9)));
    expect(judged).toEqual([3, 6]);
  });

  it('keeps the top percentile: 25 keeps the best quarter, in either direction', () => {
    const h = [1, 2, 3, 4, 5].map((v, i) => trial(i, [v]));
    const p = new PercentilePruner({ percentile: 25, n_startup_trials: 1 });
    expect(p.shouldPrune(h, [1.9], min(9))).toBe(false);
    expect(p.shouldPrune(h, [2.1], min(9))).toBe(true);
    expect(p.shouldPrune(h, [4.1], max(9))).toBe(false);
    expect(p.shouldPrune(h, [3.9], max(9))).toBe(true);
  });

  it('prunes a trial whose values are all NaN', () => {
    const p = new PercentilePruner({ percentile: 50, n_startup_trials: 1 });
    expect(p.shouldPrune(five, [Number.NaN], max(9))).toBe(true);
  });
});

describe('successive halving', () => {
  it('puts rungs at min_epochs · eta^k below max_epochs', () => {
    expect(rungsOf({ min_epochs: 1, max_epochs: 27, eta: 3 })).toEqual([1, 3, 9]);
    expect(rungsOf({ min_epochs: 2, max_epochs: 20, eta: 2 })).toEqual([2, 4, 8, 16]);
    expect(rungsOf({ min_epochs: 5, max_epochs: 5, eta: 2 })).toEqual([]);
  });

  const p = new SuccessiveHalvingPruner({ min_epochs: 1, max_epochs: 8, eta: 2 });

  it('continues while the visible rung has fewer than eta entries', () => {
    expect(p.shouldPrune([trial(0, [0.1])], [0.9], min(5))).toBe(false);
  });

  it('keeps the top ⌊m / eta⌋ of the rung formed by the visible trials that reached it and the trial', () => {
    const h = [0.1, 0.2, 0.3].map((v, i) => trial(i, [v]));
    // m = 4 entries: the top 2 continue.
    expect(p.shouldPrune(h, [0.15], min(5))).toBe(false);
    expect(p.shouldPrune(h, [0.25], min(5))).toBe(true);
    expect(p.shouldPrune(h, [0.25], max(5))).toBe(false);
    // Not a rung: no decision.
    expect(p.shouldPrune(h, [0.9, 0.9, 0.9], min(5))).toBe(false);
  });

  it('breaks ties by trial index: a visible trial wins a tie against the one judged', () => {
    const h = [0.1, 0.2, 0.3].map((v, i) => trial(i, [v]));
    expect(p.shouldPrune(h, [0.2], min(5))).toBe(true);
    expect(p.shouldPrune(h, [0.2 - 1e-12], min(5))).toBe(false);
  });

  it('ranks at a rung only the visible trials that reached it, and leaves failed ones out', () => {
    const h = [
      trial(0, [0.1, 0.1]),
      trial(1, [0.2, 0.2]),
      trial(2, [0.3], 'pruned'),
      trial(3, [0.05, 0.01], 'failed'),
    ];
    // Rung 2 has two visible entries (< eta = 2 is false: 2 entries, m = 3, top 1).
    expect(p.shouldPrune(h, [0.5, 0.15], min(9))).toBe(true);
    expect(p.shouldPrune(h, [0.5, 0.05], min(9))).toBe(false);
  });
});

describe('hyperband', () => {
  const hb = new HyperbandPruner({ min_epochs: 1, max_epochs: 27, eta: 3 });

  it('sizes its brackets as Li et al. (2018): n_s = ⌈(s_max + 1) / (s + 1) · eta^s⌉', () => {
    expect(hb.rungs).toEqual([1, 3, 9]);
    expect(hb.sizes).toEqual([4, 6, 12, 27]);
  });

  it('assigns trials to brackets by index, each bracket its share of every cycle, spread out', () => {
    const cycle = Array.from({ length: 49 }, (_, i) => hb.bracketOf(i));
    for (let s = 0; s < 4; s++) expect(cycle.filter((b) => b === s)).toHaveLength(hb.sizes[s]!);
    expect(hb.bracketOf(49 + 7)).toBe(hb.bracketOf(7));
    // Every bracket appears within the first 12 trials.
    expect(new Set(cycle.slice(0, 12)).size).toBe(4);
    expect(weightedRoundRobin([1, 2])).toEqual([1, 0, 1]);
  });

  it('judges bracket s at its top s rungs only, against the visible trials of its own bracket', () => {
    const bracket = (s: number) =>
      Array.from({ length: 49 }, (_, i) => i).filter((i) => hb.bracketOf(i) === s);
    const [i0, i1, i3] = [bracket(0)[3]!, bracket(1)[4]!, bracket(3)[8]!];
    expect(hb.rungsFor(i0)).toEqual([]);
    expect(hb.rungsFor(i1)).toEqual([9]);
    expect(hb.rungsFor(i3)).toEqual([1, 3, 9]);
    const all = Array.from({ length: 49 }, (_, i) => trial(i, Array(27).fill(0.1)));
    const worst = (e: number) => Array(e).fill(0.9);
    expect([1, 3, 9, 27].some((e) => hb.shouldPrune(all.slice(0, i0), worst(e), min(i0)))).toBe(false);
    expect([1, 3].some((e) => hb.shouldPrune(all.slice(0, i1), worst(e), min(i1)))).toBe(false);
    expect(hb.shouldPrune(all.slice(0, i1), worst(9), min(i1))).toBe(true);
    expect(hb.shouldPrune(all.slice(0, i3), worst(1), min(i3))).toBe(true);
    // Peers from other brackets are not its rung: with only those visible, it continues.
    const others = all.slice(0, i3).filter((t) => hb.bracketOf(t.index) !== 3);
    expect(hb.shouldPrune(others, worst(1), min(i3))).toBe(false);
  });
});
