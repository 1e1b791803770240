import { exp, log, pow } from '../math/index.js';
import { Stream } from '../rng/index.js';
import { fromUnit, isActive } from '../space/codec.js';
import type { ParamSpec, Params, SearchSpace } from '../space/types.js';
import { jacobiEigen } from './linalg.js';
import { unitDraw } from './random.js';
import { unitMapper } from './tpe.js';
import type { FinishedTrial, SampleContext, Sampler } from './types.js';

export interface CmaEsOptions {
  /** Initial step size in the unit cube. Default 1/6 (Optuna: a sixth of the smallest range). */
  sigma0?: number;
  /** Offspring per generation; default 4 + ⌊3 ln d⌋. */
  popsize?: number;
  /** Usable trials drawn at random before CMA-ES starts; they do not enter any generation. Default 1. */
  n_startup_trials?: number;
  /** 'ipop': on stagnation, restart from a seeded random mean with a doubled population. Default 'none'. */
  restart?: 'none' | 'ipop';
}

export const CMAES_DEFAULTS = {
  sigma0: 1 / 6,
  n_startup_trials: 1,
  restart: 'none',
} as const;

/** The state of one CMA-ES run in the unit cube of d dimensions. */
export class CmaState {
  readonly d: number;
  readonly lambda: number;
  readonly mu: number;
  readonly weights: Float64Array;
  readonly muEff: number;
  readonly cSigma: number;
  readonly dSigma: number;
  readonly cc: number;
  readonly c1: number;
  readonly cMu: number;
  readonly chiN: number;
  mean: Float64Array;
  sigma: number;
  /** Covariance C (row-major), its eigenvectors B (columns) and the square roots D of its eigenvalues. */
  c: Float64Array;
  b: Float64Array;
  dd: Float64Array;
  pSigma: Float64Array;
  pc: Float64Array;
  generation = 0;
  /** Best value of each generation, for the stagnation test. */
  readonly bests: number[] = [];

  constructor(d: number, lambda: number, mean: Float64Array, sigma: number) {
    this.d = d;
    this.lambda = lambda;
    this.mu = Math.floor(lambda / 2);
    const w = new Float64Array(this.mu);
    let sw = 0;
    for (let i = 0; i < this.mu; i++) {
      w[i] = log((lambda + 1) / 2) - log(i + 1);
      sw += w[i]!;
    }
    let sw2 = 0;
    for (let i = 0; i < this.mu; i++) {
      w[i] = w[i]! / sw;
      sw2 += w[i]! * w[i]!;
    }
    this.weights = w;
    const me = 1 / sw2;
    this.muEff = me;
    this.cSigma = (me + 2) / (d + me + 5);
    this.dSigma = 1 + 2 * Math.max(0, Math.sqrt((me - 1) / (d + 1)) - 1) + this.cSigma;
    this.cc = (4 + me / d) / (d + 4 + (2 * me) / d);
    this.c1 = 2 / ((d + 1.3) * (d + 1.3) + me);
    this.cMu = Math.min(1 - this.c1, (2 * (me - 2 + 1 / me)) / ((d + 2) * (d + 2) + me));
    this.chiN = Math.sqrt(d) * (1 - 1 / (4 * d) + 1 / (21 * d * d));
    this.mean = Float64Array.from(mean);
    this.sigma = sigma;
    this.c = new Float64Array(d * d);
    this.b = new Float64Array(d * d);
    for (let i = 0; i < d; i++) {
      this.c[i * d + i] = 1;
      this.b[i * d + i] = 1;
    }
    this.dd = new Float64Array(d).fill(1);
    this.pSigma = new Float64Array(d);
    this.pc = new Float64Array(d);
  }

  /** One draw from N(mean, σ²C), resampled (up to 100 times) until inside the cube, then clipped. */
  ask(stream: Stream): Float64Array {
    const { d } = this;
    const x = new Float64Array(d);
    const z = new Float64Array(d);
    for (let attempt = 0; attempt < 100; attempt++) {
      for (let i = 0; i < d; i++) z[i] = this.dd[i]! * stream.normal();
      let inside = true;
      for (let i = 0; i < d; i++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += this.b[i * d + k]! * z[k]!;
        x[i] = this.mean[i]! + this.sigma * s;
        if (!(x[i]! >= 0 && x[i]! <= 1)) inside = false;
      }
      if (inside) return x;
    }
    for (let i = 0; i < d; i++) x[i] = Math.min(1, Math.max(0, x[i]!));
    return x;
  }

