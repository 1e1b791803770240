import { Stream } from '../rng/index.js';
import { canonicalParams, cardinality, decodeParams, fromUnit, isActive } from '../space/codec.js';
import type { ParamSpec, Params, SearchSpace } from '../space/types.js';
import { hypervolume, hypervolumeContributions } from './hypervolume.js';
import { fastNonDominatedSort, type ParetoPoint, paretoPoints, studyDirections } from './pareto.js';
import { CategoricalParzen, NumericParzen, observationWeights } from './parzen.js';
import { unitDraw } from './random.js';
import { stopAt, TPE_DEFAULTS, TpeSampler, unitMapper } from './tpe.js';
import type { FinishedTrial, SampleContext, Sampler } from './types.js';

export interface MotpeOptions {
  /** Complete trials sampled at random before MOTPE starts. Default 10. */
  n_startup_trials?: number;
  /** Candidates drawn from l(x) per parameter. Default 24. */
  n_ei_candidates?: number;
  /** Fraction of the complete trials that are "good": n_below = min(ceil(gamma·n), gamma_cap). Default 0.1. */
  gamma?: number;
  /** Cap on the number of good trials. Default 25. */
  gamma_cap?: number;
  /** Weight of the prior kernel in each estimator. Default 1. */
  prior_weight?: number;
}

export const MOTPE_DEFAULTS: Required<MotpeOptions> = {
  n_startup_trials: TPE_DEFAULTS.n_startup_trials,
  n_ei_candidates: TPE_DEFAULTS.n_ei_candidates,
  gamma: TPE_DEFAULTS.gamma,
  gamma_cap: TPE_DEFAULTS.gamma_cap,
  prior_weight: TPE_DEFAULTS.prior_weight,
};

/** Optuna's EPS: the weight of an infeasible good trial, and the floor of a contribution. */
const EPS = 1e-12;
const DEDUP_TPE_ATTEMPTS = 4;
const DEDUP_RANDOM_ATTEMPTS = 64;

/**
 * Multi-objective TPE (Ozaki et al. 2020, 2022), as Optuna 3.1's TPESampler does it for a study with
 * several objectives (univariate):
 *
 * - usable trials: complete, with a finite value per objective (pruned and failed ones are left out);
 * - the n_below = min(ceil(gamma·n), gamma_cap) good trials: with constraints, the feasible ones first,
 *   then by total violation (all feasible when there are enough); among feasible trials, whole
 *   fronts of the non-dominated sort while they fit, then the rest from the next front by greedy
 *   hypervolume subset selection (Optuna's `_solve_hssp`, first wins on ties), the reference point
 *   max(1.1·worst, 0.9·worst) of that front (0 → 1e-12);
 * - l(x)'s kernels are weighted by each good trial's hypervolume contribution within the good set
 *   (+1e-12, divided by the largest; infeasible ones get 1e-12), g(x)'s as TPE's;
 * - per parameter, `n_ei_candidates` draws from l(x), the best log l − log g kept (first wins).
 *
 * With one objective and no constraints it is exactly the TPE sampler (`TpeSampler`, same options).
 * All randomness comes from `Stream.of(seed, 'sampler', 'motpe', index, param)`. In a finite space a
 * proposal already in the history is replaced as TPE does (fresh candidates, then uniform draws).
 * Deterministic under the lag rule like every sampler: a pure function of (space, history, ctx).
 */
export class MotpeSampler implements Sampler {
  readonly name = 'motpe';
  readonly options: Required<MotpeOptions>;
  private readonly tpe: TpeSampler;

  constructor(options: MotpeOptions = {}) {
    this.options = {
      n_startup_trials: options.n_startup_trials ?? MOTPE_DEFAULTS.n_startup_trials,
      n_ei_candidates: options.n_ei_candidates ?? MOTPE_DEFAULTS.n_ei_candidates,
      gamma: options.gamma ?? MOTPE_DEFAULTS.gamma,
      gamma_cap: options.gamma_cap ?? MOTPE_DEFAULTS.gamma_cap,
      prior_weight: options.prior_weight ?? MOTPE_DEFAULTS.prior_weight,
    };
    this.tpe = new TpeSampler(this.options);
  }

