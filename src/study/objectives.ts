import { ConfigError } from '../errors.js';
import type { StudyState } from '../ledger/types.js';
import type { Params } from '../space/types.js';
import { METRIC_DIRECTION, TASK_METRICS } from '../train/metrics.js';
import { resolveMlpParams } from '../train/params.js';
import type { MetricName } from '../train/types.js';
import type { Direction } from '../types.js';

/**
 * A study with several objectives (`objectives:`) and constraints (`constraints:`): what each trial is
 * judged by besides its score.
 *
 * An objective or a constraint names a number a trial ends with: one of its final metrics (for the MLP the
 * validation metrics of its last epoch, and `train_loss`; for a module objective its `value` and whatever
 * metrics it returns) or a measure of the trained model that its parameters and the data's shape decide:
 * - `param_count`: the number of trainable parameters (weights and biases);
 * - `size_bytes`: the bytes of its exported weights (float32, 4 per parameter), the figure a
 *   "smaller than 100 kB" constraint is about.
 * Both are deterministic, so every objective here keeps the digest the same on every machine.
 *
 * Constraints follow Optuna's constraints_func: each gives one value, feasible when ≤ 0 — `v − max` for
 * `max`, `min − v` for `min`, the larger of the two when both are given.
 */

/**
 * The trained model's prediction time, in milliseconds per 1,000 validation rows (median of five): measurable,
 * not deterministic — an objective or constraint only in a study with `machine_dependent: true`.
 */
export const INFERENCE_MS = 'inference_ms';

/** Measures of the trained model, decided by the parameters and the data's shape. */
export const MODEL_MEASURES = ['param_count', 'size_bytes'] as const;
export type ModelMeasure = (typeof MODEL_MEASURES)[number];

const MEASURE_DIRECTION: Readonly<Record<ModelMeasure, Direction>> = {
  param_count: 'minimize',
  size_bytes: 'minimize',
};

export interface ObjectiveSpec {
  name: string;
  direction: Direction;
}

export interface ConstraintSpec {
  name: string;
  min?: number;
  max?: number;
}

/** The fields of a study config that say what its trials are judged by (study/config.ts's StudyConfig has them). */
export interface JudgingConfig {
  objective: unknown;
  metric?: string | undefined;
  direction?: Direction | undefined;
  objectives?: (string | { name: string; direction?: Direction | undefined })[] | undefined;
  constraints?: { name: string; min?: number | undefined; max?: number | undefined }[] | undefined;
  sampler: string | { name: string };
  pruner: string | { name: string };
  machine_dependent?: boolean | undefined;
}

/** The objectives of a study, resolved: names and directions in order, and the constraints. */
export interface StudyObjectives {
  objectives: ObjectiveSpec[];
  constraints: ConstraintSpec[];
}

/** What a trial's values are computed from. */
export interface TrialFacts {
  params: Params;
  /** The trial's final metrics (the MLP's last epoch; a module objective's value and metrics). */
  metrics: Readonly<Record<string, number>>;
  /** The measured prediction time, when the study measures it. */
  inferenceMs?: number | undefined;
}

/** The data's shape the model measures need: features in, outputs out. */
export interface ModelShape {
  nFeatures: number;
  nOutputs: number;
}

/** A trial's objective values (in the order of the objectives) and constraint values (one per constraint). */
export interface TrialValues {
  values: number[];
  constraints: number[] | undefined;
}

/**
 * The study's objectives from its config: undefined for a study with one objective and no constraints
 * (its score alone). `task` is the dataset's (MLP) or undefined (a module objective).
 *
 * @throws ConfigError naming the field: an unknown metric or measure, a direction against the metric's, two
 *   objectives alike, a pruner (which judges one curve) or a sampler that optimises one number.
 */
