/**
 * lockstep for TypeScript: a search space and a study written as code, no YAML, with the parameters'
 * types inferred from the space.
 *
 * ```ts
 * import { categorical, float, int, search, space, when } from 'lockstep';
 *
 * const s = space(
 *   float('x', -5, 5),
 *   int('n', 1, 64, { log: true }),
 *   categorical('kind', ['a', 'b']),
 *   ...when({ kind: 'b' }, float('y', 0, 1)),
 * );
 * const r = await search({
 *   name: 'quadratic', seed: 1, space: s, direction: 'minimize', budget: { trials: 30 },
 *   objective: (p) => (p.x - 1) * (p.x - 1) + (p.y ?? 0) + p.n / 64,   // p.y: number | undefined
 * });
 * ```
 *
 * The keys are those of a YAML study config (README, "A study config"), so one page documents both.
 */
import type { PreparedData } from './data/types.js';
import { ConfigError } from './errors.js';
import type { Objective } from './pool/types.js';
import type { Stream } from './rng/index.js';
import type { Condition, ParamValue } from './space/types.js';
import { parseStudyConfig, type StudyConfigInput } from './study/config.js';
import { objectiveSourceHash } from './study/objective.js';
import { search as runSearch } from './study/search.js';
import type { SearchOptions, SearchResult } from './study/types.js';
import type { EpochMetrics } from './train/types.js';

/** One parameter's spec, in the long form a YAML space uses. */
export type ParamSpecInput =
  | { type: 'float' | 'int'; low: number; high: number; log?: boolean; step?: number; when?: Condition }
  | { type: 'categorical'; choices: ParamValue[]; when?: Condition }
  | { type: 'fixed'; value: ParamValue; when?: Condition };

/**
 * A parameter of a space: its name, its spec, and (as types only) its value type and whether it is
 * conditional (then it may be absent from a trial's parameters).
 */
export interface Param<
  N extends string = string,
  V extends ParamValue = ParamValue,
  C extends boolean = boolean,
> {
  readonly name: N;
  readonly spec: ParamSpecInput;
  readonly conditional: C;
  /** Types only: the parameter's value. */
  readonly value?: V;
}

export interface NumericOptions {
  /** Sample on a log scale (low > 0). */
  log?: boolean;
  /** Values on a grid low, low + step, …, high. */
  step?: number;
}

function numeric(type: 'float' | 'int', name: string, low: number, high: number, o: NumericOptions) {
  return {
    name,
    spec: {
      type,
      low,
      high,
      ...(o.log !== undefined ? { log: o.log } : {}),
      ...(o.step !== undefined ? { step: o.step } : {}),
    },
    conditional: false as const,
  };
}

/** A float in [low, high]: `float('learning_rate', 1e-4, 0.1, { log: true })`. */
export function float<N extends string>(
  name: N,
  low: number,
  high: number,
  options: NumericOptions = {},
): Param<N, number, false> {
  return numeric('float', name, low, high, options) as Param<N, number, false>;
}

/** An integer in [low, high]: `int('units', 16, 256, { log: true })`. */
export function int<N extends string>(
  name: N,
  low: number,
  high: number,
  options: NumericOptions = {},
): Param<N, number, false> {
  return numeric('int', name, low, high, options) as Param<N, number, false>;
}

/** One of the choices: `categorical('optimizer', ['adam', 'sgd'])` (its type: 'adam' | 'sgd'). */
export function categorical<N extends string, const V extends ParamValue>(
  name: N,
  choices: readonly V[],
): Param<N, V, false> {
  return { name, spec: { type: 'categorical', choices: [...choices] }, conditional: false };
}

/** A value that every trial gets: `fixed('epochs', 30)`. */
export function fixed<N extends string, const V extends ParamValue>(name: N, value: V): Param<N, V, false> {
  return { name, spec: { type: 'fixed', value }, conditional: false };
}

type Conditional<P extends readonly Param[]> = {
  [K in keyof P]: P[K] extends Param<infer N, infer V> ? Param<N, V, true> : never;
};

/**
 * Parameters active only when the condition holds (every named parent active and matching):
 * `...when({ optimizer: 'sgd' }, float('momentum', 0, 0.99))`, `when({ layers: { gte: 2 } }, …)`.
 * Nested `when`s combine their conditions.
 */
export function when<const P extends readonly Param[]>(condition: Condition, ...params: P): Conditional<P> {
  return params.map((p) => ({
    name: p.name,
    spec: { ...p.spec, when: { ...(p.spec.when ?? {}), ...condition } },
    conditional: true,
  })) as unknown as Conditional<P>;
}

type ValueOf<P> = P extends Param<string, infer V> ? V : never;

