/**
 * What a report shows, read from a ledger: the study's fold (through `summarize`), its digest, the
 * search space's parameters as chart axes, the learning curves and the parameter importance. Pure
 * given the ledger's content: the same ledger always gives the same model.
 */
import type { DatasetInfo, Environment, RefitState, TrialStatus } from '../ledger/index.js';
import { studyDigest } from '../ledger/index.js';
import { type Distribution, parseSpace, tryToUnit } from '../space/index.js';
import { type JudgedSummary, type StudySummary, summarizeAny } from '../study/summary.js';
import type { Direction } from '../train/types.js';
import { type FeatureDomain, fanova, type Importance } from './importance.js';

export type ParamValue = string | number | boolean;

/** One parameter as an axis of the charts. */
export interface ParamAxis {
  name: string;
  kind: 'numeric' | 'categorical';
  log: boolean;
  /** Categorical: the choices in order (as strings). */
  choices: string[];
  /** Numeric: the space's range (the values' range for a parameter the space does not declare). */
  domain: [number, number] | null;
  /** Numeric and only integer values (an int parameter): its ticks are integers. */
  integer: boolean;
  /** The values to label the axis at: every choice, or round numbers inside the domain. */
  ticks: ParamValue[];
  /** Whether some trial has no value for it (a conditional parameter). */
  conditional: boolean;
  /** The value mapped into [0, 1] (log-aware); undefined when absent or foreign. */
  unit(v: ParamValue | undefined): number | undefined;
}

export interface CurvePoint {
  epoch: number;
  value: number;
}

export interface ReportTrial {
  index: number;
  id: string;
  state: TrialStatus;
  /** As `show` prints it, e.g. `failed (environment)`. */
  label: string;
  score: number | null;
  epochs: number;
  error: string | null;
  params: Record<string, ParamValue>;
  curve: CurvePoint[];
  wallMs: number | null;
  replay: string;
  /** A study with several objectives or constraints: the objective values (null until it ends); else null. */
  values: number[] | null;
  /** A study with constraints: whether they hold (null until it ends, and without constraints). */
  feasible: boolean | null;
  /** Whether the trial is on the Pareto front (a study with several objectives or constraints). */
  front: boolean;
}

export interface ReportModel {
  ledger: string;
  study: string;
  key: string;
  seed: number;
  metric: string;
  direction: Direction;
  digest: string;
  configHash: string;
  config: Record<string, unknown>;
  dataset: DatasetInfo | null;
  environment: Environment;
  trials: ReportTrial[];
  best: { id: string; index: number; score: number } | null;
  /** A study with several objectives or constraints: its objectives, constraints and Pareto front; else null. */
  judged: JudgedSummary | null;
  refit: RefitState | null;
  axes: ParamAxis[];
  /** The per-epoch metric the learning curves plot. */
  curveMetric: string | null;
  importance: Importance[];
  /** Why importance is empty, when it is. */
  importanceNote: string | null;
  /** Which trials importance counts, and by which value. */
  importanceBasis: ImportanceBasis;
  warnings: string[];
  records: number;
}

/** The command that replays one trial. */
export function replayCommand(id: string, ledger: string): string {
  return `npx lockstep replay ${id} --ledger ${shellQuote(ledger)}`;
}

export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A value as the charts label it. */
export function show(v: ParamValue): string {
  return typeof v === 'number' ? String(Number(v.toPrecision(4))) : String(v);
}

const clean = (x: number) => Number(x.toPrecision(12));

/**
 * Round numbers to label a numeric axis over [low, high] at: on a log axis 1-2-5 steps (every
 * decade when it spans two or more, 1…9 when it spans less than 0.7 of one), else about five
 * steps of 1, 2 or 5 × 10^k; only integers on an integer axis. Never outside [low, high].
 */
