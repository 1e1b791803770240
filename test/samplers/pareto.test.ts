import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  constrainedDominates,
  crowdingDistance,
  dominates,
  fastNonDominatedSort,
  nonDominationRanks,
  objectiveValues,
  type ParetoPoint,
  paretoFront,
  paretoPoints,
  toLosses,
  violationOf,
} from '../../src/samplers/pareto.js';
import type { FinishedTrial } from '../../src/samplers/types.js';

/** Brute force: peel off the points that no remaining point constrained-dominates. */
function peel(points: readonly ParetoPoint[]): number[][] {
  let left = points.map((_, i) => i);
  const fronts: number[][] = [];
  while (left.length > 0) {
    const front = left.filter(
      (p) => !left.some((q) => q !== p && constrainedDominates(points[q]!, points[p]!)),
    );
    fronts.push(front);
    left = left.filter((p) => !front.includes(p));
  }
  return fronts;
}

/** Points with small integer losses (many ties and duplicates), optionally with violations. */
const pointsArb = (constrained: boolean) =>
  fc
    .integer({ min: 1, max: 4 })
    .chain((m) =>
      fc.array(
        fc.record({
          losses: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: m, maxLength: m }),
          violation: fc.oneof(
            fc.constant(0),
            fc.constant(0),
            fc.integer({ min: 1, max: 3 }),
            fc.constant(Infinity),
          ),
        }),
        { maxLength: 40 },
      ),
    )
    .map((xs) =>
      xs.map(
        (x, i): ParetoPoint =>
          constrained
            ? { index: i, losses: x.losses, violation: x.violation }
            : { index: i, losses: x.losses },
      ),
    );

describe('fast non-dominated sort', () => {
  it('gives the fronts of brute-force peeling, each in index order (random sets with ties)', () => {
    fc.assert(
      fc.property(pointsArb(false), (points) => {
        expect(fastNonDominatedSort(points)).toEqual(peel(points));
      }),
      { numRuns: 300, seed: 18 },
    );
  });

  it('gives the fronts of brute-force peeling under constrained domination', () => {
    fc.assert(
      fc.property(pointsArb(true), (points) => {
        expect(fastNonDominatedSort(points)).toEqual(peel(points));
      }),
      { numRuns: 300, seed: 19 },
    );
  });

  it('with a limit, stops at the first fronts that hold that many points', () => {
    fc.assert(
      fc.property(pointsArb(false), fc.integer({ min: 1, max: 10 }), (points, limit) => {
        const all = peel(points);
        const got = fastNonDominatedSort(points, limit);
        let k = 0;
        let covered = 0;
        while (k < all.length && covered < limit) covered += all[k++]!.length;
        expect(got).toEqual(all.slice(0, k));
        const ranks = nonDominationRanks(points, limit);
        got.forEach((front, r) => {
          for (const p of front) expect(ranks[p]).toBe(r);
        });
      }),
      { numRuns: 200, seed: 20 },
    );
  });

  it('peeling the first fronts (limit < n) gives the first fronts of the full sort, on larger sets', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: 30 }),
            fc.integer({ min: 0, max: 30 }),
            fc.integer({ min: 0, max: 3 }),
          ),
          {
            minLength: 2,
            maxLength: 200,
          },
        ),
        fc.integer({ min: 1, max: 40 }),
        (xs, limit) => {
          const points = xs.map(
            ([a, b, v], index): ParetoPoint => ({ index, losses: [a, b, a + b], violation: v === 3 ? 0 : v }),
          );
          const full = fastNonDominatedSort(points);
          const peeled = fastNonDominatedSort(points, Math.min(limit, points.length - 1));
          expect(peeled).toEqual(full.slice(0, peeled.length));
        },
      ),
      { numRuns: 100, seed: 23 },
    );
  });

  it('every point of a front is dominated by some point of the front before it', () => {
    fc.assert(
      fc.property(pointsArb(true), (points) => {
        const fronts = fastNonDominatedSort(points);
        for (let r = 1; r < fronts.length; r++) {
          for (const p of fronts[r]!) {
            expect(fronts[r - 1]!.some((q) => constrainedDominates(points[q]!, points[p]!))).toBe(true);
          }
        }
      }),
      { numRuns: 200, seed: 21 },
    );
  });

  it('the Pareto front of a 2-D set', () => {
    const pts = [
      [1, 5],
      [2, 2],
      [3, 3],
      [5, 1],
      [2, 2],
      [4, 1],
    ].map((losses, index) => ({ index, losses }));
    expect(paretoFront(pts)).toEqual([0, 1, 4, 5]);
    expect(Array.from(nonDominationRanks(pts))).toEqual([0, 0, 1, 1, 0, 0]);
  });
});

