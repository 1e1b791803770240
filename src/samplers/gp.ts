import { erfc, exp, log } from '../math/index.js';
import { Stream } from '../rng/index.js';
import { canonicalParams, cardinality, fromUnit, isActive } from '../space/codec.js';
import type { ParamSpec, Params, SearchSpace } from '../space/types.js';
import type { Direction } from '../types.js';
import { backSolve, cholesky, choleskyInverse, forwardSolve } from './linalg.js';
import { unitDraw } from './random.js';
import { SobolSampler } from './sobol.js';
import { unitMapper } from './tpe.js';
import type { FinishedTrial, SampleContext, Sampler } from './types.js';

export interface GpOptions {
  /** Trials taken from a scrambled Sobol sequence before the model starts (usable trials). Default 10. */
  n_startup_trials?: number;
  /** Uniform random candidates for the acquisition, before the local search. Default 512. */
  n_candidates?: number;
  /** The model is fitted on at most this many trials (the best ones). Default 200. */
  max_history?: number;
}

export const GP_DEFAULTS: Required<GpOptions> = {
  n_startup_trials: 10,
  n_candidates: 512,
  max_history: 200,
};

const SQRT5 = Math.sqrt(5);
const LOG_2PI = log(2 * Math.PI);
const MIN_NOISE = 1e-6;
const LOG_SQRT_2PI = 0.5 * LOG_2PI;

/**
 * Gaussian-process Bayesian optimisation in the unit cube of the always-active parameters.
 *
 * The model: a zero-mean GP on the standardised values (minimised in the study's direction),
 * Matern-5/2 kernel with one length scale per dimension (ARD), a signal variance and a noise
 * variance, fitted by maximising the log marginal likelihood plus weak log-priors (MAP) with
 * L-BFGS from two fixed starting points. The next point maximises log expected improvement over
 * seeded uniform candidates, perturbations of the best trials, and a short (1+1)-ES from the best
 * candidates. Discrete and categorical parameters are searched as their unit value and rounded by
 * the codec; conditional parameters are drawn at random. The first `n_startup_trials` points
 * are Sobol points. Everything is a pure function of (space, history, ctx).
 */
export class GpSampler implements Sampler {
  readonly name = 'gp';
  readonly options: Required<GpOptions>;
  private readonly startup = new SobolSampler();

  constructor(options: GpOptions = {}) {
    this.options = {
      n_startup_trials: options.n_startup_trials ?? GP_DEFAULTS.n_startup_trials,
      n_candidates: options.n_candidates ?? GP_DEFAULTS.n_candidates,
      max_history: options.max_history ?? GP_DEFAULTS.max_history,
    };
  }

  sample(space: SearchSpace, history: readonly FinishedTrial[], ctx: SampleContext): Params {
    const specs = space.params.filter((p) => p.dist.type !== 'fixed' && p.when === undefined);
    const data = trainingData(specs, history, ctx.direction, this.options.max_history);
    if (specs.length === 0 || data.n < Math.max(2, this.options.n_startup_trials)) {
      return this.startup.sample(space, history, ctx);
    }
    const gp = fitGp(data.x, data.y, data.n, specs.length);
    const stream = Stream.of(ctx.seed, 'sampler', this.name, ctx.index, 'acquisition', 'candidates');
    const decode = (u: Float64Array) => this.decode(space, specs, u, ctx);
    let accept = (_: Float64Array) => true;
    if (space.params.every((p) => cardinality(p.dist) !== undefined)) {
      // In a finite space a point already tried teaches nothing: take the best untried candidate.
      const key = (p: Params) => JSON.stringify(canonicalParams(p));
      const tried = new Set(history.map((t) => key(t.params)));
      accept = (u) => !tried.has(key(decode(u)));
    }
    const best = maximiseEi(gp, data, stream, this.options.n_candidates, accept);
    if (best !== undefined) return decode(best);
    for (let attempt = 1; attempt <= 64; attempt++) {
      const u = new Float64Array(specs.length);
      for (let q = 0; q < u.length; q++) u[q] = stream.float();
      if (accept(u)) return decode(u);
    }
    return this.startup.sample(space, history, ctx);
  }