export function numericTicks(low: number, high: number, opts: { log: boolean; integer: boolean }): number[] {
  if (!(high > low)) return [low];
  const keep = (t: number) => t >= low && t <= high && (!opts.integer || Number.isInteger(t));
  if (opts.log && low > 0) {
    const decades = Math.log10(high / low);
    const mantissas = decades >= 2 ? [1] : decades >= 0.7 ? [1, 2, 5] : [1, 2, 3, 4, 5, 6, 7, 8, 9];
    const every = Math.max(1, Math.ceil(decades / 6));
    const ticks: number[] = [];
    for (let k = Math.floor(Math.log10(low)); k <= Math.ceil(Math.log10(high)); k++) {
      if (((k % every) + every) % every !== 0) continue;
      for (const m of mantissas) {
        const t = clean(m * 10 ** k);
        if (keep(t)) ticks.push(t);
      }
    }
    if (ticks.length >= 2) return ticks;
  }
  const raw = (high - low) / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  let step = [1, 2, 5, 10].map((f) => f * magnitude).find((s) => s >= raw * (1 - 1e-9)) ?? 10 * magnitude;
  if (opts.integer) step = Math.max(1, Math.round(step));
  const ticks: number[] = [];
  for (let i = Math.ceil(clean(low / step)); clean(i * step) <= high; i++) {
    const t = clean(i * step);
    if (keep(t)) ticks.push(t);
  }
  return ticks;
}

/** Values of a stepped range to label: all of them, or every k-th so that about six remain. */
function gridTicks(low: number, high: number, step: number): number[] {
  const count = Math.round((high - low) / step) + 1;
  const stride = Math.ceil(count / 6);
  const ticks: number[] = [];
  for (let i = 0; i < count; i += stride) ticks.push(Math.min(high, clean(low + i * step)));
  return ticks;
}

function numericAxis(
  name: string,
  low: number,
  high: number,
  log: boolean,
  integer: boolean,
  conditional: boolean,
  unit: ParamAxis['unit'],
): ParamAxis {
  return {
    name,
    kind: 'numeric',
    log,
    choices: [],
    domain: [low, high],
    integer,
    ticks: numericTicks(low, high, { log, integer }),
    conditional,
    unit,
  };
}

function axisFromDist(name: string, dist: Distribution, conditional: boolean): ParamAxis | undefined {
  switch (dist.type) {
    case 'fixed':
      return undefined;
    case 'categorical':
      return {
        name,
        kind: 'categorical',
        log: false,
        choices: dist.choices.map(String),
        domain: null,
        integer: false,
        ticks: dist.choices,
        conditional,
        unit: (v) => tryToUnit(dist, v),
      };
    case 'int':
    case 'float': {
      if (!(dist.high > dist.low)) return undefined;
      const axis = numericAxis(
        name,
        dist.low,
        dist.high,
        dist.log === true,
        dist.type === 'int' || (Number.isInteger(dist.low) && Number.isInteger(dist.step ?? 0.5)),
        conditional,
        (v) => tryToUnit(dist, v),
      );
      // a stepped range is labelled at its own values (round numbers would fall between them)
      if (dist.step !== undefined && dist.log !== true)
        axis.ticks = gridTicks(dist.low, dist.high, dist.step);
      return axis;
    }
    default:
      return undefined;
  }
}

/** An axis from the values seen, for a parameter the recorded space does not declare. */
function axisFromValues(name: string, values: ParamValue[], conditional: boolean): ParamAxis | undefined {
  const nums = values.filter((v): v is number => typeof v === 'number');
  if (nums.length === values.length && nums.length > 0) {
    const low = Math.min(...nums);
    const high = Math.max(...nums);
    if (!(high > low)) return undefined;
    return numericAxis(name, low, high, false, nums.every(Number.isInteger), conditional, (v) =>
      typeof v === 'number' ? (v - low) / (high - low) : undefined,
    );
  }
  const choices = [...new Set(values.map(String))].sort();
  if (choices.length < 2) return undefined;
  return {
    name,
    kind: 'categorical',
    log: false,
    choices,
    domain: null,
    integer: false,
    ticks: choices,
    conditional,
    unit: (v) => {
      const i = v === undefined ? -1 : choices.indexOf(String(v));
      return i < 0 ? undefined : (i + 0.5) / choices.length;
    },
  };
}

