import { describe, expect, it } from 'vitest';
import {
  bestSoFar,
  mannWhitneyU,
  meanRanks,
  normalisedArea,
  normalisedScore,
  normalSf,
  pairwiseTests,
  ranks,
  regretCurve,
  signFlipP,
} from '../../src/bench/stats.js';

describe('bench statistics', () => {
  it('best-so-far skips nulls and NaN, and regret subtracts the optimum', () => {
    const b = bestSoFar([null, 5, 7, Number.NaN, 3, 4]);
    expect(b).toEqual([Number.POSITIVE_INFINITY, 5, 5, 5, 3, 3]);
    expect(regretCurve([5, 3], 1)).toEqual([4, 2]);
  });

  it('ranks average ties', () => {
    expect(ranks([10, 20, 10, 5])).toEqual([2.5, 4, 2.5, 1]);
    expect(ranks([1, 1, 1])).toEqual([2, 2, 2]);
  });

  it('mean ranks average over blocks', () => {
    // block 0: a=1, b=2, c=3 → ranks 1,2,3; block 1: a=3, b=3, c=1 → 2.5, 2.5, 1
    expect(
      meanRanks([
        [1, 3],
        [2, 3],
        [3, 1],
      ]),
    ).toEqual([1.75, 2.25, 2]);
  });

  it('normalised score is 0 at the optimum and 1 at the reference', () => {
    expect(normalisedScore(2, 2, 10)).toBe(0);
    expect(normalisedScore(10, 2, 10)).toBe(1);
    expect(normalisedScore(4, 2, 10)).toBe(0.25);
    expect(normalisedArea([10, 6, 2], 2, 10)).toBeCloseTo((1 + 0.5 + 0) / 3, 12);
  });

  it('Mann–Whitney U: exact p for a small sample without ties', () => {
    // Every a below every b: U = 9, and only 1 of C(6,3) = 20 arrangements is as extreme.
    const t = mannWhitneyU([1, 2, 3], [4, 5, 6]);
    expect(t).toEqual({ u: 9, p: 0.05, method: 'exact' });
    // The other way round: every arrangement is at least as extreme.
    expect(mannWhitneyU([4, 5, 6], [1, 2, 3]).p).toBe(1);
    // a = [1, 4], b = [2, 3]: pairs a<b are (1,2), (1,3) → U = 2; P(U ≥ 2) over C(4,2)=6 arrangements:
    // U takes values 0,1,2,2,3,4 → 4/6.
    const m = mannWhitneyU([1, 4], [2, 3]);
    expect(m.u).toBe(2);
    expect(m.p).toBeCloseTo(4 / 6, 12);
  });

  it('Mann–Whitney U: normal approximation with tie and continuity corrections', () => {
    const a = [1, 2, 2, 3, 3];
    const b = [2, 3, 4, 4, 5];
    const t = mannWhitneyU(a, b);
    // By hand: a=1 → 5; each a=2 → 0.5 + 4; each a=3 → 0.5 + 3: U = 5 + 9 + 7 = 21.
    expect(t.u).toBe(21);
    expect(t.method).toBe('normal');
    // Ties: {2: 3, 3: 3, 4: 2}, N = 10: variance = 25/12 · (11 − (24 + 24 + 6)/90) = 21.666…
    const z = (21 - 12.5 - 0.5) / Math.sqrt((25 / 12) * (11 - 54 / 90));
    expect(t.p).toBeCloseTo(normalSf(z), 12);
    expect(t.p).toBeCloseTo(0.0428, 4); // z = 1.7187; scipy.stats.mannwhitneyu(a, b, alternative='less') agrees
  });

  it('normal tail matches known values', () => {
    expect(normalSf(0)).toBeCloseTo(0.5, 7);
    expect(normalSf(1.959964)).toBeCloseTo(0.025, 6);
    expect(normalSf(-1)).toBeCloseTo(0.8413447, 6);
  });

  it('pairwise tests count wins at p < 0.05', () => {
    const { tests, wins } = pairwiseTests(
      ['good', 'bad'],
      [
        [1, 2, 3, 4],
        [5, 6, 7, 8],
      ],
    );
    expect(tests).toHaveLength(2);
    expect(wins).toEqual({ good: 1, bad: 0 });
    expect(tests[0]!.p).toBeCloseTo(1 / 70, 12);
  });
});

describe('paired sign-flip test', () => {
  it('is exact over the 2^n sign assignments', () => {
    // Five positive differences: only the observed assignment reaches the observed sum.
    expect(signFlipP([0.1, 0.2, 0.05, 0.3, 0.1], 'greater')).toBe(1 / 32);
    expect(signFlipP([0.1, 0.2, 0.05, 0.3, 0.1], 'two-sided')).toBe(2 / 32);
    // |d| = 1, 2, 3, 1 with sum 5: the sum is 7 − 2·(|d| flipped negative); ≥ 5 when at most 1 is flipped:
    // no flip, or either 1 alone.
    expect(signFlipP([1, 2, 3, -1], 'greater')).toBe(3 / 16);
    // The other way round (sum −5): every assignment but the all-negative one (−7) reaches it.
    expect(signFlipP([-1, -2, -3, 1], 'greater')).toBe(15 / 16);
  });
  it('counts float-noise ties as reaching the observed sum, and all-zero differences give p = 1', () => {
    expect(signFlipP([0, 0, 0], 'greater')).toBe(1);
    expect(signFlipP([0, 0, 0], 'two-sided')).toBe(1);
    // 0.1 + 0.2 − 0.3 is 5.6e-17, not 0: without the tolerance the all-positive assignment would stand alone.
    expect(signFlipP([0.1, 0.2, -0.3], 'two-sided')).toBe(1);
  });
  it('returns NaN for no pairs or a non-finite difference, and draws seeded flips beyond 20 pairs', () => {
    expect(signFlipP([], 'greater')).toBeNaN();
    expect(signFlipP([1, Number.NaN], 'greater')).toBeNaN();
    const d = Array.from({ length: 24 }, (_, i) => (i % 3 === 0 ? -0.5 : 1));
    const p = signFlipP(d, 'greater', 7);
    expect(p).toBe(signFlipP(d, 'greater', 7));
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(0.01);
    expect(signFlipP(d, 'greater', 8)).not.toBe(p);
  });
});
