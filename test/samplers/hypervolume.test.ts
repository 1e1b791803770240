import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hypervolumeHistory, studyHypervolume } from '../../src/bench/hypervolume.js';
import { zdt1, zdt2, zdt3 } from '../../src/bench/zdt.js';
import { Stream } from '../../src/rng/index.js';
import { hypervolume, hypervolumeContributions } from '../../src/samplers/hypervolume.js';
import type { FinishedTrial } from '../../src/samplers/types.js';

/** Inclusion–exclusion over every non-empty subset: exact, exponential, for small sets. */
function inclusionExclusion(points: number[][], ref: number[]): number {
  const inside = points.filter((p) => p.every((x, k) => x < ref[k]!));
  const n = inside.length;
  let total = 0;
  for (let mask = 1; mask < 1 << n; mask++) {
    const corner = ref.map(() => Number.NEGATIVE_INFINITY);
    let size = 0;
    for (let i = 0; i < n; i++) {
      if ((mask >> i) & 1) {
        size++;
        inside[i]!.forEach((x, k) => {
          corner[k] = Math.max(corner[k]!, x);
        });
      }
    }
    const vol = corner.reduce((v, x, k) => v * (ref[k]! - x), 1);
    total += size % 2 === 1 ? vol : -vol;
  }
  return total;
}

/** Monte Carlo: the share of uniform draws in [lower, ref] that some point dominates, times the box. */
function monteCarlo(points: number[][], ref: number[], lower: number[], draws: number, seed: number): number {
  const s = Stream.of(seed, 'test', 'hv');
  let hit = 0;
  const x = new Array<number>(ref.length);
  for (let t = 0; t < draws; t++) {
    for (let k = 0; k < ref.length; k++) x[k] = lower[k]! + s.float() * (ref[k]! - lower[k]!);
    if (points.some((p) => p.every((v, k) => v <= x[k]!))) hit++;
  }
  return (hit / draws) * ref.reduce((v, r, k) => v * (r - lower[k]!), 1);
}

const pointSet = (m: number, maxLength: number) =>
  fc
    .array(fc.array(fc.integer({ min: 0, max: 12 }), { minLength: m, maxLength: m }), { maxLength })
    .map((ps) => ps.map((p) => p.map((v) => v / 4)));