/** The chart axes: the space's parameters in its order (fixed ones left out), then any others seen. */
function axesOf(summary: StudySummary): ParamAxis[] {
  const trials = summary.state.trials;
  const seen = new Map<string, ParamValue[]>();
  for (const t of trials) {
    for (const [k, v] of Object.entries(t.params)) {
      const list = seen.get(k);
      if (list) list.push(v);
      else seen.set(k, [v]);
    }
  }
  const conditional = (name: string) => trials.some((t) => !(name in t.params));
  const axes: ParamAxis[] = [];
  const declared = new Set<string>();
  let space: ReturnType<typeof parseSpace> | undefined;
  try {
    space = parseSpace(summary.state.study.config.space ?? 'mlp-default');
  } catch {
    space = undefined; // an old or foreign space: fall back to the values seen
  }
  for (const spec of space?.params ?? []) {
    declared.add(spec.name);
    if (!seen.has(spec.name)) continue;
    const axis = axisFromDist(spec.name, spec.dist, conditional(spec.name));
    if (axis) axes.push(axis);
  }
  for (const [name, values] of [...seen].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (declared.has(name)) continue;
    const axis = axisFromValues(name, values, conditional(name));
    if (axis) axes.push(axis);
  }
  return axes;
}

function curveMetricOf(summary: StudySummary): string | null {
  const keys = new Set<string>();
  for (const t of summary.state.trials)
    for (const p of t.progress) for (const k of Object.keys(p.metrics)) keys.add(k);
  if (keys.has(summary.metric)) return summary.metric;
  return [...keys].sort()[0] ?? null;
}

/** What the importance was fitted to. */
export interface ImportanceBasis {
  /**
   * Null: the complete trials' final scores. A number: the per-epoch metric at that epoch, the last
   * one that every counted complete and pruned trial reached.
   */
  epoch: number | null;
  complete: number;
  pruned: number;
  /** Why the study's pruned trials are not counted, when it has some and they are not. */
  prunedLeftOut: string | null;
}

/**
 * The trials importance is fitted to, and the value of each. A pruned trial has no final score,
 * and leaving it out hides what made it bad (six of seven sgd trials pruned, the seventh lucky:
 * optimizer 0). So when the study has pruned trials, every complete and pruned trial is compared
 * at the last epoch they all reached, by the metric recorded after that epoch.
 */
function importanceData(
  trials: ReportTrial[],
  metric: string,
  curveMetric: string | null,
): { rows: { trial: ReportTrial; y: number }[]; basis: ImportanceBasis } {
  const complete = trials.filter(
    (t) => t.state === 'complete' && t.score !== null && Number.isFinite(t.score),
  );
  const pruned = trials.filter((t) => t.state === 'pruned');
  const finals = {
    rows: complete.map((trial) => ({ trial, y: trial.score! })),
    basis: { epoch: null, complete: complete.length, pruned: 0, prunedLeftOut: null },
  };
  if (pruned.length === 0) return finals;
  const leftOut = (why: string) => ({ ...finals, basis: { ...finals.basis, prunedLeftOut: why } });
  if (curveMetric !== metric) return leftOut(`the ledger has no per-epoch ${metric} to compare them by`);
  if (pruned.some((t) => t.curve.length === 0))
    return leftOut('some were pruned before their first epoch, so there is no epoch to compare them at');
  const epoch = Math.min(...pruned.map((t) => t.curve.at(-1)!.epoch));
  const at = (t: ReportTrial) => t.curve.find((p) => p.epoch === epoch)?.value;
  const counted = [...complete, ...pruned]
    .filter((t) => at(t) !== undefined)
    .sort((a, b) => a.index - b.index);
  const countedPruned = counted.filter((t) => t.state === 'pruned').length;
  if (countedPruned === 0) return leftOut(`none of them recorded ${metric} at epoch ${epoch}`);
  return {
    rows: counted.map((trial) => ({ trial, y: at(trial)! })),
    basis: { epoch, complete: counted.length - countedPruned, pruned: countedPruned, prunedLeftOut: null },
  };
}

