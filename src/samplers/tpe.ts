import { exp, log, pow } from '../math/index.js';
import { Stream } from '../rng/index.js';
import {
  canonicalParams,
  cardinality,
  decodeParams,
  fromUnit,
  isActive,
  toUnit,
  tryToUnit,
} from '../space/codec.js';
import type { Distribution, ParamSpec, Params, ParamValue, SearchSpace } from '../space/types.js';
import type { Direction } from '../types.js';
import {
  CategoricalParzen,
  drawIndex,
  logKernelNorm,
  NumericParzen,
  observationWeights,
  ParzenScratch,
  truncatedNormal,
} from './parzen.js';
import { unitDraw } from './random.js';
import type { FinishedTrial, SampleContext, Sampler } from './types.js';

export interface TpeOptions {
  /** Trials sampled at random before TPE starts (counting usable trials only). Default 10. */
  n_startup_trials?: number;
  /** Candidates drawn from l(x) per parameter (or per joint vector). Default 24. */
  n_ei_candidates?: number;
  /** Fraction of the usable trials that are "good": n_below = min(ceil(gamma·n), gamma_cap). Default 0.1. */
  gamma?: number;
  /** Cap on the number of good trials. Default 25. */
  gamma_cap?: number;
  /** Weight of the prior kernel in each estimator. Default 1. */
  prior_weight?: number;
  /** Joint kernels over the always-active parameters; conditional ones stay univariate. Default false. */
  multivariate?: boolean;
}

export const TPE_DEFAULTS: Required<TpeOptions> = {
  n_startup_trials: 10,
  n_ei_candidates: 24,
  gamma: 0.1,
  gamma_cap: 25,
  prior_weight: 1,
  multivariate: false,
};

const SIGMA0_MAGNITUDE = 0.2;
/** In a finite space, proposals from fresh TPE candidates, then uniform draws, before a duplicate is accepted. */
const DEDUP_TPE_ATTEMPTS = 4;
const DEDUP_RANDOM_ATTEMPTS = 64;

/** True when every parameter takes finitely many values (categorical, int, stepped float, fixed). */
function isFiniteSpace(space: SearchSpace): boolean {
  return space.params.every((p) => cardinality(p.dist) !== undefined);
}

/** A key naming a point: its params with sorted keys. */
function paramsKey(p: Params): string {
  return JSON.stringify(canonicalParams(p));
}

/**
 * Tree-structured Parzen Estimator, after Optuna's TPESampler, in the shared unit space.
 *
 * Usable trials (complete or pruned, with a finite value; failed ones are excluded) are ranked
 * by value in the study's direction, ties by index; the best n_below form l(x), the rest g(x).
 * For each active parameter, parents first, the estimators are fitted only on the trials where
 * that parameter was set; `n_ei_candidates` draws from l(x) are scored by log l(x) − log g(x)
 * and the best is kept (first wins on ties). All randomness comes from per-parameter streams
 * `Stream.of(seed, 'sampler', 'tpe', index, param)`. In a finite space (every parameter discrete),
 * a proposal equal to a trial of the history is replaced by one from fresh candidates (up to 4
 * times), then by uniform draws (up to 64; the startup draws too), so that the search does not stall on one point.
 *
 * Cost per call: O(n) for the bandwidths plus O(candidates · window) kernel evaluations per
 * parameter, with n the number of usable trials. Between calls the sampler keeps each usable trial's
 * unit values and their sorted order (see {@link HistoryCache}), so a history grown by appending
 * (as the lag rule's are) costs no sort; the numbers are bit for bit those of a fresh sampler.
 */
export class TpeSampler implements Sampler {
  readonly name = 'tpe';
  readonly options: Required<TpeOptions>;
  /** The usable trials seen so far, per parameter; a pure cache: the numbers are those of a fresh sampler. */
  private readonly cache = new HistoryCache();