  sample(space: SearchSpace, history: readonly FinishedTrial[], ctx: SampleContext): Params {
    const directions = studyDirections(ctx);
    const { trials, points, constrained } = paretoPoints(history, directions);
    if (directions.length === 1 && !constrained) return this.tpe.sample(space, history, ctx);
    const n = trials.length;
    const startup = n === 0 || n < this.options.n_startup_trials;
    let parts: MotpeParts | undefined;
    if (!startup) {
      const nBelow = Math.max(1, Math.min(Math.ceil(this.options.gamma * n), this.options.gamma_cap, n));
      const below = splitMultiObjective(points, nBelow);
      const isBelow = new Uint8Array(n);
      for (const p of below) isBelow[p] = 1;
      const belowWeights = directions.length === 1 ? undefined : belowWeightsOf(points, below);
      parts = {
        below: below.map((p) => trials[p]!),
        belowWeights,
        above: trials.filter((_, p) => isBelow[p] === 0),
      };
    }
    const first =
      parts === undefined
        ? decodeParams(space, (spec) => unitDraw(ctx, this.name, spec.name))
        : this.propose(space, parts, ctx, 0);
    if (!space.params.every((p) => cardinality(p.dist) !== undefined)) return first;
    const key = (p: Params) => JSON.stringify(canonicalParams(p));
    const tried = new Set(history.map((t) => key(t.params)));
    if (!tried.has(key(first))) return first;
    for (let attempt = 1; attempt <= DEDUP_TPE_ATTEMPTS + DEDUP_RANDOM_ATTEMPTS; attempt++) {
      const p =
        attempt <= DEDUP_TPE_ATTEMPTS && parts !== undefined
          ? this.propose(space, parts, ctx, attempt)
          : decodeParams(space, (spec) =>
              Stream.of(ctx.seed, 'sampler', this.name, ctx.index, spec.name, 'dedup', attempt).float(),
            );
      if (!tried.has(key(p))) return p;
    }
    return first;
  }

  private propose(space: SearchSpace, parts: MotpeParts, ctx: SampleContext, attempt: number): Params {
    const out: Params = {};
    for (const spec of space.params) {
      if (!isActive(spec, out)) continue;
      out[spec.name] =
        spec.dist.type === 'fixed'
          ? spec.dist.value
          : fromUnit(spec.dist, this.sampleOne(spec, parts, ctx, attempt));
    }
    return out;
  }

  /** One parameter from its pair of estimators, fitted on the trials where it is set; a unit value. */
  private sampleOne(spec: ParamSpec, parts: MotpeParts, ctx: SampleContext, attempt: number): number {
    const stream =
      attempt === 0
        ? Stream.of(ctx.seed, 'sampler', this.name, ctx.index, spec.name)
        : Stream.of(ctx.seed, 'sampler', this.name, ctx.index, spec.name, 'retry', attempt);
    const toU = unitMapper(spec.dist);
    const lo: number[] = [];
    const loW: number[] = [];
    parts.below.forEach((t, j) => {
      const u = toU(t.params[spec.name]);
      if (Number.isNaN(u)) return;
      lo.push(u);
      loW.push(parts.belowWeights?.[j] ?? 1);
    });
    const hi: number[] = [];
    for (const t of parts.above) {
      const u = toU(t.params[spec.name]);
      if (!Number.isNaN(u)) hi.push(u);
    }
    const pw = this.options.prior_weight;
    const nc = this.options.n_ei_candidates;
    // One objective (with constraints): TPE's weights by recency over the trials where the parameter is set.
    const weightsOf = (w: number[]) =>
      parts.belowWeights === undefined ? observationWeights(w.length) : Float64Array.from(w);
    if (spec.dist.type === 'categorical') {
      const k = spec.dist.choices.length;
      const index = (us: number[]) => Int32Array.from(us, (u) => Math.min(k - 1, Math.floor(u * k)));
      const l = new CategoricalParzen(k, index(lo), weightsOf(loW), pw);
      const g = new CategoricalParzen(k, index(hi), observationWeights(hi.length), pw);
      let best = 0;
      let bestScore = Number.NEGATIVE_INFINITY;
      for (let c = 0; c < nc; c++) {
        const x = l.sample(stream);
        const score = l.logPmf(x) - g.logPmf(x);
        if (score > bestScore) {
          bestScore = score;
          best = x;
        }
      }
      return (best + 0.5) / k;
    }
    const l = new NumericParzen(Float64Array.from(lo), weightsOf(loW), pw);
    const g = new NumericParzen(Float64Array.from(hi), observationWeights(hi.length), pw);
    let best = 0.5;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < nc; c++) {
      const x = l.sample(stream);
      const lx = l.logPdf(x);
      // As TPE: g(x) stops early once the candidate cannot beat the best (the same proposal).
      const score = lx - g.logPdf(x, stopAt(lx, bestScore));
      if (score > bestScore) {
        bestScore = score;
        best = x;
      }
    }
    return best;
  }
}

interface MotpeParts {
  /** The good trials in index order, with the weights of their kernels in l(x) (undefined: TPE's). */
  below: FinishedTrial[];
  belowWeights: Float64Array | undefined;
  /** The other usable trials in index order. */
  above: FinishedTrial[];
}

/** Optuna's reference point for a set of losses: per objective max(1.1·worst, 0.9·worst), 0 → EPS. */
export function nadirReference(losses: readonly (readonly number[])[]): number[] {
  const m = losses[0]!.length;
  const ref: number[] = [];
  for (let k = 0; k < m; k++) {
    let worst = Number.NEGATIVE_INFINITY;
    for (const l of losses) if (l[k]! > worst) worst = l[k]!;
    const r = Math.max(1.1 * worst, 0.9 * worst);
    ref.push(r === 0 ? EPS : r);
  }
  return ref;
}