describe('domination', () => {
  it('equal losses do not dominate; no worse everywhere and better somewhere does', () => {
    expect(dominates([1, 2], [1, 2])).toBe(false);
    expect(dominates([1, 2], [1, 3])).toBe(true);
    expect(dominates([1, 3], [1, 2])).toBe(false);
    expect(dominates([0, 3], [1, 2])).toBe(false);
  });

  it('directions: a maximised objective is negated', () => {
    expect(toLosses([0.9, 1000], ['maximize', 'minimize'])).toEqual([-0.9, 1000]);
    expect(
      dominates(toLosses([0.9, 10], ['maximize', 'minimize']), toLosses([0.8, 10], ['maximize', 'minimize'])),
    ).toBe(true);
  });

  it('constraints (Optuna semantics): feasible beats infeasible, smaller violation wins, feasible pairs by domination', () => {
    const p = (losses: number[], violation?: number): ParetoPoint =>
      violation === undefined ? { index: 0, losses } : { index: 0, losses, violation };
    // A feasible trial dominates an infeasible one even with worse losses.
    expect(constrainedDominates(p([9, 9], 0), p([0, 0], 0.1))).toBe(true);
    expect(constrainedDominates(p([0, 0], 0.1), p([9, 9], 0))).toBe(false);
    // Two infeasible: the smaller total violation wins, whatever the losses.
    expect(constrainedDominates(p([9, 9], 0.5), p([0, 0], 2))).toBe(true);
    expect(constrainedDominates(p([0, 0], 2), p([9, 9], 0.5))).toBe(false);
    expect(constrainedDominates(p([0, 0], 1), p([9, 9], 1))).toBe(false);
    // Two feasible: plain domination.
    expect(constrainedDominates(p([1, 1], 0), p([1, 2], 0))).toBe(true);
    expect(constrainedDominates(p([1, 3], 0), p([2, 2], 0))).toBe(false);
    // Without constraint values (Infinity) a trial loses to one with them; two without: plain domination.
    expect(constrainedDominates(p([5, 5], 3), p([0, 0], Infinity))).toBe(true);
    expect(constrainedDominates(p([0, 0], Infinity), p([1, 1], Infinity))).toBe(true);
    // No constraints in the study: plain domination.
    expect(constrainedDominates(p([0, 0]), p([1, 1]))).toBe(true);
  });

  it('violation: the sum of the positive constraint values; missing or NaN is Infinity', () => {
    expect(violationOf([-1, 0, -3])).toBe(0);
    expect(violationOf([0.5, -2, 1.5])).toBe(2);
    expect(violationOf(undefined)).toBe(Infinity);
    expect(violationOf([Number.NaN, 0])).toBe(Infinity);
  });

  it('usable trials: complete with one finite value per objective; constraints in use when any trial has them', () => {
    const t = (index: number, over: Partial<FinishedTrial>): FinishedTrial => ({
      index,
      params: {},
      state: 'complete',
      value: undefined,
      intermediate: [],
      ...over,
    });
    const history = [
      t(0, { values: [1, 2] }),
      t(1, { values: [1, Number.NaN] }),
      t(2, { state: 'pruned', values: [0, 0] }),
      t(3, { state: 'failed' }),
      t(4, { values: [3, 1], constraints: [0.5, -1] }),
      t(5, { values: [1] }),
    ];
    const { trials, points, constrained } = paretoPoints(history, ['minimize', 'maximize']);
    expect(trials.map((x) => x.index)).toEqual([0, 4]);
    expect(constrained).toBe(true);
    expect(points).toEqual([
      { index: 0, losses: [1, -2], violation: Infinity },
      { index: 4, losses: [3, -1], violation: 0.5 },
    ]);
    expect(objectiveValues(t(9, { value: 3 }), 1)).toEqual([3]);
    expect(objectiveValues(t(9, { value: 3 }), 2)).toBeUndefined();
  });
});

describe('crowding distance', () => {
  it('the extremes are infinite, the inner points the normalised gap between their neighbours, summed', () => {
    const d = crowdingDistance([
      [0, 4],
      [1, 2],
      [3, 1],
      [4, 0],
    ]);
    expect(d[0]).toBe(Infinity);
    expect(d[3]).toBe(Infinity);
    expect(d[1]).toBeCloseTo((3 - 0) / 4 + (4 - 1) / 4, 15);
    expect(d[2]).toBeCloseTo((4 - 1) / 4 + (2 - 0) / 4, 15);
  });

  it('an objective with one value adds nothing; equal neighbours give a zero gap', () => {
    expect(
      Array.from(
        crowdingDistance([
          [1, 5],
          [1, 5],
          [1, 5],
        ]),
      ),
    ).toEqual([0, 0, 0]);
    const d = crowdingDistance([[0], [1], [1], [2]]);
    expect(d[0]).toBe(Infinity);
    expect(d[3]).toBe(Infinity);
    expect(d[1]).toBe(0.5); // neighbours 0 and 1
    expect(d[2]).toBe(0.5); // neighbours 1 and 2
  });

  it('is the same for any order of the input (ties by position aside)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })),
          {
            minLength: 3,
            maxLength: 12,
            selector: (x) => `${x[0]}|${x[1]}`,
          },
        ),
        (pts) => {
          // Distinct values per objective, so that ties cannot reorder.
          fc.pre(
            new Set(pts.map((p) => p[0])).size === pts.length &&
              new Set(pts.map((p) => p[1])).size === pts.length,
          );
          const d = crowdingDistance(pts);
          const rev = crowdingDistance([...pts].reverse());
          expect(Array.from(rev).reverse()).toEqual(Array.from(d));
        },
      ),
      { numRuns: 100, seed: 22 },
    );
  });
});
