import { erfc, exp, log } from '../math/index.js';
import type { Stream } from '../rng/index.js';

/**
 * Parzen estimators in the unit interval, after Optuna's `_ParzenEstimator`: a weighted mixture
 * of one kernel per observation plus a prior kernel. Numeric kernels are Gaussians truncated to
 * [0, 1]; categorical kernels are smoothed one-hot rows. Built once per `sample` call, evaluated
 * at a few candidates; everything is typed arrays and one pass per candidate.
 */

const SQRT2 = Math.SQRT2;
const SQRT_2PI = Math.sqrt(2 * Math.PI);
const LOG_SQRT_2PI = log(SQRT_2PI);

/** Standard normal CDF. */
function phi(x: number): number {
  return 0.5 * erfc(-x / SQRT2);
}

/** Optuna's `default_weights`: flat for the 25 most recent observations, a linear ramp before them. */
export function observationWeights(n: number): Float64Array {
  const w = new Float64Array(n).fill(1);
  if (n >= 25) {
    const m = n - 25;
    for (let i = 0; i < m; i++) w[i] = m === 1 ? 1 / n : 1 / n + ((1 - 1 / n) * i) / (m - 1);
  }
  return w;
}

/** Draws an index from unnormalised weights (linear scan over the cumulative sum). */
export function drawIndex(weights: Float64Array, total: number, stream: Stream): number {
  let r = stream.float() * total;
  for (let j = 0; j < weights.length; j++) {
    r -= weights[j]!;
    if (r < 0) return j;
  }
  return weights.length - 1;
}

/** A draw from N(mu, sigma) truncated to [0, 1], by rejection (the prior kernel accepts ≥ 38 % of draws). */
export function truncatedNormal(mu: number, sigma: number, stream: Stream): number {
  for (let t = 0; t < 64; t++) {
    const x = mu + sigma * stream.normal();
    if (x >= 0 && x < 1) return x;
  }
  return Math.min(1 - Number.EPSILON, Math.max(0, mu));
}

/** Truncated mass in [0, 1] of N(mu, sigma); 1 for a narrow kernel well inside (to within 1e-15). */
function truncatedMass(mu: number, sigma: number): number {
  const a = -mu / sigma;
  const b = (1 - mu) / sigma;
  return a < -8 && b > 8 ? 1 : Math.max(phi(b) - phi(a), 1e-300);
}

/** log of the normalising constant of kernel (mu, sigma) truncated to [0, 1], plus log(sigma·√2π). */
export function logKernelNorm(mu: number, sigma: number): number {
  return log(sigma * truncatedMass(mu, sigma)) + LOG_SQRT_2PI;
}

/**
 * Sorts unit values (all in [0, 1]) in linear expected time: a bucket pass, then insertion sort
 * inside each bucket, by (value, original position) so that the order is fully determined.
 * Returns `order`: the original positions in sorted order.
 */
export function sortUnit(values: Float64Array): Int32Array {
  const n = values.length;
  const buckets = Math.max(1, n);
  const start = new Int32Array(buckets + 1);
  const key = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const b = Math.min(buckets - 1, Math.max(0, Math.floor(values[i]! * buckets)));
    key[i] = b;
    start[b + 1]!++;
  }
  for (let b = 0; b < buckets; b++) start[b + 1] = start[b + 1]! + start[b]!;
  const fill = start.slice(0, buckets);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[fill[key[i]!]!++] = i;
  for (let b = 0; b < buckets; b++) {
    for (let p = start[b]! + 1; p < start[b + 1]!; p++) {
      const idx = order[p]!;
      const v = values[idx]!;
      let q = p - 1;
      while (q >= start[b]! && (values[order[q]!]! > v || (values[order[q]!]! === v && order[q]! > idx))) {
        order[q + 1] = order[q]!;
        q--;
      }
      order[q + 1] = idx;
    }
  }
  return order;
}

/**
 * Kernels further than this many bandwidths from x contribute less than e^-24.5 ≈ 2e-11 of their
 * peak: skipped. Since every narrow peak is at most ~170 times the prior's floor under the density,
 * the relative error of the density stays below ~1e-8.
 */
const CUTOFF = 7;

/** From this many narrow kernels on, they are summed per block rather than one by one. */
const BLOCKED_MIN = 256;
/** Block width in bandwidths: a kernel is at most a quarter bandwidth from its block's centre. */
const BLOCK_WIDTH = 0.5;
/** Taylor terms per block (blockMoments unrolls them). */
const TERMS = 14;

