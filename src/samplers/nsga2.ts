import { Stream } from '../rng/index.js';
import { decodeParams, fromUnit, invalidReason, isActive, tryToUnit } from '../space/codec.js';
import type { ParamSpec, Params, ParamValue, SearchSpace } from '../space/types.js';
import type { Direction } from '../types.js';
import {
  crowdingDistance,
  fastNonDominatedSort,
  type ParetoPoint,
  paretoPoints,
  studyDirections,
} from './pareto.js';
import { unitDraw } from './random.js';
import type { FinishedTrial, SampleContext, Sampler } from './types.js';

export interface Nsga2Options {
  /** Trials per generation: generation g is trials [g·population_size, (g+1)·population_size). Default 50. */
  population_size?: number;
  /**
   * Probability of redrawing each parameter of a child at random. Default 1 / the number of non-fixed
   * unconditional parameters (Optuna's: 1 / the size of the intersection search space).
   */
  mutation_prob?: number;
  /** Probability that a child comes from two parents by crossover, else a copy of one. Default 0.9. */
  crossover_prob?: number;
  /** Uniform crossover: probability of taking each parameter from the second parent. Default 0.5. */
  swapping_prob?: number;
}

export const NSGA2_DEFAULTS = {
  population_size: 50,
  mutation_prob: undefined,
  crossover_prob: 0.9,
  swapping_prob: 0.5,
} as const satisfies Nsga2Options;

/** One generation's parents: the elite trials (index order), with their rank and crowding distance. */
export interface Population {
  /** The generation these trials are the parents of. */
  generation: number;
  trials: FinishedTrial[];
  points: ParetoPoint[];
  rank: Int32Array;
  crowding: Float64Array;
}

/**
 * NSGA-II (Deb et al. 2002) as Optuna 3.x's NSGAIISampler does it, made deterministic under the lag rule:
 *
 * - generations are blocks of trial indices: trial i is in generation ⌊i / population_size⌋. Generation 0
 *   is drawn at random.
 * - parents: P₋₁ = ∅; P_k = the elite of (the visible complete trials of generation k) ∪ P_{k−1}: whole
 *   fronts of the constrained non-dominated sort while they fit in population_size, then the rest of the
 *   next front by crowding distance (largest first, ties by index). Trial i of generation g ≥ 1 breeds
 *   from P_{g−1}, built from the trials its history holds (the lag rule's visible ones) and nothing else.
 * - a child: with crossover_prob, two parents each chosen by binary tournament (two draws with
 *   replacement; the lower rank wins, then the larger crowding distance, then the lower index; the second
 *   parent from the population without the first) and uniform crossover (each parameter from the second
 *   parent with swapping_prob); otherwise a copy of one parent drawn uniformly. Then each parameter is
 *   redrawn uniformly with mutation_prob (default 1 / the number of non-fixed unconditional parameters).
 *
 * Every parameter goes through the shared codec: a parent's value that is no longer valid in the space is
 * snapped (`fromUnit(tryToUnit(v))`) or, when foreign, redrawn; a conditional parameter inactive in the
 * chosen parent is taken from the other one, or drawn. Draws: the tournament and crossover decisions from
 * `Stream.of(seed, 'sampler', 'nsga2', index, 'select', 'parents')`; per parameter, its swap, mutation and
 * uniform draws from `Stream.of(seed, 'sampler', 'nsga2', index, param)` (the uniform draw is the random
 * sampler's for that stream name, so generation 0 draws as `unitDraw` does).
 *
 * Where it differs from Optuna 3.1: Optuna's generations are formed in completion order (a trial's
 * generation is one more than the last generation with population_size complete trials), and its
 * tournament compares by (constrained) domination alone; the crowded tournament here is Deb's.
 */
export class Nsga2Sampler implements Sampler {
  readonly name = 'nsga2';
  readonly options: {
    population_size: number;
    mutation_prob: number | undefined;
    crossover_prob: number;
    swapping_prob: number;
  };
  private readonly cache = new PopulationCache();