describe('hypervolume', () => {
  it('known values: one box, two overlapping boxes, a 2-D staircase, 3-D', () => {
    expect(hypervolume([[1, 1]], [3, 3])).toBe(4);
    expect(
      hypervolume(
        [
          [1, 2],
          [2, 1],
        ],
        [3, 3],
      ),
    ).toBe(3); // 2 + 2 − 1
    expect(
      hypervolume(
        [
          [0, 3],
          [1, 2],
          [2, 1],
          [3, 0],
        ],
        [4, 4],
      ),
    ).toBe(10);
    expect(hypervolume([[1, 1, 1]], [2, 3, 4])).toBe(6);
    expect(
      hypervolume(
        [
          [0, 1, 1],
          [1, 0, 1],
          [1, 1, 0],
        ],
        [2, 2, 2],
      ),
    ).toBe(2 + 2 + 2 - 1 - 1 - 1 + 1);
    expect(hypervolume([], [1, 1])).toBe(0);
    expect(hypervolume([[0.5]], [2])).toBe(1.5);
  });

  it('points on or beyond the reference add nothing; dominated points and duplicates change nothing', () => {
    expect(
      hypervolume(
        [
          [3, 1],
          [1, 3],
          [5, 0],
        ],
        [3, 3],
      ),
    ).toBe(0);
    const base = hypervolume(
      [
        [1, 2],
        [2, 1],
      ],
      [3, 3],
    );
    expect(
      hypervolume(
        [
          [1, 2],
          [2, 1],
          [2, 2],
          [1, 2],
          [2.5, 2.5],
        ],
        [3, 3],
      ),
    ).toBe(base);
  });

  for (const m of [2, 3, 4]) {
    it(`equals inclusion–exclusion on random ${m}-objective sets (ties, duplicates, points outside)`, () => {
      fc.assert(
        fc.property(pointSet(m, m === 4 ? 9 : 11), (points) => {
          const ref = Array.from({ length: m }, () => 2.5);
          const exact = inclusionExclusion(points, ref);
          expect(hypervolume(points, ref)).toBeCloseTo(exact, 10);
        }),
        { numRuns: m === 4 ? 80 : 150, seed: 30 + m },
      );
    });
  }

  it('matches a Monte Carlo estimate on 200 random 3-D points (within 4 standard errors)', () => {
    const s = Stream.of(3, 'test', 'points');
    const points = Array.from({ length: 200 }, () => {
      // Points near the simplex x + y + z = 1: a front with many non-dominated points.
      const a = s.float();
      const b = s.float() * (1 - a);
      return [a, b, 1 - a - b].map((v) => v + 0.05 * s.float());
    });
    const ref = [1.2, 1.2, 1.2];
    const exact = hypervolume(points, ref);
    const draws = 40000;
    const est = monteCarlo(points, ref, [0, 0, 0], draws, 4);
    const box = 1.2 * 1.2 * 1.2;
    const q = exact / box;
    const se = box * Math.sqrt((q * (1 - q)) / draws);
    expect(Math.abs(est - exact)).toBeLessThan(4 * se);
  });

  it('ZDT1 and ZDT2: a dense sample of the true front approaches the closed form r1·r2 − ∫front', () => {
    for (const problem of [zdt1(30), zdt2(30)]) {
      const front: number[][] = [];
      for (let i = 0; i <= 2000; i++) {
        const x = [i / 2000, ...Array.from({ length: 29 }, () => 0)];
        front.push(problem.f(x));
      }
      const hv = hypervolume(front, [1.1, 1.1]);
      const truth = problem.frontHypervolume!([1.1, 1.1]);
      expect(hv).toBeLessThanOrEqual(truth);
      expect(truth - hv).toBeLessThan(1e-3);
    }
    expect(zdt3().frontHypervolume).toBeUndefined();
  });

  it('contributions: the hypervolume lost by removing each point alone', () => {
    const c = hypervolumeContributions(
      [
        [1, 2],
        [2, 1],
        [2, 2],
        [0, 3],
      ],
      [3, 3],
    );
    // (1,2): its own strip x∈[1,2), y∈[2,3) → 1; (2,1): x∈[2,3), y∈[1,2) → 1; (2,2) dominated → 0;
    // (0,3) is on the reference line → 0.
    expect(Array.from(c)).toEqual([1, 1, 0, 0]);
  });

  it('is the same bits whatever the order of the points', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.double({ min: 0, max: 1, noNaN: true }),
            fc.double({ min: 0, max: 1, noNaN: true }),
            fc.double({ min: 0, max: 1, noNaN: true }),
          ),
          {
            maxLength: 30,
          },
        ),
        (pts) => {
          const ref = [1, 1, 1];
          expect(hypervolume([...pts].reverse(), ref)).toBe(hypervolume(pts, ref));
        },
      ),
      { numRuns: 100, seed: 40 },
    );
  });
});

describe('study hypervolume', () => {
  const t = (index: number, values: number[], constraints?: number[]): FinishedTrial => ({
    index,
    params: {},
    state: 'complete',
    value: undefined,
    intermediate: [],
    values,
    ...(constraints === undefined ? {} : { constraints }),
  });

  it('counts feasible complete trials only, with the directions applied to values and reference', () => {
    // accuracy (max) against size (min): reference (0.5 accuracy, 100 size).
    const trials = [t(0, [0.9, 50], [0]), t(1, [0.7, 20], [-1]), t(2, [0.95, 10], [1]), t(3, [0.4, 5], [0])];
    const hv = studyHypervolume(trials, ['maximize', 'minimize'], [0.5, 100]);
    // (0.9, 50): 0.4 × 50 = 20; (0.7, 20) adds 0.2 × 30 = 6; trial 2 is infeasible; trial 3 is beyond the reference.
    expect(hv).toBeCloseTo(26, 12);
    expect(
      hypervolumeHistory(trials, ['maximize', 'minimize'], [0.5, 100]).map((x) => Math.round(x * 1e9) / 1e9),
    ).toEqual([20, 26, 26, 26]);
    expect(() => studyHypervolume(trials, ['maximize', 'minimize'], [1])).toThrow('one value per objective');
  });
});