  constructor(options: TpeOptions = {}) {
    this.options = {
      n_startup_trials: options.n_startup_trials ?? TPE_DEFAULTS.n_startup_trials,
      n_ei_candidates: options.n_ei_candidates ?? TPE_DEFAULTS.n_ei_candidates,
      gamma: options.gamma ?? TPE_DEFAULTS.gamma,
      gamma_cap: options.gamma_cap ?? TPE_DEFAULTS.gamma_cap,
      prior_weight: options.prior_weight ?? TPE_DEFAULTS.prior_weight,
      multivariate: options.multivariate ?? TPE_DEFAULTS.multivariate,
    };
  }

  sample(space: SearchSpace, history: readonly FinishedTrial[], ctx: SampleContext): Params {
    const usable = history.filter(
      (t) => t.state !== 'failed' && typeof t.value === 'number' && Number.isFinite(t.value),
    );
    const startup = usable.length === 0 || usable.length < this.options.n_startup_trials;
    let parts: Parts | undefined;
    if (!startup) {
      if (this.cache.sync(space, usable)) {
        parts = withAbove(this.cache.below(ctx.direction, this.options), usable);
        parts.view = this.cache.view(parts.below);
      } else {
        parts = split(usable, ctx.direction, this.options);
      }
    }
    const first =
      parts === undefined
        ? decodeParams(space, (spec) => unitDraw(ctx, this.name, spec.name))
        : this.propose(space, parts, ctx, 0);
    if (!isFiniteSpace(space)) return first;
    // In a finite space, a point already tried teaches nothing: TPE's argmax would keep
    // proposing it (l/g only grows with each copy). Retry with fresh candidates, then at random.
    const tried = new Set(history.map((t) => paramsKey(t.params)));
    if (!tried.has(paramsKey(first))) return first;
    for (let attempt = 1; attempt <= DEDUP_TPE_ATTEMPTS + DEDUP_RANDOM_ATTEMPTS; attempt++) {
      const p =
        attempt <= DEDUP_TPE_ATTEMPTS && parts !== undefined
          ? this.propose(space, parts, ctx, attempt)
          : decodeParams(space, (spec) =>
              Stream.of(ctx.seed, 'sampler', this.name, ctx.index, spec.name, 'dedup', attempt).float(),
            );
      if (!tried.has(paramsKey(p))) return p;
    }
    return first;
  }

  /** One proposal; `attempt` > 0 draws its candidates from streams of its own. */
  private propose(space: SearchSpace, parts: Parts, ctx: SampleContext, attempt: number): Params {
    let joint = new Map<string, number>();
    if (this.options.multivariate) {
      const specs = space.params.filter((p) => p.dist.type !== 'fixed' && p.when === undefined);
      if (specs.length >= 2) joint = this.sampleJoint(specs, parts.below, parts.above, ctx, attempt);
    }
    const out: Params = {};
    for (const spec of space.params) {
      if (!isActive(spec, out)) continue;
      if (spec.dist.type === 'fixed') {
        out[spec.name] = spec.dist.value;
        continue;
      }
      const u = joint.get(spec.name) ?? this.sampleOne(spec, parts, ctx, attempt);
      out[spec.name] = fromUnit(spec.dist, u);
    }
    return out;
  }

