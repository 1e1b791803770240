import type { Direction } from '../types.js';
import type { FinishedTrial, SampleContext } from './types.js';

/**
 * Pareto dominance for studies with several objectives: losses, constrained domination, fast
 * non-dominated sorting (Deb et al. 2002) and crowding distance. Pure functions; every order they
 * produce is fully determined, ties broken by position (callers pass points in trial-index order).
 */

/** One trial as a multi-objective comparison sees it. */
export interface ParetoPoint {
  /** The trial's index. */
  index: number;
  /** The objective values as losses: every objective minimised (a maximised one is negated). */
  losses: readonly number[];
  /**
   * The total constraint violation: 0 feasible, > 0 infeasible, +Infinity for a trial without
   * constraint values in a study that has constraints. Undefined: the study has no constraints.
   */
  violation?: number;
}

/** The study's directions, one per objective: `ctx.directions`, or `[ctx.direction]`. */
export function studyDirections(ctx: Pick<SampleContext, 'direction' | 'directions'>): readonly Direction[] {
  return ctx.directions !== undefined && ctx.directions.length > 0 ? ctx.directions : [ctx.direction];
}

/**
 * A trial's objective values when it counts for a multi-objective sampler: complete, with one finite
 * value per objective (`values`, or `value` in a one-objective study); otherwise undefined.
 */
export function objectiveValues(t: FinishedTrial, nObjectives: number): readonly number[] | undefined {
  if (t.state !== 'complete') return undefined;
  const vs = t.values ?? (nObjectives === 1 && t.value !== undefined ? [t.value] : undefined);
  if (vs === undefined || vs.length !== nObjectives) return undefined;
  for (const v of vs) if (typeof v !== 'number' || !Number.isFinite(v)) return undefined;
  return vs;
}

/** Values as losses: a maximised objective is negated. */
export function toLosses(values: readonly number[], directions: readonly Direction[]): number[] {
  return values.map((v, k) => (directions[k] === 'maximize' ? -v : v));
}

/**
 * The total violation of constraint values, Optuna's way: the sum of the positive ones (feasible,
 * 0, when all are <= 0). Missing values, or a NaN among them, count as +Infinity.
 */
export function violationOf(constraints: readonly number[] | undefined): number {
  if (constraints === undefined) return Number.POSITIVE_INFINITY;
  let s = 0;
  for (const c of constraints) {
    if (Number.isNaN(c)) return Number.POSITIVE_INFINITY;
    if (c > 0) s += c;
  }
  return s;
}

/**
 * The usable trials of a history for a multi-objective sampler, in history order, with their points.
 * Constraints are in use when any usable trial has constraint values (then a usable trial without
 * them has violation +Infinity).
 */
export function paretoPoints(
  history: readonly FinishedTrial[],
  directions: readonly Direction[],
): { trials: FinishedTrial[]; points: ParetoPoint[]; constrained: boolean } {
  const trials: FinishedTrial[] = [];
  const values: (readonly number[])[] = [];
  let constrained = false;
  for (const t of history) {
    const v = objectiveValues(t, directions.length);
    if (v === undefined) continue;
    trials.push(t);
    values.push(v);
    if (t.constraints !== undefined) constrained = true;
  }
  const points = trials.map(
    (t, i): ParetoPoint =>
      constrained
        ? { index: t.index, losses: toLosses(values[i]!, directions), violation: violationOf(t.constraints) }
        : { index: t.index, losses: toLosses(values[i]!, directions) },
  );
  return { trials, points, constrained };
}

/** Whether losses `a` dominate `b`: no worse in every objective and not equal. */
export function dominates(a: readonly number[], b: readonly number[]): boolean {
  let strictly = false;
  for (let k = 0; k < a.length; k++) {
    if (a[k]! > b[k]!) return false;
    if (a[k]! < b[k]!) strictly = true;
  }
  return strictly;
}

/**
 * Constrained domination (Deb et al. 2002; Optuna's `_constrained_dominates`): without constraints
 * (violation undefined on either side) or when neither trial has constraint values, plain
 * domination; else a feasible trial dominates an infeasible one, two feasible ones compare by
 * domination, and of two infeasible ones the smaller total violation dominates.
 */
export function constrainedDominates(a: ParetoPoint, b: ParetoPoint): boolean {
  const va = a.violation;
  const vb = b.violation;
  if (va === undefined || vb === undefined) return dominates(a.losses, b.losses);
  if (va === Number.POSITIVE_INFINITY && vb === Number.POSITIVE_INFINITY)
    return dominates(a.losses, b.losses);
  if (va === 0 && vb === 0) return dominates(a.losses, b.losses);
  if (va === 0) return true;
  if (vb === 0) return false;
  return va < vb;
}