/**
 * Narrow kernels (all of bandwidth σ) grouped in blocks of width σ/2 over [0, 1], each block summarised
 * by Taylor moments around its centre c (a fast Gauss transform): with t = (x − c)/σ and s_j = (μ_j − c)/σ,
 *   Σ_j coef_j·exp(−(t − s_j)²/2) = exp(−t²/2) · Σ_k t^k · M_k,   M_k = Σ_j coef_j·exp(−s_j²/2)·s_j^k / k!.
 * With |s_j| ≤ 1/4 and |t| ≤ 7.5 the series truncated after 14 terms is exact to ~1e-12 relative near
 * the block, ~1e-8 of the block's own term at the cutoff: like the direct path's cutoff, far below what
 * moves an argmax except on near-exact ties. Evaluation then costs O(window / σ) blocks, not O(kernels):
 * once TPE has concentrated its trials, most kernels of g(x) lie in any candidate's window.
 * Built in one deterministic pass in order of centre, so the sums are the same bits in every process.
 */
function blockMoments(
  mus: Float64Array,
  coefs: Float64Array,
  sigma: number,
  scratch?: ParzenScratch,
): Float64Array {
  const bw = sigma * BLOCK_WIDTH;
  const blocks = Math.floor(1 / bw) + 1;
  const mom = scratch === undefined ? new Float64Array(blocks * TERMS) : scratch.zeroed(8, blocks * TERMS);
  for (let j = 0; j < mus.length; j++) {
    const b = Math.min(blocks - 1, Math.max(0, Math.floor(mus[j]! / bw)));
    const s = (mus[j]! - (b + 0.5) * bw) / sigma;
    const o = b * TERMS;
    // term_k = term_{k-1} · s / k, unrolled; dividing by 1, 2, 4 or 8 is the same correctly rounded
    // result as multiplying by 1, 0.5, 0.25 or 0.125, so those are multiplications (the same bits).
    let t = coefs[j]! * exp(-0.5 * s * s);
    mom[o] = mom[o]! + t;
    t = t * s;
    mom[o + 1] = mom[o + 1]! + t;
    t = t * s * 0.5;
    mom[o + 2] = mom[o + 2]! + t;
    t = (t * s) / 3;
    mom[o + 3] = mom[o + 3]! + t;
    t = t * s * 0.25;
    mom[o + 4] = mom[o + 4]! + t;
    t = (t * s) / 5;
    mom[o + 5] = mom[o + 5]! + t;
    t = (t * s) / 6;
    mom[o + 6] = mom[o + 6]! + t;
    t = (t * s) / 7;
    mom[o + 7] = mom[o + 7]! + t;
    t = t * s * 0.125;
    mom[o + 8] = mom[o + 8]! + t;
    t = (t * s) / 9;
    mom[o + 9] = mom[o + 9]! + t;
    t = (t * s) / 10;
    mom[o + 10] = mom[o + 10]! + t;
    t = (t * s) / 11;
    mom[o + 11] = mom[o + 11]! + t;
    t = (t * s) / 12;
    mom[o + 12] = mom[o + 12]! + t;
    t = (t * s) / 13;
    mom[o + 13] = mom[o + 13]! + t;
  }
  return mom;
}

/**
 * Reusable arrays for one estimator at a time: an estimator built with a scratch keeps its arrays there,
 * valid until the scratch builds the next one (TPE's g(x), rebuilt for every parameter of every trial,
 * then costs no allocation). Every array it hands out is written in full before it is read (`zeroed`: set to 0).
 */
export class ParzenScratch {
  private readonly bufs: Float64Array[] = [];

  /** A length-`len` view of slot `slot`'s buffer, which grows (doubling) when needed; its contents are stale. */
  array(slot: number, len: number): Float64Array {
    let b = this.bufs[slot];
    if (b === undefined || b.length < len) {
      b = new Float64Array(Math.max(len, 2 * (b?.length ?? 0), 64));
      this.bufs[slot] = b;
    }
    return b.subarray(0, len);
  }

  /** As {@link array}, all zeros. */
  zeroed(slot: number, len: number): Float64Array {
    const a = this.array(slot, len);
    a.fill(0);
    return a;
  }
}

/**
 * A univariate mixture of truncated Gaussians on [0, 1], one kernel per observation plus the
 * prior (0.5, 1). Bandwidths follow Optuna: the larger gap to a sorted neighbour, the prior's
 * centre included (the outermost kernels look inwards only), clipped to [1 / min(100, n + 2), 1].
 *
 * Kernels are kept sorted by centre. Those at the minimum bandwidth (most of them once n is in
 * the hundreds) are evaluated only inside a window of ±CUTOFF·σ around x, found by binary
 * search; the others (wide ones and the prior) always. This makes logPdf O(log n + window).
 */