  /** One parameter from its own pair of estimators; returns a unit value. */
  private sampleOne(spec: ParamSpec, parts: Parts, ctx: SampleContext, attempt: number): number {
    const stream =
      attempt === 0
        ? Stream.of(ctx.seed, 'sampler', this.name, ctx.index, spec.name)
        : Stream.of(ctx.seed, 'sampler', this.name, ctx.index, spec.name, 'retry', attempt);
    const pw = this.options.prior_weight;
    const nc = this.options.n_ei_candidates;
    const track = parts.view?.track(spec);
    const toU = unitMapper(spec.dist);
    const lo = track !== undefined ? track.below() : observations(spec, parts.below, toU);
    if (spec.dist.type === 'categorical') {
      const k = spec.dist.choices.length;
      const hi = track !== undefined ? track.above() : observations(spec, parts.above, toU);
      const l = new CategoricalParzen(k, toIndices(lo, k), observationWeights(lo.length), pw);
      const hw = parts.view?.weights(hi.length) ?? observationWeights(hi.length);
      const g = new CategoricalParzen(k, toIndices(hi, k), hw, pw);
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
    const l = new NumericParzen(lo, observationWeights(lo.length), pw);
    let g: NumericParzen;
    if (track !== undefined) {
      const { mus, weights } = track.aboveSorted();
      g = new NumericParzen(mus, weights, pw, true, this.cache.gScratch);
    } else {
      const hi = observations(spec, parts.above, toU);
      g = new NumericParzen(hi, observationWeights(hi.length), pw);
    }
    let best = 0.5;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < nc; c++) {
      const x = l.sample(stream);
      const lx = l.logPdf(x);
      const score = lx - g.logPdf(x, stopAt(lx, bestScore));
      if (score > bestScore) {
        bestScore = score;
        best = x;
      }
    }
    return best;
  }

  /** The always-active parameters as one vector: joint kernels, one kernel of l per candidate. */
  private sampleJoint(
    specs: ParamSpec[],
    below: FinishedTrial[],
    above: FinishedTrial[],
    ctx: SampleContext,
    attempt: number,
  ): Map<string, number> {
    // One part longer than a parameter's path, so that no parameter name can share this stream.
    const stream =
      attempt === 0
        ? Stream.of(ctx.seed, 'sampler', this.name, ctx.index, 'joint', 'vector')
        : Stream.of(ctx.seed, 'sampler', this.name, ctx.index, 'joint', 'vector', attempt);
    const l = new JointParzen(specs, below, this.options.prior_weight);
    const g = new JointParzen(specs, above, this.options.prior_weight);
    const x = new Float64Array(specs.length);
    const best = new Float64Array(specs.length);
    let bestScore = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < this.options.n_ei_candidates; c++) {
      l.sample(stream, x);
      const score = l.logPdf(x) - g.logPdf(x);
      if (score > bestScore) {
        bestScore = score;
        best.set(x);
      }
    }
    return new Map(specs.map((s, d) => [s.name, best[d]!]));
  }
}

/**
 * Splits usable trials into the n_below best in the study's direction (ties by index) and the
 * rest; both parts in index order. A top-k selection, O(n · n_below) at worst, not a full sort.
 */
export function split(
  usable: readonly FinishedTrial[],
  direction: Direction,
  options: Pick<Required<TpeOptions>, 'gamma' | 'gamma_cap'>,
): { below: FinishedTrial[]; above: FinishedTrial[] } {
  const n = usable.length;
  const k = Math.max(1, Math.min(Math.ceil(options.gamma * n), options.gamma_cap, n));
  const best = insertBest([], usable, 0, k, betterIn(direction));
  return withAbove(best.sort(byIndex), usable);
}

const byIndex = (a: FinishedTrial, b: FinishedTrial) => a.index - b.index;

/** The ranking of usable trials: better value in the study's direction, ties by index (a strict total order). */
function betterIn(direction: Direction) {
  const sign = direction === 'minimize' ? 1 : -1;
  return (a: FinishedTrial, b: FinishedTrial) =>
    sign * a.value! < sign * b.value! || (a.value === b.value && a.index < b.index);
}

/** Keeps `best` the k best (in ranking order) of itself and trials[from..]: an insertion into a top-k list. */
function insertBest(
  best: FinishedTrial[],
  trials: readonly FinishedTrial[],
  from: number,
  k: number,
  better: (a: FinishedTrial, b: FinishedTrial) => boolean,
): FinishedTrial[] {
  for (let i = from; i < trials.length; i++) {
    const t = trials[i]!;
    if (best.length === k && !better(t, best[k - 1]!)) continue;
    let q = best.length === k ? k - 1 : best.length;
    while (q > 0 && better(t, best[q - 1]!)) {
      best[q] = best[q - 1]!;
      q--;
    }
    best[q] = t;
  }
  return best;
}

