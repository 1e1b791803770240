import { describe, expect, it } from 'vitest';
import { feistelPermute, GridSampler } from '../../src/samplers/grid.js';
import { validateParams } from '../../src/space/codec.js';
import { mlpDefaultSpace, parseSpace } from '../../src/space/schema.js';

const small = parseSpace({
  opt: ['adam', 'sgd'],
  momentum: { type: 'float', low: 0, high: 0.9, when: { opt: 'sgd' } },
  n: { type: 'int', low: 1, high: 3 },
  lr: { type: 'float', low: 1e-3, high: 1e-1, log: true },
});

describe('GridSampler', () => {
  it('enumerates conditional parameters as a tree: inactive params do not multiply the grid', () => {
    const g = new GridSampler({ grid_points: 3 });
    // opt: adam → 1, sgd → 3 momentum values; n: 3 values; lr: 3 points.
    expect(g.size(small)).toBe((1 + 3) * 3 * 3);
  });

  it.each(['shuffled', 'fixed'] as const)(
    '%s order: covers every point exactly once in `size` trials, then repeats',
    (order) => {
      const g = new GridSampler({ grid_points: 3, order });
      const size = g.size(small);
      const seen = new Map<string, number>();
      for (let i = 0; i < size; i++) {
        const p = g.sample(small, [], { seed: 11, index: i, direction: 'minimize' });
        validateParams(small, p);
        const key = JSON.stringify(p);
        seen.set(key, (seen.get(key) ?? 0) + 1);
      }
      expect(seen.size).toBe(size);
      expect([...seen.values()].every((c) => c === 1)).toBe(true);
      expect(g.sample(small, [], { seed: 11, index: size + 5, direction: 'minimize' })).toEqual(
        g.sample(small, [], { seed: 11, index: 5, direction: 'minimize' }),
      );
    },
  );

  it('uses log-spaced points for a log float, all values of a small int, 5 points of a large one', () => {
    const s = parseSpace({
      lr: { type: 'float', low: 1e-4, high: 1, log: true },
      few: { type: 'int', low: 0, high: 9 },
      many: { type: 'int', low: 0, high: 100 },
    });
    const g = new GridSampler({ order: 'fixed' });
    expect(g.size(s)).toBe(5 * 10 * 5);
    const lrs = new Set<number>();
    const manys = new Set<number>();
    for (let i = 0; i < g.size(s); i++) {
      const p = g.point(s, i);
      lrs.add(p.lr as number);
      manys.add(p.many as number);
    }
    expect([...lrs].sort((a, b) => a - b).map((v) => Math.log10(v))).toEqual(
      [-4, -3, -2, -1, 0].map((e) => expect.closeTo(e, 12)),
    );
    expect([...manys].sort((a, b) => a - b)).toEqual([0, 25, 50, 75, 100]);
  });

  it('takes grid_points per parameter', () => {
    const s = parseSpace({ a: { type: 'float', low: 0, high: 1 }, b: { type: 'float', low: 0, high: 1 } });
    expect(new GridSampler({ grid_points: { a: 2 } }).size(s)).toBe(2 * 5);
  });

  it('fixed order is nested loops, first parameter slowest', () => {
    const s = parseSpace({ a: [1, 2], b: ['x', 'y', 'z'] });
    const g = new GridSampler({ order: 'fixed' });
    const pts = Array.from({ length: 6 }, (_, i) =>
      g.sample(s, [], { seed: 0, index: i, direction: 'minimize' }),
    );
    expect(pts).toEqual([
      { a: 1, b: 'x' },
      { a: 1, b: 'y' },
      { a: 1, b: 'z' },
      { a: 2, b: 'x' },
      { a: 2, b: 'y' },
      { a: 2, b: 'z' },
    ]);
  });

  it('the shuffled order depends on the seed', () => {
    const g = new GridSampler();
    const order = (seed: number) =>
      Array.from({ length: 10 }, (_, i) =>
        JSON.stringify(g.sample(small, [], { seed, index: i, direction: 'minimize' })),
      );
    expect(order(1)).not.toEqual(order(2));
  });

  it('indexes the mlp-default grid (1.4 million points) without materialising it', () => {
    const g = new GridSampler();
    // layers: 1 → 5, 2 → 25, 3 → 125 unit combinations, plus units_1 ... = 5 · 31 = 155.
    expect(g.size(mlpDefaultSpace())).toBe(155 * 3 * 5 * 6 * 4 * 5 * 5);
    const p = g.sample(mlpDefaultSpace(), [], { seed: 3, index: 1_000_000, direction: 'minimize' });
    expect(() => validateParams(mlpDefaultSpace(), p)).not.toThrow();
  });
});

describe('feistelPermute', () => {
  it.each([1, 2, 3, 7, 64, 100, 1000, 4097])('is a bijection of [0, %i)', (n) => {
    const keys = Uint32Array.from([1, 2, 3, 4, 5, 6]);
    const seen = new Set<number>();
    for (let i = 0; i < n; i++) {
      const j = feistelPermute(i, n, keys);
      expect(j).toBeGreaterThanOrEqual(0);
      expect(j).toBeLessThan(n);
      seen.add(j);
    }
    expect(seen.size).toBe(n);
  });

  it('is not the identity', () => {
    const keys = Uint32Array.from([9, 8, 7, 6, 5, 4]);
    const moved = Array.from({ length: 100 }, (_, i) => feistelPermute(i, 100, keys)).filter(
      (j, i) => j !== i,
    );
    expect(moved.length).toBeGreaterThan(80);
  });
});