  private decode(space: SearchSpace, specs: ParamSpec[], u: Float64Array, ctx: SampleContext): Params {
    const unit = new Map(specs.map((s, d) => [s.name, u[d]!]));
    const out: Params = {};
    for (const spec of space.params) {
      if (!isActive(spec, out)) continue;
      if (spec.dist.type === 'fixed') {
        out[spec.name] = spec.dist.value;
        continue;
      }
      out[spec.name] = fromUnit(spec.dist, unit.get(spec.name) ?? unitDraw(ctx, this.name, spec.name));
    }
    return out;
  }
}

interface TrainingData {
  n: number;
  /** n × d unit values, row-major. */
  x: Float64Array;
  /** Standardised values to minimise. */
  y: Float64Array;
}

/** The usable trials with every GP parameter set, at most `cap` (the best), in index order, standardised. */
function trainingData(
  specs: ParamSpec[],
  history: readonly FinishedTrial[],
  direction: Direction,
  cap: number,
): TrainingData {
  const d = specs.length;
  const mappers = specs.map((s) => unitMapper(s.dist));
  const sign = direction === 'minimize' ? 1 : -1;
  const rows: { u: number[]; v: number; index: number }[] = [];
  for (const t of history) {
    if (t.state === 'failed' || typeof t.value !== 'number' || !Number.isFinite(t.value)) continue;
    const u: number[] = [];
    for (let k = 0; k < d; k++) {
      const x = mappers[k]!(t.params[specs[k]!.name]);
      if (Number.isNaN(x)) break;
      u.push(x);
    }
    if (u.length === d) rows.push({ u, v: sign * t.value, index: t.index });
  }
  let kept = rows;
  if (rows.length > cap) {
    const chosen = new Set([...rows].sort((a, b) => a.v - b.v || a.index - b.index).slice(0, cap));
    kept = rows.filter((r) => chosen.has(r));
  }
  const n = kept.length;
  const x = new Float64Array(n * d);
  const y = new Float64Array(n);
  let mean = 0;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < d; k++) x[i * d + k] = kept[i]!.u[k]!;
    mean += kept[i]!.v;
  }
  mean = n > 0 ? mean / n : 0;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const dv = kept[i]!.v - mean;
    sq += dv * dv;
  }
  const sd = n > 1 && sq > 0 ? Math.sqrt(sq / n) : 1;
  for (let i = 0; i < n; i++) y[i] = (kept[i]!.v - mean) / sd;
  return { n, x, y };
}

/** A fitted GP: what prediction needs. */
interface Gp {
  n: number;
  d: number;
  x: Float64Array;
  invL2: Float64Array; // 1 / lengthscale² per dimension
  lengthscales: Float64Array;
  signal: number;
  chol: Float64Array;
  alpha: Float64Array;
}

function matern(r: number): number {
  const s = SQRT5 * r;
  return (1 + s + (s * s) / 3) * exp(-s);
}

/**
 * The negative log posterior (log marginal likelihood + log priors) of θ = [log ℓ₁…ℓ_d, log σ²_f,
 * φ] with noise = MIN_NOISE + e^φ, and its gradient.
 */