/** `below` (in index order) and the rest of `usable` in index order, built when first read. */
function withAbove(
  below: FinishedTrial[],
  usable: readonly FinishedTrial[],
): { below: FinishedTrial[]; above: FinishedTrial[] } {
  // `above` is built when first read: TPE's cache (see HistoryCache) does without it.
  let above: FinishedTrial[] | undefined;
  const rest = () => {
    const chosen = new Set(below);
    const out = usable.filter((t) => !chosen.has(t));
    let sorted = true;
    for (let i = 1; i < out.length && sorted; i++) sorted = out[i - 1]!.index <= out[i]!.index;
    return sorted ? out : out.sort(byIndex);
  };
  return {
    below,
    get above() {
      above ??= rest();
      return above;
    },
  };
}

/**
 * The density of g(x) from which a candidate with log l(x) = `lx` cannot beat `bestScore`: with p_g(x) >=
 * exp(lx − bestScore)·(1 + 1e-6), log l − log g < bestScore − 0.99e-6, a margin far above the roundings of
 * exp, log and the subtraction (~1e-13 for |lx − bestScore| <= 700). Infinity (never stop) when lx or
 * bestScore is not finite or the difference is out of that range. The score a stopped candidate gets
 * (−Infinity) loses as its exact score would have: the proposal is the same.
 */
export function stopAt(lx: number, bestScore: number): number {
  const d = lx - bestScore;
  return Number.isFinite(lx) && Number.isFinite(bestScore) && d > -700 && d < 700
    ? exp(d) * (1 + 1e-6)
    : Number.POSITIVE_INFINITY;
}

/** A split of the usable trials, with the cache's view of it when the cache holds those trials. */
interface Parts {
  below: FinishedTrial[];
  above: FinishedTrial[];
  view?: CacheView;
}

/** A typed array at least `n` long: `a` itself, or a copy of it twice as long. */
function grow<T extends Float64Array | Int32Array>(a: T, n: number, make: (n: number) => T): T {
  if (a.length >= n) return a;
  const b = make(Math.max(n, 2 * a.length, 16));
  b.set(a);
  return b;
}

/**
 * One parameter over the usable trials, in history order: each trial's unit value (NaN where the
 * parameter is unset or outside its distribution), the trials where it is set ("active", by rank),
 * and those ranks in order of (unit value, rank) — the order `sortUnit` gives over the same values.
 */
class Track {
  units = new Float64Array(0);
  active = new Int32Array(0);
  nActive = 0;
  sortedRank = new Int32Array(0);
  sortedVal = new Float64Array(0);

  constructor(
    readonly name: string,
    readonly toU: (v: ParamValue | undefined) => number,
  ) {}

  /** Appends the trial at usable position `pos`. */
  push(pos: number, t: FinishedTrial): void {
    const u = this.toU(t.params[this.name]);
    this.units = grow(this.units, pos + 1, (n) => new Float64Array(n));
    this.units[pos] = u;
    if (Number.isNaN(u)) return;
    const r = this.nActive++;
    this.active = grow(this.active, r + 1, (n) => new Int32Array(n));
    this.active[r] = pos;
    this.sortedRank = grow(this.sortedRank, r + 1, (n) => new Int32Array(n));
    this.sortedVal = grow(this.sortedVal, r + 1, (n) => new Float64Array(n));
    // After every value <= u: rank r is the largest so far, so it goes last among equal values.
    const vals = this.sortedVal;
    let lo = 0;
    let hi = r;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (vals[mid]! <= u) lo = mid + 1;
      else hi = mid;
    }
    vals.copyWithin(lo + 1, lo, r);
    this.sortedRank.copyWithin(lo + 1, lo, r);
    vals[lo] = u;
    this.sortedRank[lo] = r;
  }
}