/**
 * The positions (ascending) of the `nBelow` good points (Optuna 3.1's `_split_observation_pairs`):
 * with constraints, by violation first (all feasible when there are at least nBelow feasible
 * points); then whole non-domination fronts, then a greedy hypervolume subset of the next front.
 */
export function splitMultiObjective(points: readonly ParetoPoint[], nBelow: number): number[] {
  const n = points.length;
  if (nBelow >= n) return points.map((_, p) => p);
  if (points.some((p) => p.violation !== undefined)) {
    // Stable by violation: ties (the feasible ones, at 0) stay in index order.
    const byViolation = points
      .map((_, p) => p)
      .sort((a, b) => cmp(points[a]!.violation!, points[b]!.violation!) || a - b);
    if (points[byViolation[nBelow]!]!.violation! > 0)
      return byViolation.slice(0, nBelow).sort((a, b) => a - b);
    const feasible = byViolation.filter((p) => points[p]!.violation === 0);
    const sub = splitMultiObjective(
      feasible.map((p) => ({ index: points[p]!.index, losses: points[p]!.losses })),
      nBelow,
    );
    return sub.map((s) => feasible[s]!).sort((a, b) => a - b);
  }
  if (points[0]!.losses.length === 1) {
    // One objective: the nBelow lowest losses, ties by index (Optuna's stable argsort).
    const order = points
      .map((_, p) => p)
      .sort((a, b) => cmp(points[a]!.losses[0]!, points[b]!.losses[0]!) || a - b);
    return order.slice(0, nBelow).sort((a, b) => a - b);
  }
  const fronts = fastNonDominatedSort(points, nBelow);
  const below: number[] = [];
  let r = 0;
  while (r < fronts.length && below.length + fronts[r]!.length <= nBelow) below.push(...fronts[r++]!);
  const rest = nBelow - below.length;
  if (rest > 0) {
    const front = fronts[r]!;
    const losses = front.map((p) => points[p]!.losses);
    for (const s of greedyHypervolumeSubset(losses, rest, nadirReference(losses))) below.push(front[s]!);
  }
  return below.sort((a, b) => a - b);
}

const cmp = (a: number, b: number) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Greedy hypervolume subset selection (Optuna's `_solve_hssp`): `k` positions of `losses` in the
 * order chosen, each time the point with the largest contribution to the chosen set (first wins).
 */
export function greedyHypervolumeSubset(
  losses: readonly (readonly number[])[],
  k: number,
  reference: readonly number[],
): number[] {
  const contributions = losses.map((l) => hypervolume([l], reference));
  const selected: (readonly number[])[] = [];
  const chosen: number[] = [];
  let hvSelected = 0;
  while (chosen.length < k && chosen.length < losses.length) {
    let best = -1;
    for (let j = 0; j < losses.length; j++) {
      if (contributions[j] === -1) continue;
      if (best < 0 || contributions[j]! > contributions[best]!) best = j;
    }
    contributions[best] = -1;
    const s = losses[best]!;
    for (let j = 0; j < losses.length; j++) {
      if (contributions[j] === -1) continue;
      const v = losses[j]!;
      const meet = v.map((x, q) => Math.max(x, s[q]!));
      contributions[j] = contributions[j]! - (hypervolume([...selected, meet], reference) - hvSelected);
    }
    selected.push(s);
    chosen.push(best);
    hvSelected = hypervolume(selected, reference);
  }
  return chosen;
}

/**
 * The weights of the good trials' kernels (Optuna 3.1's `_calculate_weights_below_for_multi_objective`):
 * the hypervolume contribution of each feasible good trial within the feasible good set, against
 * that set's reference point, plus EPS, divided by the largest (1 for a single one); EPS for an
 * infeasible one.
 */
export function belowWeightsOf(points: readonly ParetoPoint[], below: readonly number[]): Float64Array {
  const out = new Float64Array(below.length).fill(EPS);
  const feasible = below.map((p, j) => [p, j] as const).filter(([p]) => (points[p]!.violation ?? 0) === 0);
  if (feasible.length === 0) return out;
  if (feasible.length === 1) {
    out[feasible[0]![1]] = 1;
    return out;
  }
  const losses = feasible.map(([p]) => points[p]!.losses);
  const c = hypervolumeContributions(losses, nadirReference(losses));
  let max = Number.NEGATIVE_INFINITY;
  for (let f = 0; f < c.length; f++) {
    c[f] = c[f]! + EPS;
    if (c[f]! > max) max = c[f]!;
  }
  feasible.forEach(([, j], f) => {
    out[j] = Math.min(1, Math.max(0, c[f]! / max));
  });
  return out;
}