export function studyObjectives(
  config: JudgingConfig,
  task: string | undefined,
): StudyObjectives | undefined {
  if (config.objectives === undefined && config.constraints === undefined) return undefined;
  const mlp = config.objective === 'mlp';
  // The names an MLP study can be judged by, once its task is known (from the config or the data).
  const taskMetrics = TASK_METRICS[task as keyof typeof TASK_METRICS] as readonly string[] | undefined;
  const known =
    mlp && taskMetrics !== undefined
      ? [...taskMetrics, 'train_loss', ...MODEL_MEASURES, INFERENCE_MS]
      : undefined;
  const check = (field: string, name: string): void => {
    if (known !== undefined && !known.includes(name)) {
      throw new ConfigError(
        `config: ${field}: '${name}' is not measured for a ${task} MLP study; expected one of ${known.join(', ')}`,
      );
    }
    if (name === INFERENCE_MS && config.machine_dependent !== true) {
      throw new ConfigError(
        `config: ${field}: '${INFERENCE_MS}' is a timing, different on every machine; set machine_dependent: true to accept that the study's choices (and its digest) then depend on the machine`,
      );
    }
    if (!mlp && (name === INFERENCE_MS || (MODEL_MEASURES as readonly string[]).includes(name))) {
      throw new ConfigError(
        `config: ${field}: '${name}' measures the built-in MLP; a module objective returns its own metrics`,
      );
    }
  };
  const objectives: ObjectiveSpec[] = [];
  const entries = config.objectives ?? [];
  entries.forEach((entry, k) => {
    const field = `objectives.${k}`;
    const { name, direction } = typeof entry === 'string' ? { name: entry, direction: undefined } : entry;
    check(`${field}.name`, name);
    const natural = naturalDirection(name, mlp);
    if (direction !== undefined && natural !== undefined && direction !== natural) {
      throw new ConfigError(
        `config: ${field}.direction: '${name}' is to ${natural}, but direction says ${direction}`,
      );
    }
    const d = direction ?? natural;
    if (d === undefined) {
      throw new ConfigError(`config: ${field}.direction: required for '${name}' (minimize or maximize)`);
    }
    if (objectives.some((o) => o.name === name)) {
      throw new ConfigError(`config: ${field}.name: '${name}' is an objective twice`);
    }
    objectives.push({ name, direction: d });
  });
  if (objectives.length === 0) {
    // Constraints alone: the study's own metric is the one objective.
    const metric = mlp ? (config.metric ?? (task === 'regression' ? 'rmse' : 'accuracy')) : 'value';
    const direction = mlp ? METRIC_DIRECTION[metric as MetricName] : (config.direction ?? 'minimize');
    objectives.push({ name: metric, direction });
  } else if (config.metric !== undefined && config.metric !== objectives[0]!.name) {
    throw new ConfigError(
      `config: metric: '${config.metric}' is not the first objective ('${objectives[0]!.name}'); leave metric out, the first objective is the study's score`,
    );
  }
  const constraints = (config.constraints ?? []).map((c, k) => {
    check(`constraints.${k}.name`, c.name);
    return {
      name: c.name,
      ...(c.min !== undefined ? { min: c.min } : {}),
      ...(c.max !== undefined ? { max: c.max } : {}),
    };
  });
  if (objectives.length > 1) {
    const pruner = typeof config.pruner === 'string' ? config.pruner : config.pruner.name;
    if (pruner !== 'none') {
      throw new ConfigError(
        `config: pruner: '${pruner}' judges one learning curve; a study with several objectives runs every trial to its end (pruner: none)`,
      );
    }
    const sampler = typeof config.sampler === 'string' ? config.sampler : config.sampler.name;
    if (!SEVERAL_OBJECTIVE_SAMPLERS.includes(sampler)) {
      throw new ConfigError(
        `config: sampler: '${sampler}' optimises one objective; with ${objectives.length} objectives use one of ${SEVERAL_OBJECTIVE_SAMPLERS.join(', ')}`,
      );
    }
  }
  return { objectives, constraints };
}

/** Samplers that search several objectives at once (random, sobol and grid ignore the values). */
export const SEVERAL_OBJECTIVE_SAMPLERS: readonly string[] = ['nsga2', 'motpe', 'random', 'sobol', 'grid'];

function naturalDirection(name: string, mlp: boolean): Direction | undefined {
  if ((MODEL_MEASURES as readonly string[]).includes(name)) return MEASURE_DIRECTION[name as ModelMeasure];
  if (name === 'train_loss' || name === INFERENCE_MS) return 'minimize';
  if (mlp && name in METRIC_DIRECTION) return METRIC_DIRECTION[name as MetricName];
  return undefined;
}

/** The number of trainable parameters of the built-in MLP with these parameters on data of this shape. */
export function mlpParamCount(params: Params, shape: ModelShape): number {
  const { units } = resolveMlpParams(params);
  let fanIn = shape.nFeatures;
  let count = 0;
  for (const fanOut of [...units, shape.nOutputs]) {
    count += fanIn * fanOut + fanOut;
    fanIn = fanOut;
  }
  return count;
}

/**
 * A finished trial's objective and constraint values. A name the trial did not record gives NaN (the
 * trial then does not count for the front, and an unknown constraint makes it infeasible).
 */
export function trialValues(
  o: StudyObjectives,
  facts: TrialFacts,
  shape: ModelShape | undefined,
): TrialValues {
  let count: number | undefined;
  const numberOf = (name: string): number => {
    if (shape !== undefined && (name === 'param_count' || name === 'size_bytes')) {
      count ??= mlpParamCount(facts.params, shape);
      return name === 'param_count' ? count : 4 * count;
    }
    if (name === INFERENCE_MS) return facts.inferenceMs ?? Number.NaN;
    return facts.metrics[name] ?? Number.NaN;
  };
  return {
    values: o.objectives.map((obj) => numberOf(obj.name)),
    constraints:
      o.constraints.length === 0
        ? undefined
        : o.constraints.map((c) => {
            const v = numberOf(c.name);
            const above = c.max === undefined ? Number.NEGATIVE_INFINITY : v - c.max;
            const below = c.min === undefined ? Number.NEGATIVE_INFINITY : c.min - v;
            return Number.isNaN(v) ? Number.NaN : Math.max(above, below);
          }),
  };
}

/** Whether a trial's constraint values make it feasible (every one ≤ 0; none: feasible). */
export function isFeasible(constraints: readonly number[] | null | undefined): boolean {
  return constraints == null || constraints.every((c) => c <= 0);
}

/**
 * The objectives a recorded study was judged by (from its config and its dataset's task), or undefined for a
 * study with one objective and no constraints.
 */
export function judgedObjectives(state: StudyState): StudyObjectives | undefined {
  const config = state.study.config as Partial<JudgingConfig>;
  if (config.objectives === undefined && config.constraints === undefined) return undefined;
  const schema = state.study.dataset?.schema as { task?: string } | null | undefined;
  return studyObjectives(config as JudgingConfig, schema?.task);
}

/** Whether a study's trials must time their model's predictions (`inference_ms` is judged). */
export function measuresInference(o: StudyObjectives | undefined): boolean {
  return (
    o !== undefined &&
    (o.objectives.some((x) => x.name === INFERENCE_MS) || o.constraints.some((c) => c.name === INFERENCE_MS))
  );
}
