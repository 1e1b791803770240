import type { Stream } from '../rng/index.js';

/**
 * Parzen estimators in the unit interval, after Optuna's `_ParzenEstimator`: a weighted mixture
 * of one kernel per observation plus a prior kernel. Numeric kernels are Gaussians truncated to
 * [0, 1]; categorical kernels are smoothed one-hot rows. Built once per `sample` call, evaluated
 * at a few candidates; everything is typed arrays and one pass per candidate.
 */

const SQRT2 = Math.SQRT2;
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** erfc with fractional error < 1.2e-7 everywhere (Numerical Recipes' erfcc); enough for weights. */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

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

/** log of the normalising constant of kernel (mu, sigma) truncated to [0, 1], plus log(sigma·√2π). */
export function logKernelNorm(mu: number, sigma: number): number {
  const a = -mu / sigma;
  const b = (1 - mu) / sigma;
  // Inside [0, 1] and narrow: the truncated mass is 1 to within 1e-15.
  const z = a < -8 && b > 8 ? 1 : Math.max(phi(b) - phi(a), 1e-300);
  return Math.log(sigma * z) + LOG_SQRT_2PI;
}

/** Optuna's bandwidths: the larger gap to a sorted neighbour, endpoints excluded, then the "magic clip". */
export function neighbourSigmas(mus: Float64Array, withPrior: boolean): Float64Array {
  const n = mus.length;
  const sorted = Float64Array.from(mus).sort();
  const sig = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = mus[i]!;
    // Rank by binary search (first of equal values): O(n log n) with a native sort, no comparator.
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    const r = lo;
    let s: number;
    if (n >= 2 && r === 0) s = sorted[1]! - sorted[0]!;
    else if (n >= 2 && r === n - 1) s = sorted[n - 1]! - sorted[n - 2]!;
    else {
      const left = r === 0 ? 0 : sorted[r - 1]!;
      const right = r === n - 1 ? 1 : sorted[r + 1]!;
      s = Math.max(v - left, right - v);
    }
    sig[i] = s;
  }
  const nKernels = n + (withPrior ? 1 : 0);
  const minSigma = 1 / Math.min(100, 1 + nKernels);
  for (let i = 0; i < n; i++) sig[i] = Math.min(1, Math.max(minSigma, sig[i]!));
  return sig;
}

/** A univariate mixture of truncated Gaussians on [0, 1]. */
export class NumericParzen {
  readonly weights: Float64Array;
  readonly total: number;
  readonly mus: Float64Array;
  readonly sigmas: Float64Array;
  /** coef[j] = w_j / (σ_j · Z_j · √2π) / total; half[j] = 1 / (2σ_j²). */
  private readonly coef: Float64Array;
  private readonly half: Float64Array;

  /** `mus` and `weights` of the observations; the prior kernel (0.5, 1) with `priorWeight` is appended. */
  constructor(mus: Float64Array, weights: Float64Array, priorWeight: number) {
    const n = mus.length;
    const sig = neighbourSigmas(mus, true);
    this.mus = new Float64Array(n + 1);
    this.mus.set(mus);
    this.mus[n] = 0.5;
    this.sigmas = new Float64Array(n + 1);
    this.sigmas.set(sig);
    this.sigmas[n] = 1;
    this.weights = new Float64Array(n + 1);
    this.weights.set(weights);
    this.weights[n] = priorWeight;
    let total = 0;
    for (let j = 0; j <= n; j++) total += this.weights[j]!;
    this.total = total;
    this.coef = new Float64Array(n + 1);
    this.half = new Float64Array(n + 1);
    for (let j = 0; j <= n; j++) {
      const s = this.sigmas[j]!;
      this.coef[j] = Math.exp(Math.log(this.weights[j]! / total) - logKernelNorm(this.mus[j]!, s));
      this.half[j] = 0.5 / (s * s);
    }
  }

  sample(stream: Stream): number {
    const j = drawIndex(this.weights, this.total, stream);
    return truncatedNormal(this.mus[j]!, this.sigmas[j]!, stream);
  }

  logPdf(x: number): number {
    const { mus, coef, half } = this;
    let p = 0;
    for (let j = 0; j < mus.length; j++) {
      const d = x - mus[j]!;
      p += coef[j]! * Math.exp(-d * d * half[j]!);
    }
    return Math.log(p);
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
    return Math.log(this.probs[c]!);
  }

  /** The probability row of one kernel (for the multivariate estimator). */
  static row(k: number, observed: number, priorWeight: number, out: Float64Array): void {
    for (let c = 0; c < k; c++) out[c] = priorWeight / k / (priorWeight + 1);
    out[observed] = out[observed]! + 1 / (priorWeight + 1);
  }
}