/** One call's view of the cache: the usable positions of the good trials. */
class CacheView {
  constructor(
    private readonly cache: HistoryCache,
    /** Usable positions of the below trials, ascending. */
    private readonly belowPos: Int32Array,
    /** Per usable position: 1 for a below trial. */
    private readonly isBelow: Uint8Array,
  ) {}

  /** `observationWeights(n)`, shared between parameters: read only. */
  weights(n: number): Float64Array {
    return this.cache.weights(n);
  }

  track(spec: ParamSpec): TrackView | undefined {
    const t = this.cache.tracks.get(spec.name);
    return t === undefined ? undefined : new TrackView(t, this.belowPos, this.isBelow, this.cache);
  }
}

/** What `observations` gives over below and above, and above's values in sorted order with their weights. */
class TrackView {
  constructor(
    private readonly t: Track,
    private readonly belowPos: Int32Array,
    private readonly isBelow: Uint8Array,
    private readonly cache: HistoryCache,
  ) {}

  /** The unit values of the below trials where the parameter is set, in index order. */
  below(): Float64Array {
    const { units } = this.t;
    const out = new Float64Array(this.belowPos.length);
    let n = 0;
    for (let i = 0; i < this.belowPos.length; i++) {
      const u = units[this.belowPos[i]!]!;
      if (!Number.isNaN(u)) out[n++] = u;
    }
    return out.subarray(0, n);
  }

  /** The unit values of the above trials where the parameter is set, in index order. */
  above(): Float64Array {
    const { units, active, nActive } = this.t;
    const isBelow = this.isBelow;
    const out = this.cache.inputScratch.array(2, nActive); // valid until the next call: g(x) copies it
    let n = 0;
    for (let r = 0; r < nActive; r++) {
      const p = active[r]!;
      if (isBelow[p] === 0) out[n++] = units[p]!;
    }
    return out.subarray(0, n);
  }

  /**
   * The above trials' unit values sorted as `sortUnit` sorts `above()` (by value, ties by position),
   * with each its weight from `observationWeights` over `above()`.
   */
  aboveSorted(): { mus: Float64Array; weights: Float64Array } {
    const { active, nActive, sortedRank, sortedVal } = this.t;
    const isBelow = this.isBelow;
    // Position of each active rank in above() (undefined for below trials: skipped).
    if (this.cache.rankScratch.length < nActive) {
      this.cache.rankScratch = new Int32Array(Math.max(nActive, 2 * this.cache.rankScratch.length));
    }
    const at = this.cache.rankScratch;
    let skipped = 0;
    for (let r = 0; r < nActive; r++) {
      if (isBelow[active[r]!] === 1) skipped++;
      else at[r] = r - skipped;
    }
    const n = nActive - skipped;
    const w = this.cache.weights(n);
    // Valid until the next call: g(x) copies them.
    const mus = this.cache.inputScratch.array(0, n);
    const weights = this.cache.inputScratch.array(1, n);
    let p = 0;
    for (let i = 0; i < nActive; i++) {
      const r = sortedRank[i]!;
      if (isBelow[active[r]!] === 1) continue;
      mus[p] = sortedVal[i]!;
      weights[p++] = w[at[r]!]!;
    }
    return { mus, weights };
  }
}

/**
 * The usable trials a TPE sampler has seen, per parameter of the space (see {@link Track}). A call whose
 * usable trials extend the cached ones (the same objects, in the same order, indices increasing) appends
 * the new ones; any other call starts it anew. A pure cache: every number is that of a fresh computation.
 */
class HistoryCache {
  private space: SearchSpace | undefined;
  private trials: FinishedTrial[] = [];
  private readonly pos = new Map<FinishedTrial, number>();
  readonly tracks = new Map<string, Track>();
  private isBelow = new Uint8Array(0);
  /** Arrays reused by every call: g(x)'s estimator, which lives for one parameter of one call, and its inputs. */
  readonly gScratch = new ParzenScratch();
  readonly inputScratch = new ParzenScratch();
  rankScratch = new Int32Array(0);