/**
 * fANOVA over the trials `importanceData` picks. A conditional parameter's domain is [-1, 1]: its
 * values in [0, 1], "inactive" at -0.5, so that being inactive is a level of it.
 */
function importanceOf(
  axes: ParamAxis[],
  trials: ReportTrial[],
  seed: number,
  metric: string,
  curveMetric: string | null,
): { importance: Importance[]; note: string | null; basis: ImportanceBasis } {
  const { rows, basis } = importanceData(trials, metric, curveMetric);
  if (axes.length === 0) return { importance: [], note: 'the study has no varying parameters', basis };
  if (rows.length < 2)
    return {
      importance: [],
      note: basis.epoch === null ? 'needs at least two complete trials' : 'needs at least two trials',
      basis,
    };
  const domains: FeatureDomain[] = axes.map((a) => ({ name: a.name, low: a.conditional ? -1 : 0, high: 1 }));
  const importance = fanova(
    domains,
    rows.map(({ trial }) => axes.map((a) => a.unit(trial.params[a.name]) ?? -0.5)),
    rows.map(({ y }) => y),
    seed,
  );
  const same =
    basis.epoch === null
      ? 'every complete trial has the same score'
      : `every trial has the same ${metric} at epoch ${basis.epoch}`;
  return { importance, note: importance.length === 0 ? same : null, basis };
}

/** Builds the model of a summarised study. */
export function modelOf(summary: StudySummary): ReportModel {
  const { state } = summary;
  const curveMetric = curveMetricOf(summary);
  const onFront = new Set(summary.judged?.front.map((t) => t.index));
  const trials: ReportTrial[] = state.trials.map((t, k) => {
    const row = summary.trials[k]!;
    const curve: CurvePoint[] = [];
    if (curveMetric !== null) {
      for (const p of t.progress) {
        const v = p.metrics[curveMetric];
        if (v !== undefined && Number.isFinite(v)) curve.push({ epoch: p.epoch, value: v });
      }
    }
    return {
      index: t.index,
      id: t.id,
      state: t.state,
      label: row.state,
      score: t.score,
      epochs: row.epochs,
      error: t.error,
      params: t.params,
      curve,
      wallMs: t.meta?.wallMs ?? null,
      replay: replayCommand(t.id, summary.ledger),
      values: row.values ?? null,
      feasible: row.feasible ?? null,
      front: onFront.has(t.index),
    };
  });
  const axes = axesOf(summary);
  const {
    importance,
    note,
    basis: importanceBasis,
  } = importanceOf(axes, trials, state.study.seed, summary.metric, curveMetric);
  return {
    ledger: summary.ledger,
    study: summary.study,
    key: summary.key,
    seed: state.study.seed,
    metric: summary.metric,
    direction: summary.direction,
    digest: studyDigest(state),
    configHash: state.study.configHash,
    config: state.study.config,
    dataset: state.study.dataset,
    environment: state.study.environment,
    trials,
    best: summary.best ? { id: summary.best.id, index: summary.best.index, score: summary.best.score } : null,
    judged: summary.judged,
    refit: state.refit,
    axes,
    curveMetric,
    importance,
    importanceNote: note,
    importanceBasis,
    warnings: summary.warnings,
    records: state.records,
  };
}

/** Reads a ledger (a file, without a lock, or a postgres:// URL) and builds its report model. */
export async function readReportModel(ledger: string): Promise<ReportModel> {
  return modelOf(await summarizeAny(ledger));
}