export class NumericParzen {
  /** Per kernel, in order of centre, the prior last. */
  readonly mus: Float64Array;
  readonly sigmas: Float64Array;
  readonly weights: Float64Array;
  readonly total: number;
  private readonly minSigma: number;
  private readonly narrowMu: Float64Array;
  private readonly narrowCoef: Float64Array;
  private readonly wideMu: Float64Array;
  private readonly wideCoef: Float64Array;
  private readonly wideHalf: Float64Array;
  /** Narrow kernels summarised per block (see {@link blockMoments}); undefined: evaluated one by one. */
  private readonly moments: Float64Array | undefined;

  /**
   * `mus` (unit values) and `weights` of the observations, in any order; with `sorted`, already in the
   * order {@link sortUnit} gives (by value, ties by position), which skips the sort. With `scratch`, the
   * estimator's arrays live there (see {@link ParzenScratch}): it is valid until the scratch is used again.
   */
  constructor(
    mus: Float64Array,
    weights: Float64Array,
    priorWeight: number,
    sorted = false,
    scratch?: ParzenScratch,
  ) {
    const n = mus.length;
    const alloc = (slot: number, len: number) => scratch?.array(slot, len) ?? new Float64Array(len);
    const m = alloc(0, n + 1);
    const w = alloc(1, n + 1);
    const sig = alloc(2, n + 1);
    let total = priorWeight;
    if (sorted) {
      m.set(mus);
      w.set(weights);
      for (let p = 0; p < n; p++) total += w[p]!;
    } else {
      const order = sortUnit(mus);
      for (let p = 0; p < n; p++) {
        const o = order[p]!;
        m[p] = mus[o]!;
        w[p] = weights[o]!;
        total += w[p]!;
      }
    }
    const minSigma = 1 / Math.min(100, 2 + n);
    // As Optuna 3.x (univariate): the prior's centre 0.5 takes part in the sorted order, each kernel's
    // bandwidth is the larger gap to a neighbour (0 and 1 bound the ends), and the outermost kernels
    // of the merged order look inwards only (consider_endpoints = False).
    let q = 0; // the prior's position in the merged order: after every observation <= 0.5
    while (q < n && m[q]! <= 0.5) q++;
    let narrow = 0;
    for (let p = 0; p < n; p++) {
      const v = m[p]!;
      // Neighbours in the merged order (observations with the prior inserted at q).
      const left = p === q ? 0.5 : p > 0 ? m[p - 1]! : Number.NaN;
      const right = p === q - 1 ? 0.5 : p < n - 1 ? m[p + 1]! : Number.NaN;
      let s: number;
      if (Number.isNaN(left))
        s = right - v; // first of the merged order
      else if (Number.isNaN(right))
        s = v - left; // last of the merged order
      else s = Math.max(v - left, right - v);
      s = Math.min(1, Math.max(minSigma, s));
      sig[p] = s;
      if (s === minSigma) narrow++;
    }
    m[n] = 0.5;
    sig[n] = 1;
    w[n] = priorWeight;
    this.mus = m;
    this.sigmas = sig;
    this.weights = w;
    this.total = total;
    this.minSigma = minSigma;
    this.narrowMu = alloc(3, narrow);
    this.narrowCoef = alloc(4, narrow);
    this.wideMu = alloc(5, n + 1 - narrow);
    this.wideCoef = alloc(6, n + 1 - narrow);
    this.wideHalf = alloc(7, n + 1 - narrow);
    // A narrow kernel more than 8 bandwidths inside [0, 1] has mass 1 (see truncatedMass).
    const inner = 8 * minSigma;
    const narrowBase = 1 / (total * minSigma * SQRT_2PI);
    let a = 0;
    let b = 0;
    // Equal centres are neighbours in this order: the last kernel's truncated mass is reused for the next
    // one with the same centre and bandwidth (a pure function of both: the same bits).
    let lastMu = Number.NaN;
    let lastSigma = Number.NaN;
    let lastMass = Number.NaN;
    const mass = (mu: number, s: number) => {
      if (mu !== lastMu || s !== lastSigma) {
        lastMu = mu;
        lastSigma = s;
        lastMass = truncatedMass(mu, s);
      }
      return lastMass;
    };
    for (let p = 0; p <= n; p++) {
      const s = sig[p]!;
      const mu = m[p]!;
      if (p < n && s === minSigma) {
        this.narrowMu[a] = mu;
        this.narrowCoef[a++] =
          mu > inner && mu < 1 - inner ? w[p]! * narrowBase : w[p]! / (total * s * mass(mu, s) * SQRT_2PI);
      } else {
        this.wideMu[b] = mu;
        this.wideCoef[b] = w[p]! / (total * s * mass(mu, s) * SQRT_2PI);
        this.wideHalf[b++] = 0.5 / (s * s);
      }
    }

    this.moments =
      narrow >= BLOCKED_MIN ? blockMoments(this.narrowMu, this.narrowCoef, minSigma, scratch) : undefined;
  }