  constructor(options: Nsga2Options = {}) {
    this.options = {
      population_size: options.population_size ?? NSGA2_DEFAULTS.population_size,
      mutation_prob: options.mutation_prob ?? NSGA2_DEFAULTS.mutation_prob,
      crossover_prob: options.crossover_prob ?? NSGA2_DEFAULTS.crossover_prob,
      swapping_prob: options.swapping_prob ?? NSGA2_DEFAULTS.swapping_prob,
    };
    const p = this.options.population_size;
    if (!(Number.isInteger(p) && p >= 2))
      throw new RangeError(`population_size must be an integer >= 2, but got ${p}`);
    for (const k of ['mutation_prob', 'crossover_prob', 'swapping_prob'] as const) {
      const v = this.options[k];
      if (v !== undefined && !(v >= 0 && v <= 1))
        throw new RangeError(`${k} must be in [0, 1], but got ${v}`);
    }
  }

  /** The generation of trial `index`. */
  generationOf(index: number): number {
    return Math.floor(index / this.options.population_size);
  }

  /** The parents of trial `ctx.index`'s generation, from `history` (undefined in generation 0). */
  parents(history: readonly FinishedTrial[], ctx: SampleContext): Population | undefined {
    const g = this.generationOf(ctx.index);
    if (g === 0) return undefined;
    return this.cache.population(history, studyDirections(ctx), g - 1, this.options.population_size);
  }

  sample(space: SearchSpace, history: readonly FinishedTrial[], ctx: SampleContext): Params {
    const pop = this.parents(history, ctx);
    if (pop === undefined || pop.trials.length === 0) {
      return decodeParams(space, (spec) => unitDraw(ctx, this.name, spec.name));
    }
    const select = Stream.of(ctx.seed, 'sampler', this.name, ctx.index, 'select', 'parents');
    const n = pop.trials.length;
    const cross = select.float() < this.options.crossover_prob && n >= 2;
    let first: FinishedTrial;
    let second: FinishedTrial | undefined;
    if (cross) {
      const a = tournament(pop, allPositions(n), select);
      const rest = allPositions(n).filter((p) => p !== a);
      const b = tournament(pop, rest, select);
      first = pop.trials[a]!;
      second = pop.trials[b]!;
    } else {
      first = pop.trials[select.int(0, n - 1)]!;
    }
    const mutation =
      this.options.mutation_prob ??
      1 / Math.max(1, space.params.filter((p) => p.dist.type !== 'fixed' && p.when === undefined).length);
    const out: Params = {};
    for (const spec of space.params) {
      if (!isActive(spec, out)) continue;
      if (spec.dist.type === 'fixed') {
        out[spec.name] = spec.dist.value;
        continue;
      }
      const s = Stream.of(ctx.seed, 'sampler', this.name, ctx.index, spec.name);
      const uniform = s.float(); // first, as unitDraw draws it
      const swap = s.float();
      const mutate = s.float();
      const [from, other] =
        second !== undefined && swap >= this.options.swapping_prob ? [second, first] : [first, second];
      const inherited = inherit(spec, from) ?? (other === undefined ? undefined : inherit(spec, other));
      out[spec.name] =
        mutate < mutation || inherited === undefined ? fromUnit(spec.dist, uniform) : inherited;
    }
    return out;
  }
}

const allPositions = (n: number) => Array.from({ length: n }, (_, i) => i);

/** A parent's value of `spec`, as a value of the space: kept when valid, snapped when near, else undefined. */
function inherit(spec: ParamSpec, parent: FinishedTrial): ParamValue | undefined {
  const v = parent.params[spec.name];
  if (v === undefined) return undefined;
  if (invalidReason(spec.dist, v) === undefined) return v;
  const u = tryToUnit(spec.dist, v);
  return u === undefined ? undefined : fromUnit(spec.dist, u);
}

/** Binary tournament among `candidates` (positions in the population): Deb's crowded comparison. */
function tournament(pop: Population, candidates: readonly number[], stream: Stream): number {
  const a = candidates[stream.int(0, candidates.length - 1)]!;
  const b = candidates[stream.int(0, candidates.length - 1)]!;
  return crowdedBetter(pop, a, b) ? a : b;
}

/** True when a is preferred to b: lower rank, then larger crowding distance, then lower index. */
function crowdedBetter(pop: Population, a: number, b: number): boolean {
  if (pop.rank[a] !== pop.rank[b]) return pop.rank[a]! < pop.rank[b]!;
  if (pop.crowding[a] !== pop.crowding[b]) return pop.crowding[a]! > pop.crowding[b]!;
  return pop.trials[a]!.index <= pop.trials[b]!.index;
}