function objective(
  theta: Float64Array,
  d2: Float64Array[],
  y: Float64Array,
  n: number,
  grad: Float64Array,
): number {
  const d = d2.length;
  const inv = new Float64Array(d);
  for (let k = 0; k < d; k++) inv[k] = exp(-2 * theta[k]!);
  const signal = exp(theta[d]!);
  const en = exp(theta[d + 1]!);
  const noise = MIN_NOISE + en;
  const pairs = (n * (n - 1)) / 2;
  const rr = new Float64Array(pairs);
  const k = new Float64Array(n * n);
  let p = 0;
  for (let i = 0; i < n; i++) {
    k[i * n + i] = signal + noise;
    for (let j = i + 1; j < n; j++, p++) {
      let r2 = 0;
      for (let q = 0; q < d; q++) r2 += d2[q]![p]! * inv[q]!;
      const r = Math.sqrt(r2);
      rr[p] = r;
      const v = signal * matern(r);
      k[i * n + j] = v;
      k[j * n + i] = v;
    }
  }
  if (!cholesky(k, n)) {
    grad.fill(0);
    return Number.POSITIVE_INFINITY;
  }
  const alpha = Float64Array.from(y);
  forwardSolve(k, n, alpha);
  backSolve(k, n, alpha);
  let logDet = 0;
  for (let i = 0; i < n; i++) logDet += log(k[i * n + i]!);
  let fit = 0;
  for (let i = 0; i < n; i++) fit += y[i]! * alpha[i]!;
  const lml = -0.5 * fit - logDet - 0.5 * n * LOG_2PI;
  const kinv = choleskyInverse(k, n);
  grad.fill(0);
  // ∂LML/∂θ = ½ tr((ααᵀ − K⁻¹) ∂K/∂θ); off-diagonal pairs count twice.
  let gSignal = 0;
  let gNoise = 0;
  for (let i = 0; i < n; i++) {
    const w = alpha[i]! * alpha[i]! - kinv[i * n + i]!;
    gSignal += 0.5 * w * signal;
    gNoise += 0.5 * w * en;
  }
  p = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++, p++) {
      const w = alpha[i]! * alpha[j]! - kinv[i * n + j]!;
      const r = rr[p]!;
      const e = exp(-SQRT5 * r);
      gSignal += w * signal * (1 + SQRT5 * r + (5 / 3) * r * r) * e;
      const c = w * signal * (5 / 3) * (1 + SQRT5 * r) * e;
      for (let q = 0; q < d; q++) grad[q] = grad[q]! + c * d2[q]![p]! * inv[q]!;
    }
  }
  grad[d] = gSignal;
  grad[d + 1] = gNoise;
  // Priors: ℓ ~ Gamma(3, 6) (mode 1/3, in log space 3θ − 6e^θ); log σ²_f ~ N(0, 2²); φ ~ N(−8, 4²).
  let prior = 0;
  for (let q = 0; q < d; q++) {
    const l = exp(theta[q]!);
    prior += 3 * theta[q]! - 6 * l;
    grad[q] = grad[q]! + 3 - 6 * l;
  }
  prior -= (theta[d]! * theta[d]!) / 8;
  grad[d] = grad[d]! - theta[d]! / 4;
  prior -= ((theta[d + 1]! + 8) * (theta[d + 1]! + 8)) / 32;
  grad[d + 1] = grad[d + 1]! - (theta[d + 1]! + 8) / 16;
  for (let q = 0; q < d + 2; q++) grad[q] = -grad[q]!;
  return -(lml + prior);
}

const THETA_LOW = (d: number, q: number) => (q < d ? log(1e-3) : q === d ? -8 : -25);
const THETA_HIGH = (d: number, q: number) => (q < d ? log(50) : q === d ? 8 : 2);

