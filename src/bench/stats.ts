import { erfc } from '../math/index.js';
import { Stream } from '../rng/index.js';
/**
 * Pure statistics of a strategy benchmark. Every curve here is a loss: lower is better (a maximised
 * score is negated before it gets here), so that regret = best − optimum ≥ 0.
 */

/** Best-so-far curve of a loss sequence; entries before the first finite value are +Infinity. */
export function bestSoFar(losses: readonly (number | null)[]): number[] {
  const out: number[] = [];
  let best = Number.POSITIVE_INFINITY;
  for (const v of losses) {
    if (v !== null && Number.isFinite(v) && v < best) best = v;
    out.push(best);
  }
  return out;
}

/** Regret curve: best-so-far minus the optimum. */
export function regretCurve(best: readonly number[], optimum: number): number[] {
  return best.map((b) => b - optimum);
}

export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Bayesmark's normalised score: 0 at the optimum, 1 at `reference` (the median over seeds of random
 * search's first draw). Below 0 only when the optimum is an estimate that a run beat.
 */
export function normalisedScore(loss: number, optimum: number, reference: number): number {
  const span = reference - optimum;
  if (!(span > 0)) return loss <= optimum ? 0 : 1;
  return (loss - optimum) / span;
}

/** Normalised area under the best-so-far curve: the mean normalised score over the trials (0 is ideal). */
export function normalisedArea(best: readonly number[], optimum: number, reference: number): number {
  return mean(best.map((b) => normalisedScore(b, optimum, reference)));
}

/** Ranks of values, 1 = lowest; ties get the mean of the ranks they span. */
export function ranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out = new Array<number>(values.length);
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) out[order[k]![1]] = r;
    i = j + 1;
  }
  return out;
}

/**
 * Mean rank of each strategy: `losses[s][k]` is strategy s's loss in block k (a problem and seed);
 * strategies are ranked within each block (ties averaged), then the ranks are averaged over blocks.
 */
export function meanRanks(losses: readonly (readonly number[])[]): number[] {
  const S = losses.length;
  const K = losses[0]?.length ?? 0;
  const sum = new Array<number>(S).fill(0);
  for (let k = 0; k < K; k++) {
    const r = ranks(losses.map((row) => row[k]!));
    for (let s = 0; s < S; s++) sum[s]! += r[s]!;
  }
  return sum.map((x) => (K === 0 ? Number.NaN : x / K));
}