  /** Brings the cache to `usable`; false when the cache cannot stand for it (indices not increasing). */
  sync(space: SearchSpace, usable: readonly FinishedTrial[]): boolean {
    let same = space === this.space && usable.length >= this.trials.length;
    for (let i = 0; same && i < this.trials.length; i++) same = usable[i] === this.trials[i];
    if (!same) this.reset(space);
    for (let i = this.trials.length; i < usable.length; i++) {
      const t = usable[i]!;
      const prev = this.trials[i - 1];
      if ((prev !== undefined && !(t.index > prev.index)) || this.pos.has(t)) {
        this.reset(undefined);
        return false;
      }
      this.pos.set(t, i);
      this.trials.push(t);
      for (const track of this.tracks.values()) track.push(i, t);
    }
    return true;
  }

  /** The view for one call, `below` being a subset of the synced usable trials. */
  view(below: readonly FinishedTrial[]): CacheView {
    const n = this.trials.length;
    if (this.isBelow.length < n) this.isBelow = new Uint8Array(Math.max(n, 2 * this.isBelow.length));
    else this.isBelow.fill(0, 0, n);
    const belowPos = new Int32Array(below.length);
    for (let i = 0; i < below.length; i++) {
      const p = this.pos.get(below[i]!)!;
      belowPos[i] = p;
      this.isBelow[p] = 1;
    }
    belowPos.sort();
    return new CacheView(this, belowPos, this.isBelow);
  }

  /** Per direction: the gamma_cap best usable trials in ranking order, and how many trials they cover. */
  private readonly best = new Map<string, { cap: number; top: FinishedTrial[]; upTo: number }>();

  /** What `split` gives as below, for the synced usable trials: the first k of the top-cap list, by index. */
  below(direction: Direction, options: Pick<Required<TpeOptions>, 'gamma' | 'gamma_cap'>): FinishedTrial[] {
    const n = this.trials.length;
    const cap = options.gamma_cap;
    let b = this.best.get(direction);
    if (b === undefined || b.cap !== cap) {
      b = { cap, top: [], upTo: 0 };
      this.best.set(direction, b);
    }
    // k <= cap, and the ranking is a strict total order: the k best are the first k of the cap best.
    insertBest(b.top, this.trials, b.upTo, cap, betterIn(direction));
    b.upTo = n;
    const k = Math.max(1, Math.min(Math.ceil(options.gamma * n), cap, n));
    return b.top.slice(0, k).sort(byIndex);
  }

  private lastWeights: Float64Array = new Float64Array(0);

  /** `observationWeights(n)`, kept for the next parameter (usually the same n): read only. */
  weights(n: number): Float64Array {
    if (this.lastWeights.length !== n) this.lastWeights = observationWeights(n);
    return this.lastWeights;
  }

  private reset(space: SearchSpace | undefined): void {
    this.space = space;
    this.trials = [];
    this.best.clear();
    this.pos.clear();
    this.tracks.clear();
    for (const spec of space?.params ?? []) {
      if (spec.dist.type !== 'fixed') this.tracks.set(spec.name, new Track(spec.name, unitMapper(spec.dist)));
    }
  }
}

/** Unit values of `spec` over the trials where it was set (and valid in this space). */
function observations(
  spec: ParamSpec,
  trials: readonly FinishedTrial[],
  toU = unitMapper(spec.dist),
): Float64Array {
  const buf = new Float64Array(trials.length);
  const name = spec.name;
  let n = 0;
  for (let i = 0; i < trials.length; i++) {
    const u = toU(trials[i]!.params[name]);
    if (!Number.isNaN(u)) buf[n++] = u;
  }
  return buf.subarray(0, n);
}

/**
 * A fast `tryToUnit` for one distribution, NaN for a value outside it: ints with few values
 * use a lookup table, so that a long history costs one array read per trial.
 */
