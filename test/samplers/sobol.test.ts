import { describe, expect, it } from 'vitest';
import { Stream } from '../../src/rng/index.js';
import {
  SOBOL_MAX_DIMENSIONS,
  SobolSampler,
  sobolPoints,
  sobolPointUnscrambled,
} from '../../src/samplers/sobol.js';
import { parseSpace } from '../../src/space/schema.js';

/** Star discrepancy estimated over the anchored boxes [0, a) × [0, b) on a 64 × 64 grid. */
function starDiscrepancy(points: number[][]): number {
  let worst = 0;
  for (let i = 1; i <= 64; i++) {
    for (let j = 1; j <= 64; j++) {
      const a = i / 64;
      const b = j / 64;
      let inside = 0;
      for (const p of points) if (p[0]! < a && p[1]! < b) inside++;
      worst = Math.max(worst, Math.abs(inside / points.length - a * b));
    }
  }
  return worst;
}

describe('Sobol sequence', () => {
  it('matches scipy.stats.qmc.Sobol(scramble=False) (Gray-code order) in dimensions 1–4, 41 and 53', () => {
    // scipy's row i is the natural-order point gray(i) = i ^ (i >> 1).
    const scipy4 = [
      [0, 0, 0, 0],
      [0.5, 0.5, 0.5, 0.5],
      [0.75, 0.25, 0.25, 0.25],
      [0.25, 0.75, 0.75, 0.75],
      [0.375, 0.375, 0.625, 0.875],
      [0.875, 0.875, 0.125, 0.375],
      [0.625, 0.125, 0.875, 0.625],
      [0.125, 0.625, 0.375, 0.125],
    ];
    const dim41 = [
      0, 0.5, 0.25, 0.75, 0.875, 0.375, 0.625, 0.125, 0.5625, 0.0625, 0.8125, 0.3125, 0.4375, 0.9375, 0.1875,
      0.6875,
    ];
    const dim53 = [
      0, 0.5, 0.75, 0.25, 0.125, 0.625, 0.875, 0.375, 0.1875, 0.6875, 0.9375, 0.4375, 0.0625, 0.5625, 0.8125,
      0.3125,
    ];
    expect(SOBOL_MAX_DIMENSIONS).toBe(53);
    for (let i = 0; i < 16; i++) {
      const p = sobolPointUnscrambled(i ^ (i >> 1), 53);
      if (i < 8) expect(p.slice(0, 4)).toEqual(scipy4[i]);
      expect(p[40]).toBe(dim41[i]);
      expect(p[52]).toBe(dim53[i]);
    }
  });

  it('every coordinate of the first 2^m scrambled points hits each 1/2^m interval once', () => {
    const pts = sobolPoints(42, 64, SOBOL_MAX_DIMENSIONS);
    for (let d = 0; d < SOBOL_MAX_DIMENSIONS; d++) {
      const cells = new Set(pts.map((p) => Math.floor(p[d]! * 64)));
      expect(cells.size).toBe(64);
    }
  });

  it('the first two dimensions form a (0, 6, 2)-net after scrambling: one point per elementary box', () => {
    const pts = sobolPoints(5, 64, 2);
    for (let k = 0; k <= 6; k++) {
      const boxes = new Set(
        pts.map((p) => `${Math.floor(p[0]! * 2 ** k)},${Math.floor(p[1]! * 2 ** (6 - k))}`),
      );
      expect(boxes.size).toBe(64);
    }
  });

  it('is better spread than random points in 2D (star discrepancy, 10 seeds)', () => {
    let sobol = 0;
    let random = 0;
    for (let seed = 0; seed < 10; seed++) {
      sobol += starDiscrepancy(sobolPoints(seed, 256, 2));
      const s = Stream.of(seed, 'test', 'random-points');
      random += starDiscrepancy(Array.from({ length: 256 }, () => [s.float(), s.float()]));
    }
    expect(sobol / 10).toBeLessThan((random / 10) * 0.5);
  });

  it('the scramble depends on the seed', () => {
    expect(sobolPoints(1, 4, 2)).not.toEqual(sobolPoints(2, 4, 2));
  });

  it('gives an inactive parameter a dimension anyway, so the others do not move', () => {
    const space = parseSpace({
      a: { type: 'float', low: 0, high: 1 },
      opt: ['x', 'y'],
      c: { type: 'float', low: 0, high: 1, when: { opt: 'y' } },
      z: { type: 'float', low: 0, high: 1 },
    });
    const s = new SobolSampler();
    for (let i = 0; i < 16; i++) {
      const p = s.sample(space, [], { seed: 9, index: i, direction: 'minimize' });
      const pts = sobolPoints(9, i + 1, 4)[i]!;
      // Space order: a, opt, c, z (parents first, ties by name).
      expect(space.params.map((q) => q.name)).toEqual(['a', 'opt', 'c', 'z']);
      expect(p.a).toBeCloseTo(pts[0]!, 12);
      expect(p.z).toBeCloseTo(pts[3]!, 12);
      if (p.opt === 'y') expect(p.c).toBeCloseTo(pts[2]!, 12);
      else expect('c' in p).toBe(false);
    }
  });
});