/** Standard normal upper tail, P(Z ≥ z), via erfc (W. J. Cody's rational approximation, |error| < 1.2e-7). */
export function normalSf(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

/**
 * Paired sign-flip (Fisher–Pitman) permutation test of differences `d` (one per pair, e.g. per seed): the share
 * of the 2^n assignments of signs to |d| whose sum is at least the observed sum (`greater`: small p means the
 * differences are positive) or whose |sum| is at least the observed |sum| (`two-sided`). Exact up to 20 pairs;
 * beyond, `draws` random assignments from `Stream.of(seed, 'sign-flip')`. Sums within 1e-12 (relative) of the
 * observed one count as reaching it, so that float noise in equal differences does not move p. NaN for no pairs.
 */
export function signFlipP(
  d: readonly number[],
  alternative: 'greater' | 'two-sided',
  seed = 1,
  draws = 20_000,
): number {
  const n = d.length;
  if (n === 0 || !d.every(Number.isFinite)) return Number.NaN;
  const stat = (s: number) => (alternative === 'greater' ? s : Math.abs(s));
  const obs = stat(d.reduce((a, b) => a + b, 0));
  const tol = 1e-12 * Math.max(1, Math.abs(obs));
  let hits = 0;
  if (n <= 20) {
    for (let mask = 0; mask < 1 << n; mask++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += mask & (1 << i) ? -d[i]! : d[i]!;
      if (stat(s) >= obs - tol) hits++;
    }
    return hits / (1 << n);
  }
  const flips = Stream.of(seed, 'sign-flip');
  for (let k = 0; k < draws; k++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += flips.float() < 0.5 ? -d[i]! : d[i]!;
    if (stat(s) >= obs - tol) hits++;
  }
  return hits / draws;
}

export interface MannWhitney {
  /** Pairs (a_i, b_j) with a_i < b_j, ties counting one half. */
  u: number;
  /** One-sided p-value for "a tends to be lower than b". */
  p: number;
  method: 'exact' | 'normal';
}

/** The number of arrangements giving each U, for sample sizes m and n (no ties). */
function uCounts(m: number, n: number): Float64Array {
  // f[i][j][u]: i values from a, j from b. f(i, j, u) = f(i-1, j, u-j) + f(i, j-1, u).
  const max = m * n;
  let prev: Float64Array[] = [];
  for (let i = 0; i <= m; i++) {
    const row: Float64Array[] = [];
    for (let j = 0; j <= n; j++) {
      const f = new Float64Array(max + 1);
      if (i === 0 || j === 0) f[0] = 1;
      else {
        const up = prev[j]!;
        const left = row[j - 1]!;
        for (let u = 0; u <= i * j; u++) f[u] = (u >= j ? up[u - j]! : 0) + left[u]!;
      }
      row.push(f);
    }
    prev = row;
  }
  return prev[n]!;
}

/**
 * One-sided Mann–Whitney U test that sample `a` is stochastically lower than `b` (a is better, as a loss).
 * Exact when there are no ties and m·n ≤ 2500; otherwise the normal approximation with tie correction
 * and continuity correction (as scipy's `mannwhitneyu(..., alternative='less')`, with U counted for a < b).
 */
export function mannWhitneyU(a: readonly number[], b: readonly number[]): MannWhitney {
  const m = a.length;
  const n = b.length;
  if (m === 0 || n === 0) return { u: Number.NaN, p: Number.NaN, method: 'normal' };
  let u = 0;
  for (const x of a) for (const y of b) u += x < y ? 1 : x === y ? 0.5 : 0;
  const all = [...a, ...b];
  const tieGroups = new Map<number, number>();
  for (const v of all) tieGroups.set(v, (tieGroups.get(v) ?? 0) + 1);
  const hasTies = [...tieGroups.values()].some((t) => t > 1);
  if (!hasTies && m * n <= 2500) {
    const counts = uCounts(m, n);
    let total = 0;
    let tail = 0;
    for (let k = 0; k < counts.length; k++) {
      total += counts[k]!;
      if (k >= u) tail += counts[k]!;
    }
    return { u, p: tail / total, method: 'exact' };
  }
  const N = m + n;
  let tieSum = 0;
  for (const t of tieGroups.values()) tieSum += t * t * t - t;
  const variance = ((m * n) / 12) * (N + 1 - tieSum / (N * (N - 1)));
  if (!(variance > 0)) return { u, p: 1, method: 'normal' };
  const z = (u - (m * n) / 2 - 0.5) / Math.sqrt(variance);
  return { u, p: Math.min(1, Math.max(0, normalSf(z))), method: 'normal' };
}

export interface PairwiseTest {
  a: string;
  b: string;
  u: number;
  p: number;
  method: 'exact' | 'normal';
  /** True when p < alpha: a beats b. */
  win: boolean;
}

/**
 * Every ordered pair of strategies on one problem: is a's final loss lower than b's? With the number of
 * wins per strategy (how many others it beats at level `alpha`).
 */
export function pairwiseTests(
  labels: readonly string[],
  samples: readonly (readonly number[])[],
  alpha = 0.05,
): { tests: PairwiseTest[]; wins: Record<string, number> } {
  const tests: PairwiseTest[] = [];
  const wins: Record<string, number> = {};
  for (const l of labels) wins[l] = 0;
  for (let i = 0; i < labels.length; i++) {
    for (let j = 0; j < labels.length; j++) {
      if (i === j) continue;
      const t = mannWhitneyU(samples[i]!, samples[j]!);
      const win = t.p < alpha;
      if (win) wins[labels[i]!]! += 1;
      tests.push({ a: labels[i]!, b: labels[j]!, u: t.u, p: t.p, method: t.method, win });
    }
  }
  return { tests, wins };
}

/** Summary of timings in milliseconds. */
export function timingSummary(ms: readonly number[]): {
  mean: number;
  median: number;
  max: number;
  n: number;
} {
  return {
    mean: mean(ms),
    median: median(ms),
    max: ms.length === 0 ? Number.NaN : Math.max(...ms),
    n: ms.length,
  };
}