  sample(stream: Stream): number {
    const j = drawIndex(this.weights, this.total, stream);
    return truncatedNormal(this.mus[j]!, this.sigmas[j]!, stream);
  }

  /**
   * log p(x). With `stopAt`: +Infinity instead as soon as the density summed so far reaches it — every term
   * summed being >= 0, the full sum is then at least as large (a rounded sum of non-negative terms never
   * decreases), so a caller that needs the value only when p(x) < stopAt learns that it does not, early.
   */
  logPdf(x: number, stopAt = Number.POSITIVE_INFINITY): number {
    let p = 0;
    const wm = this.wideMu;
    for (let j = 0; j < wm.length; j++) {
      const d = x - wm[j]!;
      p += this.wideCoef[j]! * exp(-d * d * this.wideHalf[j]!);
    }
    if (p >= stopAt) return Number.POSITIVE_INFINITY;
    const nm = this.narrowMu;
    const mom = this.moments;
    if (mom !== undefined) {
      // Every block whose width overlaps [x − r, x + r]: a superset of the direct path's window.
      const sigma = this.minSigma;
      const bw = sigma * BLOCK_WIDTH;
      const r = CUTOFF * sigma;
      const last = mom.length / TERMS - 1;
      const b0 = Math.max(0, Math.floor((x - r) / bw));
      const b1 = Math.min(last, Math.floor((x + r) / bw));
      for (let b = b0; b <= b1; b++) {
        const o = b * TERMS;
        if (mom[o] === 0) continue; // no kernel in this block
        const t = (x - (b + 0.5) * bw) / sigma;
        // Horner over the 14 moments, unrolled (the same operations in the same order).
        let q = mom[o + 13]! * t + mom[o + 12]!;
        q = q * t + mom[o + 11]!;
        q = q * t + mom[o + 10]!;
        q = q * t + mom[o + 9]!;
        q = q * t + mom[o + 8]!;
        q = q * t + mom[o + 7]!;
        q = q * t + mom[o + 6]!;
        q = q * t + mom[o + 5]!;
        q = q * t + mom[o + 4]!;
        q = q * t + mom[o + 3]!;
        q = q * t + mom[o + 2]!;
        q = q * t + mom[o + 1]!;
        q = q * t + mom[o]!;
        const term = exp(-0.5 * t * t) * q;
        p += term;
        // A truncated series could in principle dip below 0: the early stop then no longer holds.
        if (term < 0) stopAt = Number.POSITIVE_INFINITY;
        else if (p >= stopAt) return Number.POSITIVE_INFINITY;
      }
    } else if (nm.length > 0) {
      const r = CUTOFF * this.minSigma;
      const half = 0.5 / (this.minSigma * this.minSigma);
      let lo = 0;
      let hi = nm.length;
      const from = x - r;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (nm[mid]! < from) lo = mid + 1;
        else hi = mid;
      }
      const to = x + r;
      for (let j = lo; j < nm.length && nm[j]! <= to; j++) {
        const d = x - nm[j]!;
        p += this.narrowCoef[j]! * exp(-d * d * half);
      }
    }
    return log(p);
  }
}

/** A mixture of smoothed one-hot rows over k choices; the prior row is uniform. */
export class CategoricalParzen {
  private readonly probs: Float64Array;
  private readonly cumulative: Float64Array;

  constructor(k: number, observed: Int32Array, weights: Float64Array, priorWeight: number) {
    let total = priorWeight;
    for (let j = 0; j < weights.length; j++) total += weights[j]!;
    // Row j: (priorWeight/k + [c = observed_j]) / (priorWeight + 1); the prior row is 1/k.
    const probs = new Float64Array(k);
    let obsMass = 0;
    for (let j = 0; j < observed.length; j++) {
      const w = weights[j]! / total;
      obsMass += w;
      probs[observed[j]!]! += w / (priorWeight + 1);
    }
    const base = (obsMass * (priorWeight / k)) / (priorWeight + 1) + priorWeight / total / k;
    for (let c = 0; c < k; c++) probs[c] = probs[c]! + base;
    this.probs = probs;
    this.cumulative = new Float64Array(k);
    let s = 0;
    for (let c = 0; c < k; c++) {
      s += probs[c]!;
      this.cumulative[c] = s;
    }
  }

  get k(): number {
    return this.probs.length;
  }

  sample(stream: Stream): number {
    return drawIndex(this.probs, this.cumulative[this.probs.length - 1]!, stream);
  }

  logPmf(c: number): number {
    return log(this.probs[c]!);
  }

  /** The probability row of one kernel (for the multivariate estimator). */
  static row(k: number, observed: number, priorWeight: number, out: Float64Array): void {
    for (let c = 0; c < k; c++) out[c] = priorWeight / k / (priorWeight + 1);
    out[observed] = out[observed]! + 1 / (priorWeight + 1);
  }
}