  /** The update from one full generation: points and values (to minimise), ties by position. */
  tell(xs: Float64Array[], values: number[]): void {
    const { d, mu, weights } = this;
    const order = xs.map((_, i) => i).sort((a, b) => values[a]! - values[b]! || a - b);
    this.bests.push(values[order[0]!]!);
    this.generation++;
    const ys = order.slice(0, mu).map((i) => {
      const y = new Float64Array(d);
      for (let k = 0; k < d; k++) y[k] = (xs[i]![k]! - this.mean[k]!) / this.sigma;
      return y;
    });
    const yw = new Float64Array(d);
    for (let i = 0; i < mu; i++) for (let k = 0; k < d; k++) yw[k] = yw[k]! + weights[i]! * ys[i]![k]!;
    for (let k = 0; k < d; k++) this.mean[k] = this.mean[k]! + this.sigma * yw[k]!;
    // C^(-1/2)·y_w = B·D⁻¹·Bᵀ·y_w
    const t = new Float64Array(d);
    for (let k = 0; k < d; k++) {
      let s = 0;
      for (let i = 0; i < d; i++) s += this.b[i * d + k]! * yw[i]!;
      t[k] = s / this.dd[k]!;
    }
    const cy = new Float64Array(d);
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += this.b[i * d + k]! * t[k]!;
      cy[i] = s;
    }
    const cs = this.cSigma;
    const fs = Math.sqrt(cs * (2 - cs) * this.muEff);
    let norm = 0;
    for (let k = 0; k < d; k++) {
      this.pSigma[k] = (1 - cs) * this.pSigma[k]! + fs * cy[k]!;
      norm += this.pSigma[k]! * this.pSigma[k]!;
    }
    norm = Math.sqrt(norm);
    const hSigma =
      norm / Math.sqrt(1 - pow(1 - cs, 2 * this.generation)) < (1.4 + 2 / (d + 1)) * this.chiN ? 1 : 0;
    const fc = Math.sqrt(this.cc * (2 - this.cc) * this.muEff);
    for (let k = 0; k < d; k++) this.pc[k] = (1 - this.cc) * this.pc[k]! + hSigma * fc * yw[k]!;
    const decay = 1 - this.c1 - this.cMu + (1 - hSigma) * this.c1 * this.cc * (2 - this.cc);
    for (let i = 0; i < d; i++) {
      for (let j = 0; j <= i; j++) {
        let rankMu = 0;
        for (let q = 0; q < mu; q++) rankMu += weights[q]! * ys[q]![i]! * ys[q]![j]!;
        const v = decay * this.c[i * d + j]! + this.c1 * this.pc[i]! * this.pc[j]! + this.cMu * rankMu;
        this.c[i * d + j] = v;
        this.c[j * d + i] = v;
      }
    }
    this.sigma *= exp(Math.min(1, (cs / this.dSigma) * (norm / this.chiN - 1)));
    const { values: ev, vectors } = jacobiEigen(this.c, d);
    this.b = vectors;
    for (let k = 0; k < d; k++) this.dd[k] = Math.sqrt(Math.max(ev[k]!, 1e-20));
  }

  /** The stopping tests of the cmaes library (tolx, tolfun, condition number). */
  stagnated(): boolean {
    const { d } = this;
    let maxD = 0;
    let minD = Number.POSITIVE_INFINITY;
    for (let k = 0; k < d; k++) {
      maxD = Math.max(maxD, this.dd[k]!);
      minD = Math.min(minD, this.dd[k]!);
    }
    if ((maxD / minD) * (maxD / minD) > 1e14) return true;
    let tolx = true;
    for (let k = 0; k < d; k++) {
      if (this.sigma * Math.sqrt(this.c[k * d + k]!) > 1e-11 || this.sigma * Math.abs(this.pc[k]!) > 1e-11)
        tolx = false;
    }
    if (tolx) return true;
    const window = 10 + Math.ceil((30 * d) / this.lambda);
    if (this.bests.length >= window) {
      const recent = this.bests.slice(-window);
      if (Math.max(...recent) - Math.min(...recent) < 1e-12) return true;
    }
    return false;
  }
}