/**
 * Fast non-dominated sorting (Deb et al. 2002) under constrained domination: the fronts, each a list
 * of positions into `points` in ascending order, the first front non-dominated. O(m·n²) time, O(n²)
 * memory at worst. With `limit` < n, stops once the fronts returned hold at least `limit` points, and
 * peels them off one at a time instead (each front by a cull against the front being built: O(m·n·|front|)
 * per front, O(n) memory), which is what a sampler asking for its ~25 best of thousands needs. Both give
 * the same fronts: those of a strict partial order, which constrained domination is.
 */
export function fastNonDominatedSort(
  points: readonly ParetoPoint[],
  limit = Number.POSITIVE_INFINITY,
): number[][] {
  const n = points.length;
  if (limit < n) return peelFronts(points, limit);
  const dominated: number[][] = Array.from({ length: n }, () => []);
  const count = new Int32Array(n);
  for (let p = 0; p < n; p++) {
    const a = points[p]!;
    for (let q = p + 1; q < n; q++) {
      const b = points[q]!;
      if (constrainedDominates(a, b)) {
        dominated[p]!.push(q);
        count[q]!++;
      } else if (constrainedDominates(b, a)) {
        dominated[q]!.push(p);
        count[p]!++;
      }
    }
  }
  const fronts: number[][] = [];
  let front: number[] = [];
  for (let p = 0; p < n; p++) if (count[p] === 0) front.push(p);
  while (front.length > 0) {
    fronts.push(front);
    const next: number[] = [];
    for (const p of front) {
      for (const q of dominated[p]!) {
        count[q]!--;
        if (count[q] === 0) next.push(q);
      }
    }
    front = next.sort((x, y) => x - y);
  }
  return fronts;
}

/** The first fronts, peeled one at a time until they hold `limit` points (see fastNonDominatedSort). */
function peelFronts(points: readonly ParetoPoint[], limit: number): number[][] {
  let remaining = points.map((_, p) => p);
  const fronts: number[][] = [];
  let covered = 0;
  while (remaining.length > 0 && covered < limit) {
    // The non-dominated points of `remaining`: a point dominated by a member of the front being built
    // is not in it; one that is not joins it and drops the members it dominates (by transitivity,
    // nothing dropped or skipped can dominate a later member).
    let front: number[] = [];
    for (const p of remaining) {
      const a = points[p]!;
      if (front.some((q) => constrainedDominates(points[q]!, a))) continue;
      front = front.filter((q) => !constrainedDominates(a, points[q]!));
      front.push(p);
    }
    front.sort((x, y) => x - y);
    fronts.push(front);
    covered += front.length;
    const inFront = new Set(front);
    remaining = remaining.filter((p) => !inFront.has(p));
  }
  return fronts;
}

/** The non-domination rank of every point (0: the first front); -1 beyond `limit` (see fastNonDominatedSort). */
export function nonDominationRanks(
  points: readonly ParetoPoint[],
  limit = Number.POSITIVE_INFINITY,
): Int32Array {
  const ranks = new Int32Array(points.length).fill(-1);
  fastNonDominatedSort(points, limit).forEach((front, r) => {
    for (const p of front) ranks[p] = r;
  });
  return ranks;
}

/** Positions of the non-dominated points (the first front), ascending. */
export function paretoFront(points: readonly ParetoPoint[]): number[] {
  return fastNonDominatedSort(points, 1)[0] ?? [];
}

/**
 * Crowding distance of each point of one front (Optuna's `_calc_crowding_distance`): per objective,
 * with the points sorted by that loss (ties by position), the gap between each point's neighbours
 * divided by the objective's range; the extremes have +Infinity neighbours. An objective whose
 * values are all equal adds nothing.
 */
export function crowdingDistance(losses: readonly (readonly number[])[]): Float64Array {
  const n = losses.length;
  const out = new Float64Array(n);
  if (n === 0) return out;
  const m = losses[0]!.length;
  const order = Array.from({ length: n }, (_, i) => i);
  for (let k = 0; k < m; k++) {
    order.sort((i, j) => losses[i]![k]! - losses[j]![k]! || i - j);
    const first = losses[order[0]!]![k]!;
    const last = losses[order[n - 1]!]![k]!;
    if (first === last) continue;
    // vs = [-inf, sorted values..., +inf]
    const v = (j: number) =>
      j === 0
        ? Number.NEGATIVE_INFINITY
        : j === n + 1
          ? Number.POSITIVE_INFINITY
          : losses[order[j - 1]!]![k]!;
    let vMin = Number.NEGATIVE_INFINITY;
    for (let j = 0; j <= n + 1 && vMin === Number.NEGATIVE_INFINITY; j++) vMin = v(j);
    let vMax = Number.POSITIVE_INFINITY;
    for (let j = n + 1; j >= 0 && vMax === Number.POSITIVE_INFINITY; j--) vMax = v(j);
    let width = vMax - vMin;
    if (!(width > 0)) width = 1;
    for (let j = 0; j < n; j++) {
      const lo = v(j);
      const hi = v(j + 2);
      const gap = lo === hi ? 0 : hi - lo;
      out[order[j]!] = out[order[j]!]! + gap / width;
    }
  }
  return out;
}