/** Minimises f by L-BFGS (memory 8) with backtracking, θ clipped to its box. */
function lbfgs(
  f: (x: Float64Array, g: Float64Array) => number,
  x0: Float64Array,
  d: number,
  maxIter: number,
): { x: Float64Array; f: number } {
  const m = x0.length;
  const clip = (x: Float64Array) => {
    for (let q = 0; q < m; q++) x[q] = Math.min(THETA_HIGH(d, q), Math.max(THETA_LOW(d, q), x[q]!));
  };
  const x = Float64Array.from(x0);
  clip(x);
  const g = new Float64Array(m);
  let fx = f(x, g);
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const dir = new Float64Array(m);
  const xn = new Float64Array(m);
  const gn = new Float64Array(m);
  for (let it = 0; it < maxIter && Number.isFinite(fx); it++) {
    let gmax = 0;
    for (let q = 0; q < m; q++) gmax = Math.max(gmax, Math.abs(g[q]!));
    if (gmax < 1e-5) break;
    // Two-loop recursion.
    dir.set(g);
    const a = new Float64Array(S.length);
    for (let h = S.length - 1; h >= 0; h--) {
      const rho = 1 / dot(Y[h]!, S[h]!);
      a[h] = rho * dot(S[h]!, dir);
      for (let q = 0; q < m; q++) dir[q] = dir[q]! - a[h]! * Y[h]![q]!;
    }
    const gamma =
      S.length > 0
        ? dot(S[S.length - 1]!, Y[Y.length - 1]!) / dot(Y[Y.length - 1]!, Y[Y.length - 1]!)
        : 1 / Math.max(1, gmax);
    for (let q = 0; q < m; q++) dir[q] = dir[q]! * gamma;
    for (let h = 0; h < S.length; h++) {
      const rho = 1 / dot(Y[h]!, S[h]!);
      const b = rho * dot(Y[h]!, dir);
      for (let q = 0; q < m; q++) dir[q] = dir[q]! + S[h]![q]! * (a[h]! - b);
    }
    for (let q = 0; q < m; q++) dir[q] = -dir[q]!;
    let slope = dot(g, dir);
    if (!(slope < 0)) {
      for (let q = 0; q < m; q++) dir[q] = -g[q]! / Math.max(1, gmax);
      slope = dot(g, dir);
      S.length = 0;
      Y.length = 0;
    }
    let step = 1;
    let fn = Number.POSITIVE_INFINITY;
    let ok = false;
    for (let ls = 0; ls < 20; ls++) {
      for (let q = 0; q < m; q++) xn[q] = x[q]! + step * dir[q]!;
      clip(xn);
      fn = f(xn, gn);
      if (Number.isFinite(fn) && fn <= fx + 1e-4 * step * slope) {
        ok = true;
        break;
      }
      step *= 0.5;
    }
    if (!ok) break;
    const s = new Float64Array(m);
    const yv = new Float64Array(m);
    for (let q = 0; q < m; q++) {
      s[q] = xn[q]! - x[q]!;
      yv[q] = gn[q]! - g[q]!;
    }
    if (dot(s, yv) > 1e-12) {
      S.push(s);
      Y.push(yv);
      if (S.length > 8) {
        S.shift();
        Y.shift();
      }
    }
    const improvement = fx - fn;
    x.set(xn);
    g.set(gn);
    fx = fn;
    if (improvement < 1e-9 * Math.max(1, Math.abs(fx))) break;
  }
  return { x, f: fx };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Fits the hyperparameters (MAP, two fixed starts) and factorises the kernel matrix. */
function fitGp(x: Float64Array, y: Float64Array, n: number, d: number): Gp {
  const pairs = (n * (n - 1)) / 2;
  const d2: Float64Array[] = [];
  for (let q = 0; q < d; q++) {
    const a = new Float64Array(pairs);
    let p = 0;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++, p++) {
        const t = x[i * d + q]! - x[j * d + q]!;
        a[p] = t * t;
      }
    }
    d2.push(a);
  }
  const f = (theta: Float64Array, g: Float64Array) => objective(theta, d2, y, n, g);
  let best: { x: Float64Array; f: number } | undefined;
  for (const [l0, n0] of [[0.5, -6]] as const) {
    const theta0 = new Float64Array(d + 2);
    for (let q = 0; q < d; q++) theta0[q] = log(l0);
    theta0[d] = 0;
    theta0[d + 1] = n0;
    const r = lbfgs(f, theta0, d, 40);
    if (best === undefined || r.f < best.f) best = r;
  }
  let theta = best!.x;
  if (!Number.isFinite(best!.f)) {
    theta = new Float64Array(d + 2);
    for (let q = 0; q < d; q++) theta[q] = log(0.5);
    theta[d + 1] = log(1e-2);
  }
  const invL2 = new Float64Array(d);
  const lengthscales = new Float64Array(d);
  for (let q = 0; q < d; q++) {
    lengthscales[q] = exp(theta[q]!);
    invL2[q] = exp(-2 * theta[q]!);
  }
  const signal = exp(theta[d]!);
  let noise = MIN_NOISE + exp(theta[d + 1]!);
  // Factorise; add jitter until positive definite (only for a degenerate history).
  for (;;) {
    const k = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      k[i * n + i] = signal + noise;
      for (let j = i + 1; j < n; j++) {
        let r2 = 0;
        for (let q = 0; q < d; q++) {
          const t = x[i * d + q]! - x[j * d + q]!;
          r2 += t * t * invL2[q]!;
        }
        const v = signal * matern(Math.sqrt(r2));
        k[i * n + j] = v;
        k[j * n + i] = v;
      }
    }
    if (cholesky(k, n)) {
      const alpha = Float64Array.from(y);
      forwardSolve(k, n, alpha);
      backSolve(k, n, alpha);
      return { n, d, x, invL2, lengthscales, signal, chol: k, alpha };
    }
    noise = noise * 10 + 1e-6;
  }
}

