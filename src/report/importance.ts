/**
 * Parameter importance by fANOVA (Hutter, Hoos & Leyton-Brown, ICML 2014) on a small seeded random
 * forest: the fraction of the score's variance, over the search space, that each parameter explains
 * on its own (its main effect), averaged over the trees.
 *
 * Why fANOVA and not PED-ANOVA: fANOVA answers "how much does the score move when this parameter
 * moves, over the whole space", which is what a reader of a study's report asks first, and it is
 * the reference method (Optuna's default evaluator) that readers can compare against. PED-ANOVA
 * is faster but answers a narrower question (which parameters separate the top γ-quantile of
 * trials from the rest) and depends on the choice of γ. The forest here is small (32 trees) and
 * seeded from the study's seed, so the same ledger always gives the same numbers.
 *
 * Each tree partitions the feature box into leaves; under the uniform measure on that box the
 * marginal of a feature is exact and cheap to compute from the leaves (no sampling).
 */
import { Stream } from '../rng/index.js';

export interface ForestOptions {
  trees: number;
  maxDepth: number;
  /** A node with fewer rows is a leaf. */
  minSplit: number;
}

export const DEFAULT_FOREST: ForestOptions = { trees: 32, maxDepth: 32, minSplit: 2 };

/** One feature: its values' domain (the measure fANOVA integrates over is uniform on it). */
export interface FeatureDomain {
  name: string;
  low: number;
  high: number;
}

export interface Importance {
  name: string;
  /** Mean over the trees of the main effect's share of the variance, in [0, 1]. */
  importance: number;
  /** Standard deviation of that share over the trees. */
  std: number;
}

type Node =
  | { leaf: true; value: number }
  | { leaf: false; feature: number; threshold: number; left: Node; right: Node };

/**
 * Fits one regression tree (squared error, all features considered at each split). `orders[f]` holds
 * the node's rows sorted by feature f; a split partitions every order stably, so nothing is re-sorted.
 */
function fitTree(
  x: readonly Float64Array[],
  y: Float64Array,
  orders: number[][],
  depth: number,
  o: ForestOptions,
): Node {
  const idx = orders[0]!;
  const n = idx.length;
  let sum = 0;
  let totalSq = 0;
  for (const i of idx) {
    sum += y[i]!;
    totalSq += y[i]! * y[i]!;
  }
  const mean = sum / n;
  if (n < o.minSplit || depth >= o.maxDepth) return { leaf: true, value: mean };
  let sse = 0;
  for (const i of idx) sse += (y[i]! - mean) ** 2;
  if (sse <= 1e-300) return { leaf: true, value: mean };

  let best = { gain: 0, feature: -1, threshold: 0 };
  for (let f = 0; f < x.length; f++) {
    const col = x[f]!;
    const order = orders[f]!;
    let leftSum = 0;
    let leftSq = 0;
    for (let k = 0; k < n - 1; k++) {
      const yi = y[order[k]!]!;
      leftSum += yi;
      leftSq += yi * yi;
      const a = col[order[k]!]!;
      const b = col[order[k + 1]!]!;
      if (a === b) continue;
      const nl = k + 1;
      const nr = n - nl;
      const rightSum = sum - leftSum;
      const childSse = leftSq - (leftSum * leftSum) / nl + (totalSq - leftSq) - (rightSum * rightSum) / nr;
      const gain = sse - childSse;
      if (gain > best.gain * (1 + 1e-12) + 1e-300) best = { gain, feature: f, threshold: (a + b) / 2 };
    }
  }
  if (best.feature < 0) return { leaf: true, value: mean };
  const col = x[best.feature]!;
  const goesLeft = (i: number) => col[i]! <= best.threshold;
  return {
    leaf: false,
    feature: best.feature,
    threshold: best.threshold,
    left: fitTree(
      x,
      y,
      orders.map((ord) => ord.filter(goesLeft)),
      depth + 1,
      o,
    ),
    right: fitTree(
      x,
      y,
      orders.map((ord) => ord.filter((i) => !goesLeft(i))),
      depth + 1,
      o,
    ),
  };
}

interface Leaf {
  value: number;
  lo: Float64Array;
  hi: Float64Array;
}