/**
 * The elite of a pool (NSGA-II's environmental selection): whole fronts while they fit in `size`, then
 * the next front's points by crowding distance (largest first, ties by index). Returns positions into
 * `points` in ascending order, with each one's rank and crowding distance within the pool's fronts.
 */
export function selectElite(
  points: readonly ParetoPoint[],
  size: number,
): { chosen: number[]; rank: Int32Array; crowding: Float64Array } {
  const fronts = fastNonDominatedSort(points, size);
  const rankOf = new Int32Array(points.length).fill(-1);
  const crowdOf = new Float64Array(points.length);
  const chosen: number[] = [];
  for (let r = 0; r < fronts.length && chosen.length < size; r++) {
    const front = fronts[r]!;
    const cd = crowdingDistance(front.map((p) => points[p]!.losses));
    front.forEach((p, j) => {
      rankOf[p] = r;
      crowdOf[p] = cd[j]!;
    });
    if (chosen.length + front.length <= size) {
      chosen.push(...front);
    } else {
      const order = front
        .map((_, j) => j)
        .sort((i, j) =>
          cd[i] !== cd[j] ? (cd[i]! > cd[j]! ? -1 : 1) : points[front[i]!]!.index - points[front[j]!]!.index,
        );
      for (const j of order.slice(0, size - chosen.length)) chosen.push(front[j]!);
    }
  }
  chosen.sort((a, b) => points[a]!.index - points[b]!.index);
  return {
    chosen,
    rank: Int32Array.from(chosen, (p) => rankOf[p]!),
    crowding: Float64Array.from(chosen, (p) => crowdOf[p]!),
  };
}

/**
 * P_0 … P_k from a history, kept between calls: a pure cache (the same populations as a fresh
 * computation). Generation k's entry is reused while its visible complete trials (the same objects)
 * and the entry before it are unchanged.
 */
class PopulationCache {
  private key = '';
  private entries: { members: FinishedTrial[]; pop: Population }[] = [];

  population(
    history: readonly FinishedTrial[],
    directions: readonly Direction[],
    k: number,
    size: number,
  ): Population {
    const { trials, points } = paretoPoints(history, directions);
    // Constraints in use is a property of the whole history: part of the key.
    const key = JSON.stringify([directions, size, points.some((p) => p.violation !== undefined)]);
    if (key !== this.key) {
      this.key = key;
      this.entries = [];
    }
    const byGen: number[][] = Array.from({ length: k + 1 }, () => []);
    trials.forEach((t, p) => {
      // A warm start's trials (negative indices, before this study's own) join generation 0.
      const g = Math.max(0, Math.floor(t.index / size));
      if (g <= k) byGen[g]!.push(p);
    });
    let prev: Population = {
      generation: 0,
      trials: [],
      points: [],
      rank: new Int32Array(0),
      crowding: new Float64Array(0),
    };
    let valid = true;
    for (let g = 0; g <= k; g++) {
      const members = byGen[g]!.map((p) => trials[p]!);
      const cached = this.entries[g];
      if (valid && cached !== undefined && sameTrials(cached.members, members)) {
        prev = cached.pop;
        continue;
      }
      valid = false;
      const pool = [...byGen[g]!.map((p) => ({ trial: trials[p]!, point: points[p]! }))];
      for (let j = 0; j < prev.trials.length; j++)
        pool.push({ trial: prev.trials[j]!, point: prev.points[j]! });
      pool.sort((a, b) => a.trial.index - b.trial.index);
      const elite = selectElite(
        pool.map((x) => x.point),
        size,
      );
      prev = {
        generation: g + 1,
        trials: elite.chosen.map((p) => pool[p]!.trial),
        points: elite.chosen.map((p) => pool[p]!.point),
        rank: elite.rank,
        crowding: elite.crowding,
      };
      this.entries[g] = { members, pop: prev };
    }
    this.entries.length = k + 1;
    return prev;
  }
}

function sameTrials(a: readonly FinishedTrial[], b: readonly FinishedTrial[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