export function unitMapper(dist: Distribution): (v: ParamValue | undefined) => number {
  // Memoised by the distribution's content (a mapper is a pure function of it): the int table
  // would otherwise be rebuilt on every call.
  const key = JSON.stringify(dist);
  let m = MAPPERS.get(key);
  if (m === undefined) {
    if (MAPPERS.size >= 256) MAPPERS.clear();
    m = buildUnitMapper(dist);
    MAPPERS.set(key, m);
  }
  return m;
}

const MAPPERS = new Map<string, (v: ParamValue | undefined) => number>();

function buildUnitMapper(dist: Distribution): (v: ParamValue | undefined) => number {
  const slow = (v: ParamValue | undefined) => tryToUnit(dist, v) ?? Number.NaN;
  switch (dist.type) {
    case 'categorical': {
      const table = new Map(dist.choices.map((c, i) => [c, (i + 0.5) / dist.choices.length]));
      return (v) => (v === undefined ? Number.NaN : (table.get(v) ?? Number.NaN));
    }
    case 'int': {
      const { low, high } = dist;
      if (high - low >= 65536) return slow;
      const table = new Float64Array(high - low + 1);
      for (let v = low; v <= high; v++) table[v - low] = toUnit(dist, v);
      return (v) =>
        typeof v === 'number' && v >= low && v <= high
          ? Number.isInteger(v)
            ? table[v - low]!
            : slow(v)
          : Number.NaN;
    }
    case 'float': {
      if (dist.step !== undefined || dist.high === dist.low) return slow;
      const { low, high } = dist;
      // The same operations as toUnit, so that the fast path gives the same bits.
      if (dist.log === true) {
        const a = log(low);
        const den = log(high) - a;
        return (v) => (typeof v === 'number' && v >= low && v <= high ? (log(v) - a) / den : Number.NaN);
      }
      const den = high - low;
      return (v) => (typeof v === 'number' && v >= low && v <= high ? (v - low) / den : Number.NaN);
    }
    default:
      return slow;
  }
}

function toIndices(units: Float64Array, k: number): Int32Array {
  const out = new Int32Array(units.length);
  for (let i = 0; i < units.length; i++) out[i] = Math.min(k - 1, Math.floor(units[i]! * k));
  return out;
}

/**
 * Joint Parzen estimator (Optuna's multivariate TPE): kernel j is a product over dimensions,
 * with one bandwidth per numeric dimension, σ = 0.2 · n^(−1/(d+4)), magic-clipped; categorical
 * dimensions use the smoothed rows. The prior kernel is the product of the per-dimension priors.
 */
class JointParzen {
  private readonly n: number; // kernels, prior last
  private readonly dims: number;
  private readonly kinds: Int32Array; // 0: numeric, else number of choices
  private readonly mus: Float64Array[]; // per dim, per kernel (numeric: unit value; categorical: index)
  private readonly sigmas: Float64Array; // per numeric dim (observation kernels)
  private readonly logNorm: Float64Array[]; // per dim, per kernel (numeric)
  private readonly logW: Float64Array;
  private readonly weights: Float64Array;
  private readonly total: number;
  private readonly pw: number;
  private readonly scratch: Float64Array;