function leavesOf(tree: Node, domains: readonly FeatureDomain[]): { leaves: Leaf[]; cuts: number[][] } {
  const leaves: Leaf[] = [];
  const cuts: number[][] = domains.map(() => []);
  const walk = (node: Node, lo: Float64Array, hi: Float64Array): void => {
    if (node.leaf) {
      leaves.push({ value: node.value, lo, hi });
      return;
    }
    const f = node.feature;
    // A threshold outside the domain (a value outside the declared range) is clamped into it.
    const t = Math.min(hi[f]!, Math.max(lo[f]!, node.threshold));
    cuts[f]!.push(t);
    const leftHi = hi.slice();
    leftHi[f] = t;
    const rightLo = lo.slice();
    rightLo[f] = t;
    walk(node.left, lo, leftHi);
    walk(node.right, rightLo, hi);
  };
  walk(
    tree,
    Float64Array.from(domains, (d) => d.low),
    Float64Array.from(domains, (d) => d.high),
  );
  return { leaves, cuts };
}

/** Each feature's main-effect variance share in one tree, or undefined when the tree is constant. */
function treeShares(tree: Node, domains: readonly FeatureDomain[]): number[] | undefined {
  const { leaves, cuts } = leavesOf(tree, domains);
  const width = domains.map((d) => d.high - d.low);
  const frac = leaves.map((l) => {
    let v = 1;
    for (let k = 0; k < domains.length; k++) v *= (l.hi[k]! - l.lo[k]!) / width[k]!;
    return v;
  });
  let mean = 0;
  for (let i = 0; i < leaves.length; i++) mean += frac[i]! * leaves[i]!.value;
  let total = 0;
  for (let i = 0; i < leaves.length; i++) total += frac[i]! * (leaves[i]!.value - mean) ** 2;
  if (!(total > 1e-300)) return undefined;
  return domains.map((dom, j) => {
    const points = [...new Set([dom.low, ...cuts[j]!, dom.high])].sort((a, b) => a - b);
    const m = points.length - 1;
    const acc = new Float64Array(m + 1);
    for (let i = 0; i < leaves.length; i++) {
      const l = leaves[i]!;
      const span = (l.hi[j]! - l.lo[j]!) / width[j]!;
      if (!(span > 0)) continue;
      const w = (l.value * frac[i]!) / span;
      const a = lowerBound(points, l.lo[j]!);
      const b = lowerBound(points, l.hi[j]!);
      acc[a]! += w;
      acc[b]! -= w;
    }
    let run = 0;
    let v = 0;
    for (let k = 0; k < m; k++) {
      run += acc[k]!;
      v += ((points[k + 1]! - points[k]!) / width[j]!) * (run - mean) ** 2;
    }
    return Math.min(1, v / total);
  });
}

function lowerBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * fANOVA main effects of `rows` (each a feature vector inside `domains`) on `y`, with a random
 * forest bootstrapped from `Stream.of(seed, 'report', 'fanova', tree)`. Empty when fewer than
 * two rows or when every tree is constant (all scores equal).
 */
export function fanova(
  domains: readonly FeatureDomain[],
  rows: readonly (readonly number[])[],
  y: readonly number[],
  seed: number,
  options: Partial<ForestOptions> = {},
): Importance[] {
  const o: ForestOptions = { ...DEFAULT_FOREST, ...options };
  const n = rows.length;
  if (n < 2 || domains.length === 0) return [];
  for (const d of domains) {
    if (!(d.high > d.low))
      throw new RangeError(`fanova: domain of ${d.name}: low < high must hold, got [${d.low}, ${d.high}]`);
  }
  const x = domains.map((_, f) => Float64Array.from(rows, (r) => r[f]!));
  const yy = Float64Array.from(y);
  const shares: number[][] = [];
  for (let t = 0; t < o.trees; t++) {
    const stream = Stream.of(seed, 'report', 'fanova', t);
    const idx = Array.from({ length: n }, () => stream.int(0, n - 1));
    const orders = x.map((col) => [...idx].sort((a, b) => col[a]! - col[b]! || a - b));
    const s = treeShares(fitTree(x, yy, orders, 0, o), domains);
    if (s) shares.push(s);
  }
  if (shares.length === 0) return [];
  return domains
    .map((d, j) => {
      const v = shares.map((s) => s[j]!);
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
      return { name: d.name, importance: mean, std };
    })
    .sort((a, b) => b.importance - a.importance || (a.name < b.name ? -1 : 1));
}
