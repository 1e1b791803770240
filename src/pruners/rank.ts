import type { Direction } from '../types.js';

/** Whether `a` is strictly better than `b` in `direction`; NaN is worse than any number. */
export function better(a: number, b: number, direction: Direction): boolean {
  if (Number.isNaN(a)) return false;
  if (Number.isNaN(b)) return true;
  return direction === 'maximize' ? a > b : a < b;
}

/** The best finite value of a curve in `direction`, or NaN when it has none. */
export function bestOf(curve: readonly number[], direction: Direction): number {
  let best = Number.NaN;
  for (const v of curve)
    if (Number.isFinite(v) && (Number.isNaN(best) || better(v, best, direction))) best = v;
  return best;
}

/**
 * The q-th percentile (0 ≤ q ≤ 100) of finite values, interpolated linearly between the closest ranks
 * (numpy's default), or NaN for no values.
 */
export function percentile(values: readonly number[], q: number): number {
  const a = values.filter((v) => Number.isFinite(v)).sort((x, y) => x - y);
  if (a.length === 0) return Number.NaN;
  const pos = ((a.length - 1) * q) / 100;
  const lo = Math.floor(pos);
  const hi = Math.min(a.length - 1, lo + 1);
  return a[lo]! + (a[hi]! - a[lo]!) * (pos - lo);
}