/**
 * CMA-ES (Hansen's (μ/μ_w, λ) evolution strategy), after Optuna's CmaEsSampler, in the unit cube of
 * the always-active numeric parameters; categorical and conditional parameters are drawn at random.
 *
 * Stateless: every call replays the run from the history. After the first `n_startup_trials`
 * usable trials, each λ consecutive usable trials (index order) form one generation, which updates
 * the distribution with the points as they were evaluated; the trial being sampled draws from the
 * distribution after the last complete generation, with its own stream. With `restart: 'ipop'`, a
 * stagnated run restarts from a seeded random mean with σ0 and twice the population.
 */
export class CmaEsSampler implements Sampler {
  readonly name = 'cmaes';
  readonly options: {
    sigma0: number;
    popsize: number | undefined;
    n_startup_trials: number;
    restart: 'none' | 'ipop';
  };

  constructor(options: CmaEsOptions = {}) {
    this.options = {
      sigma0: options.sigma0 ?? CMAES_DEFAULTS.sigma0,
      popsize: options.popsize,
      n_startup_trials: options.n_startup_trials ?? CMAES_DEFAULTS.n_startup_trials,
      restart: options.restart ?? CMAES_DEFAULTS.restart,
    };
  }

  sample(space: SearchSpace, history: readonly FinishedTrial[], ctx: SampleContext): Params {
    const specs = space.params.filter(
      (p) =>
        p.when === undefined &&
        (p.dist.type === 'float' || p.dist.type === 'int') &&
        !(p.dist.low === p.dist.high),
    );
    const unit = new Map<string, number>();
    const usable = history.filter(
      (t) => t.state !== 'failed' && typeof t.value === 'number' && Number.isFinite(t.value),
    );
    if (specs.length >= 1 && usable.length >= this.options.n_startup_trials) {
      const state = this.replay(specs, usable, ctx);
      const x = state.ask(Stream.of(ctx.seed, 'sampler', this.name, ctx.index, 'cma', 'vector'));
      for (let k = 0; k < specs.length; k++)
        unit.set(specs[k]!.name, Math.min(x[k]!, 1 - Number.EPSILON / 2));
    }
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

  /** The CMA-ES state after every complete generation in the history. */
  replay(specs: ParamSpec[], usable: readonly FinishedTrial[], ctx: SampleContext): CmaState {
    const d = specs.length;
    const mappers = specs.map((s) => unitMapper(s.dist));
    const sign = ctx.direction === 'minimize' ? 1 : -1;
    let lambda = this.options.popsize ?? 4 + Math.floor(3 * log(d));
    lambda = Math.max(2, lambda);
    let state = new CmaState(d, lambda, new Float64Array(d).fill(0.5), this.options.sigma0);
    let restarts = 0;
    let xs: Float64Array[] = [];
    let values: number[] = [];
    for (let i = this.options.n_startup_trials; i < usable.length; i++) {
      const t = usable[i]!;
      const x = new Float64Array(d);
      let ok = true;
      for (let k = 0; k < d; k++) {
        x[k] = mappers[k]!(t.params[specs[k]!.name]);
        if (Number.isNaN(x[k]!)) ok = false;
      }
      if (!ok) continue;
      xs.push(x);
      values.push(sign * t.value!);
      if (xs.length < state.lambda) continue;
      state.tell(xs, values);
      xs = [];
      values = [];
      if (this.options.restart === 'ipop' && state.stagnated()) {
        restarts++;
        const s = Stream.of(ctx.seed, 'sampler', this.name, 'restart', restarts);
        const mean = new Float64Array(d);
        for (let k = 0; k < d; k++) mean[k] = s.float();
        state = new CmaState(d, state.lambda * 2, mean, this.options.sigma0);
      }
    }
    return state;
  }
}
