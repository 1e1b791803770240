import { describe, expect, it } from 'vitest';
import { fanova } from '../../src/report/importance.js';
import { Stream } from '../../src/rng/index.js';

function sample(n: number, d: number, seed: number): number[][] {
  const s = Stream.of(seed, 'test', 'importance');
  return Array.from({ length: n }, () => Array.from({ length: d }, () => s.float()));
}
const domains = (d: number) => Array.from({ length: d }, (_, i) => ({ name: `x${i}`, low: 0, high: 1 }));
const byName = (r: { name: string; importance: number }[]) =>
  Object.fromEntries(r.map((i) => [i.name, i.importance]));

describe('fANOVA on a seeded random forest', () => {
  it('gives nearly all the variance to the one parameter that matters', () => {
    const rows = sample(200, 3, 1);
    const r = byName(
      fanova(
        domains(3),
        rows,
        rows.map((x) => Math.sin(3 * x[0]!)),
        5,
      ),
    );
    expect(r.x0).toBeGreaterThan(0.9);
    expect(r.x1).toBeLessThan(0.03);
    expect(r.x2).toBeLessThan(0.03);
  });

  it('splits an additive function by its terms’ variances (4:1)', () => {
    const rows = sample(400, 2, 2);
    const r = byName(
      fanova(
        domains(2),
        rows,
        rows.map((x) => 2 * x[0]! + x[1]!),
        5,
      ),
    );
    expect(r.x0! / r.x1!).toBeGreaterThan(3);
    expect(r.x0! / r.x1!).toBeLessThan(5.5);
    expect(r.x0! + r.x1!).toBeGreaterThan(0.9);
  });

  it('gives an interaction to neither main effect', () => {
    const rows = sample(400, 2, 3);
    const r = byName(
      fanova(
        domains(2),
        rows,
        rows.map((x) => (x[0]! - 0.5) * (x[1]! - 0.5)),
        5,
      ),
    );
    expect(r.x0).toBeLessThan(0.15);
    expect(r.x1).toBeLessThan(0.15);
  });

  it('depends on the seed, and only on it', () => {
    const rows = sample(60, 3, 4);
    const y = rows.map((x) => x[0]! + 0.3 * x[1]! * x[2]!);
    expect(fanova(domains(3), rows, y, 9)).toEqual(fanova(domains(3), rows, y, 9));
    expect(fanova(domains(3), rows, y, 9)).not.toEqual(fanova(domains(3), rows, y, 10));
  });

  it('is empty for constant scores or fewer than two rows', () => {
    const rows = sample(10, 2, 5);
    expect(
      fanova(
        domains(2),
        rows,
        rows.map(() => 1),
        1,
      ),
    ).toEqual([]);
    expect(fanova(domains(2), rows.slice(0, 1), [1], 1)).toEqual([]);
  });
});