  constructor(specs: ParamSpec[], trials: readonly FinishedTrial[], pw: number) {
    const dims = specs.length;
    const rows: number[][] = [];
    const mappers = specs.map((s) => unitMapper(s.dist));
    for (const t of trials) {
      const row: number[] = [];
      for (let d = 0; d < dims; d++) {
        const u = mappers[d]!(t.params[specs[d]!.name]);
        if (Number.isNaN(u)) break;
        row.push(u);
      }
      if (row.length === dims) rows.push(row);
    }
    const m = rows.length;
    const n = m + 1;
    this.n = n;
    this.dims = dims;
    this.pw = pw;
    this.kinds = new Int32Array(
      specs.map((s) => (s.dist.type === 'categorical' ? s.dist.choices.length : 0)),
    );
    const w = observationWeights(m);
    this.weights = new Float64Array(n);
    this.weights.set(w);
    this.weights[m] = pw;
    let total = 0;
    for (let j = 0; j < n; j++) total += this.weights[j]!;
    this.total = total;
    this.logW = new Float64Array(n);
    for (let j = 0; j < n; j++) this.logW[j] = log(this.weights[j]! / total);
    this.sigmas = new Float64Array(dims);
    this.mus = [];
    this.logNorm = [];
    const minSigma = 1 / Math.min(100, 1 + n);
    const sigma = Math.min(1, Math.max(minSigma, SIGMA0_MAGNITUDE * pow(Math.max(n, 1), -1 / (dims + 4))));
    for (let d = 0; d < dims; d++) {
      const k = this.kinds[d]!;
      const mu = new Float64Array(n);
      for (let j = 0; j < m; j++)
        mu[j] = k === 0 ? rows[j]![d]! : Math.min(k - 1, Math.floor(rows[j]![d]! * k));
      mu[m] = k === 0 ? 0.5 : -1; // the prior: centre, or "no observed choice" (uniform row)
      this.mus.push(mu);
      const ln = new Float64Array(n);
      if (k === 0) {
        this.sigmas[d] = sigma;
        for (let j = 0; j < m; j++) ln[j] = logKernelNorm(mu[j]!, sigma);
        ln[m] = logKernelNorm(0.5, 1);
      }
      this.logNorm.push(ln);
    }
    this.scratch = new Float64Array(n);
  }

  sample(stream: Stream, out: Float64Array): void {
    const j = drawIndex(this.weights, this.total, stream);
    const prior = j === this.n - 1;
    for (let d = 0; d < this.dims; d++) {
      const k = this.kinds[d]!;
      if (k === 0) {
        out[d] = prior
          ? truncatedNormal(0.5, 1, stream)
          : truncatedNormal(this.mus[d]![j]!, this.sigmas[d]!, stream);
      } else {
        // Row j: the observed choice with mass 1/(pw+1) + the uniform share pw/k/(pw+1).
        const observed = this.mus[d]![j]!;
        const r = stream.float();
        const c =
          observed >= 0 && r < 1 / (this.pw + 1) ? observed : Math.min(k - 1, Math.floor(stream.float() * k));
        out[d] = (c + 0.5) / k;
      }
    }
  }

  logPdf(x: Float64Array): number {
    const { n, dims, scratch } = this;
    scratch.set(this.logW);
    for (let d = 0; d < dims; d++) {
      const k = this.kinds[d]!;
      const mu = this.mus[d]!;
      if (k === 0) {
        const s = this.sigmas[d]!;
        const half = 0.5 / (s * s);
        const ln = this.logNorm[d]!;
        const xd = x[d]!;
        for (let j = 0; j < n - 1; j++) {
          const t = xd - mu[j]!;
          scratch[j] = scratch[j]! - t * t * half - ln[j]!;
        }
        const t = xd - 0.5;
        scratch[n - 1] = scratch[n - 1]! - 0.5 * t * t - ln[n - 1]!;
      } else {
        const c = Math.min(k - 1, Math.floor(x[d]! * k));
        const hit = log((this.pw / k + 1) / (this.pw + 1));
        const miss = log(this.pw / k / (this.pw + 1));
        for (let j = 0; j < n - 1; j++) scratch[j] = scratch[j]! + (mu[j] === c ? hit : miss);
        scratch[n - 1] = scratch[n - 1]! - log(k);
      }
    }
    let max = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < n; j++) if (scratch[j]! > max) max = scratch[j]!;
    // Kernels more than e^40 below the largest add < 1e-13 in total: skip their exp.
    const floor = max - 40;
    let s = 0;
    for (let j = 0; j < n; j++) if (scratch[j]! > floor) s += exp(scratch[j]! - max);
    return max + log(s);
  }
}