/** The parameters a trial receives for a space of these Params: conditional ones may be absent. */
export type ParamsOf<U extends Param> = {
  [P in U as P['conditional'] extends true ? never : P['name']]: ValueOf<P>;
} & {
  [P in U as P['conditional'] extends true ? P['name'] : never]?: ValueOf<P>;
};

/** A search space built by `space(...)`; `T` is the type of a trial's parameters. */
export interface Space<T = Record<string, ParamValue>> {
  /** The space as a YAML config writes it: name → spec. */
  readonly specs: Record<string, ParamSpecInput>;
  /** Types only. */
  readonly params?: T;
}

/** A search space from parameters (in order: a parent before the parameters whose `when` names it). */
export function space<const P extends readonly Param[]>(...params: P): Space<Simplify<ParamsOf<P[number]>>> {
  const specs: Record<string, ParamSpecInput> = {};
  for (const p of params) {
    if (Object.hasOwn(specs, p.name)) throw new ConfigError(`space: parameter '${p.name}' is defined twice`);
    specs[p.name] = p.spec;
  }
  return { specs };
}

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** What an objective function receives besides the parameters. */
export interface ObjectiveContext {
  /** The trial's seed (derived from the study's seed and the trial's index). */
  seed: number;
  index: number;
  /** The study's prepared split (when the study names a dataset): train, validation and test, encoded. */
  data?: PreparedData;
  /** A seeded random stream of this trial, one per name: `ctx.stream('init').float()`. */
  stream(name: string): Stream;
  /** Reports an epoch's metrics (the pruner's input); 'stop' asks the objective to end early. */
  report(epoch: number, metrics: EpochMetrics): 'continue' | 'stop';
}

export type ObjectiveResult = number | { score: number; metrics?: EpochMetrics };

/**
 * An objective given as a function. It runs in the calling thread, one trial at a time, in trial
 * order under the lag rule, with `Math.random` replaced by the trial's own stream: so its results
 * are reproducible as long as the function is a function of its arguments (no clock, no I/O that
 * changes). Its source text is hashed into the study's identity, so a changed function starts a
 * new study instead of resuming an old one.
 */
export type ObjectiveFunction<T = Record<string, ParamValue>> = (
  params: T,
  context: ObjectiveContext,
) => ObjectiveResult | Promise<ObjectiveResult>;

/** A study, written as code: the YAML config's keys, with a typed space and objective. */
export type Study<T> = Omit<StudyConfigInput, 'space' | 'objective' | 'enqueue'> & {
  space: Space<T> | 'mlp-default';
  /** Parameter sets tried first, in order (fixed parameters may be left out). */
  enqueue?: Partial<T>[];
  /** The built-in MLP (default), an ES module's `objective`, or a function. */
  objective?: 'mlp' | { module: string } | ObjectiveFunction<T>;
};

export type RunOptions = Omit<SearchOptions, 'config' | 'objective'>;

/** The study's config in the YAML form (a function objective recorded as its name and source hash). */
export function studyConfig<T>(study: Study<T>): StudyConfigInput {
  const { space: s, objective, enqueue, ...rest } = study;
  const config: StudyConfigInput = {
    ...rest,
    space: typeof s === 'string' ? s : s.specs,
    ...(enqueue === undefined ? {} : { enqueue: enqueue as StudyConfigInput['enqueue'] }),
  };
  if (typeof objective === 'function') {
    config.objective = {
      function: objective.name || 'objective',
      sha256: objectiveSourceHash(objective as unknown as Objective),
    };
  } else if (objective !== undefined) {
    config.objective = objective;
  }
  return config;
}

/**
 * Runs (or resumes) a study written as code. Relative paths (dataset, module, ledger) are taken from
 * `options.base` (default: the working directory); outputs go to `<out>/<name>/` as with the CLI.
 * Also accepts `{ config: 'study.yaml' | parsed config, …options }`, a study from a config file.
 */
export function search(options: SearchOptions): Promise<SearchResult>;
export function search<T>(study: Study<T>, options?: RunOptions): Promise<SearchResult>;
export async function search<T>(
  study: Study<T> | SearchOptions,
  options: RunOptions = {},
): Promise<SearchResult> {
  // The older form: search({ config: 'study.yaml' | parsed config, …options }).
  if ('config' in study) return runSearch({ ...options, ...study });
  const config = parseStudyConfig(studyConfig(study), `study '${study.name}'`);
  return runSearch({
    ...options,
    config,
    base: options.base ?? process.cwd(),
    ...(typeof study.objective === 'function' ? { objective: study.objective as unknown as Objective } : {}),
  });
}