/** Log expected improvement below `best` of N(mu, sigma²), stable far in the tail. */
export function logEi(mu: number, sigma: number, best: number): number {
  const z = (best - mu) / sigma;
  if (z > -10) {
    const cdf = 0.5 * erfc(-z / Math.SQRT2);
    const pdf = exp(-0.5 * z * z - LOG_SQRT_2PI);
    return log(sigma) + log(Math.max(z * cdf + pdf, 1e-300));
  }
  // z·Φ(z) + φ(z) = φ(z) / z² · (1 − 3/z² + 15/z⁴ − 105/z⁶ + …) as z → −∞ (next term < 1e-5 here).
  const w = 1 / (z * z);
  const series = 1 - 3 * w + 15 * w * w - 105 * w * w * w;
  return log(sigma) - 0.5 * z * z - LOG_SQRT_2PI + log(w) + log(series);
}

class Acquisition {
  private readonly kstar: Float64Array;
  evaluations = 0;
  constructor(
    private readonly gp: Gp,
    private readonly best: number,
  ) {
    this.kstar = new Float64Array(gp.n);
  }

  value(u: Float64Array): number {
    const { n, d, x, invL2, signal, alpha, chol } = this.gp;
    const ks = this.kstar;
    let mu = 0;
    for (let i = 0; i < n; i++) {
      let r2 = 0;
      for (let q = 0; q < d; q++) {
        const t = u[q]! - x[i * d + q]!;
        r2 += t * t * invL2[q]!;
      }
      const v = signal * matern(Math.sqrt(r2));
      ks[i] = v;
      mu += v * alpha[i]!;
    }
    forwardSolve(chol, n, ks);
    let vv = 0;
    for (let i = 0; i < n; i++) vv += ks[i]! * ks[i]!;
    const sigma = Math.sqrt(Math.max(signal - vv, 1e-12 * signal));
    this.evaluations++;
    return logEi(mu, sigma, this.best);
  }
}

/** The unit point maximising log EI among seeded candidates, refined by a short (1+1)-ES. */
function maximiseEi(
  gp: Gp,
  data: TrainingData,
  stream: Stream,
  nCandidates: number,
  accept: (u: Float64Array) => boolean,
): Float64Array | undefined {
  const { d, n } = gp;
  let bestY = Number.POSITIVE_INFINITY;
  for (let i = 0; i < n; i++) bestY = Math.min(bestY, data.y[i]!);
  const acq = new Acquisition(gp, bestY);
  const clip = (v: number) => Math.min(1 - 1e-12, Math.max(0, v));
  const top: { u: Float64Array; a: number }[] = [];
  const keep = 32;
  const consider = (u: Float64Array) => {
    const a = acq.value(u);
    if (top.length === keep && !(a > top[keep - 1]!.a)) return;
    const entry = { u: Float64Array.from(u), a };
    let q = top.length === keep ? keep - 1 : top.length;
    while (q > 0 && a > top[q - 1]!.a) {
      top[q] = top[q - 1]!;
      q--;
    }
    top[q] = entry;
  };
  const u = new Float64Array(d);
  for (let c = 0; c < nCandidates; c++) {
    for (let q = 0; q < d; q++) u[q] = stream.float();
    consider(u);
  }
  // Around the best observed points, at two scales of their length scales.
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => data.y[a]! - data.y[b]! || a - b);
  for (const i of order.slice(0, 5)) {
    for (const scale of [0.2, 0.05]) {
      for (let c = 0; c < 24; c++) {
        for (let q = 0; q < d; q++)
          u[q] = clip(data.x[i * d + q]! + scale * Math.min(1, gp.lengthscales[q]!) * stream.normal());
        consider(u);
      }
    }
  }
  // A (1+1)-ES with the 1/5 success rule from each of the best candidates.
  const refined: { u: Float64Array; a: number }[] = [];
  for (const start of [...top.slice(0, 3)]) {
    const cur = Float64Array.from(start.u);
    let a = start.a;
    let step = 0.1;
    for (let it = 0; it < 40; it++) {
      for (let q = 0; q < d; q++)
        u[q] = clip(cur[q]! + step * Math.min(1, gp.lengthscales[q]!) * stream.normal());
      const b = acq.value(u);
      if (b > a) {
        a = b;
        cur.set(u);
        step = Math.min(0.5, step * 1.5);
      } else {
        step *= 0.85;
      }
    }
    refined.push({ u: cur, a });
  }
  // The best first (ties: refined before raw, then in order), the first acceptable one.
  const ranked = [...refined, ...top].map((e, i) => ({ ...e, i })).sort((x, y) => y.a - x.a || x.i - y.i);
  return ranked.find((e) => accept(e.u))?.u;
}
