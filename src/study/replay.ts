import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PreparedData } from '../data/types.js';
import { DataError, NotFoundError } from '../errors.js';
import { canonicalJson } from '../ledger/canonical.js';
import type { StudyInfo, StudyState, TrialView } from '../ledger/index.js';
import { foldLedger, readLedger } from '../ledger/index.js';
import { recordedEpochs, recordedOf } from '../ledger/progress.js';
import { readLedgerAny } from '../ledger/url.js';
import type { SharedPreparedData, TrialResult, TrialTask } from '../pool/index.js';
import { TrainerPool, toShared } from '../pool/index.js';
import { FUNCTION_PREFIX, runTrialTask } from '../pool/run.js';
import type { Objective } from '../pool/types.js';
import { environment, initBackend } from '../train/backend.js';
import type { BackendName, EpochMetrics, MetricName } from '../train/types.js';
import { parseStudyConfig, type StudyConfig } from './config.js';
import { prepareStudyData, type StudyData } from './data.js';
import { parseTrialId } from './ids.js';
import { functionObjective, objectiveOf } from './objective.js';
import { type ModelShape, type StudyObjectives, studyObjectives, trialValues } from './objectives.js';

export type Verdict = 'exact' | 'close' | 'diverged';

/** The first recorded number (or state, error, hash) that a replay did not give again. */
export interface Difference {
  where: string;
  recorded: unknown;
  replayed: unknown;
}

/** An environment field that differs between the recording and this machine. */
export interface EnvironmentDifference {
  field: string;
  recorded: unknown;
  now: unknown;
}

export interface ReplaySummary {
  state: string;
  score: number | null;
  weightsHash: string | null;
  epochs: number;
}

export interface ReplayResult {
  id: string;
  ledger: string;
  verdict: Verdict;
  /** What differed first, for `close` and `diverged`. */
  difference: Difference | null;
  /** Environment fields that differ between the recording and this machine. */
  environmentDiff: EnvironmentDifference[];
  /** Relative tolerance used for `close`. */
  tolerance: number;
  recorded: ReplaySummary;
  replayed: ReplaySummary;
}

export interface ReplayOptions {
  id: string;
  /** The ledger; default: searched for under `runs/`. */
  ledger?: string;
  /** Where to find the dataset when it has moved since the study was recorded. */
  dataset?: string;
  runs?: string;
  tolerance?: number;
  /** The objective function of a study run with one (from code): replayed in this thread. */
  objective?: Objective;
}

/** Finds the ledger that holds a trial ID by reading the first line of each `runs/<study>/ledger.jsonl`. */
export function findLedger(id: string, runs = 'runs'): string {
  const parsed = parseTrialId(id);
  if (!parsed) throw new NotFoundError(`trial ID '${id}' is not of the form <8 hex digits>-<index>`);
  const root = resolve(runs);
  if (existsSync(root)) {
    for (const name of readdirSync(root).sort()) {
      const path = join(root, name, 'ledger.jsonl');
      if (!existsSync(path)) continue;
      try {
        const records = readLedger(path).records;
        const first = records[0];
        if (first?.type === 'study' && first.study.key.startsWith(parsed.keyPrefix)) return path;
      } catch {
        // a damaged ledger elsewhere does not stop the search for this one
      }
    }
  }
  throw new NotFoundError(`trial ${id}: no ledger under ${runs}/ holds it (give --ledger PATH)`);
}

export function findTrial(state: StudyState, id: string, ledger: string): TrialView {
  const parsed = parseTrialId(id);
  const t = parsed ? state.trials.find((x) => x.index === parsed.index && x.id === id) : undefined;
  if (!t) throw new NotFoundError(`trial ${id} is not in ledger ${ledger}`);
  return t;
}

export const sameNumber = (a: unknown, b: unknown) =>
  Object.is(a, b) || (a === null && typeof b === 'number' && !Number.isFinite(b));

function relClose(a: unknown, b: unknown, tol: number): boolean {
  if (sameNumber(a, b)) return true;
  if (typeof a !== 'number' || typeof b !== 'number') return false;
  return Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));
}

type Eq = (a: unknown, b: unknown) => boolean;

/** The first metric, in sorted name order, that one side lacks or that differs; `where` prefixes its name. */
export function metricsDifference(
  recorded: Readonly<Record<string, unknown>>,
  replayed: Readonly<Record<string, unknown>>,
  where: string,
  eq: Eq = sameNumber,
): Difference | null {
  const keys = [...new Set([...Object.keys(recorded), ...Object.keys(replayed)])].sort();
  for (const k of keys) {
    if (!(k in recorded) || !(k in replayed) || !eq(recorded[k], replayed[k]))
      return { where: `${where}${k}`, recorded: recorded[k] ?? null, replayed: replayed[k] ?? null };
  }
  return null;
}

/**
 * Compares recorded and replayed per-epoch metrics (every metric of every epoch, either side's). `epochs` names
 * the entries (default 1, 2, 3 …).
 */
function firstDifference(
  recorded: EpochMetrics[],
  replayed: EpochMetrics[],
  eq: Eq,
  epochs?: readonly number[],
): Difference | null {
  const n = Math.max(recorded.length, replayed.length);
  for (let e = 0; e < n; e++) {
    const r = recorded[e];
    const p = replayed[e];
    const epoch = epochs?.[e] ?? e + 1;
    if (!r || !p) return { where: `epoch ${epoch}`, recorded: r ?? null, replayed: p ?? null };
    const d = metricsDifference(r, p, `epoch ${epoch} `, eq);
    if (d) return d;
  }
  return null;
}

/** What a replay needs once per study: the parsed config, the environment's differences, the data or module. */
export interface ReplayContext {
  ledger: string;
  study: StudyInfo;
  config: StudyConfig;
  metric: string;
  backend: BackendName;
  environmentDiff: EnvironmentDifference[];
  /** The study's data, rebuilt and checked against the recorded hash (MLP objective); else null. */
  data: StudyData | null;
  shared: SharedPreparedData | null;
  /** The objective module's path (module objective), or a registered function's name; else null. */
  module: string | null;
  /** A function objective's prepared split (its study named a dataset). */
  functionData?: PreparedData;
  /**
   * Where the rebuilt study differs from the recorded one (dataset hash, preprocessing, schema): a replay
   * of it cannot be exact. Empty when they agree.
   */
  mismatches: string[];
  /** A study with several objectives or constraints: what its trials' values are (compared by judgeReplay). */
  judged?: { spec: StudyObjectives; shape: ModelShape | undefined };
}

/**
 * Prepares the replay of a study's trials: initialises its backend, rebuilds its dataset's split and
 * preprocessing (or finds its module) and compares them with what the study recorded.
 */
export async function replayContext(
  state: StudyState,
  ledger: string,
  o: {
    dataset?: string;
    prepare?: (config: StudyConfig, source: string) => Promise<StudyData>;
    objective?: Objective;
  } = {},
): Promise<ReplayContext> {
  const study = state.study;
  const config = parseStudyConfig({ ...study.config, budget: { trials: 1 } }, `${ledger}: study config`);
  const backend = study.environment.backend as BackendName;
  await initBackend(backend);
  const env = environment();
  const environmentDiff = (
    ['lockstep', 'numeric', 'backend', 'backendVersion', 'tfjs', 'node', 'platform', 'arch', 'cpu'] as const
  )
    .filter((f) => String(study.environment[f]) !== String(env[f]))
    .map((f) => ({ field: f, recorded: study.environment[f], now: env[f] }));

  const mismatches: string[] = [];
  // A function objective: the caller passes the function (its source must hash to the recorded one).
  const registered = functionObjective(config, o.objective);
  if (config.objective !== 'mlp' && (registered === undefined || study.dataset == null)) {
    const mod =
      typeof study.config.objective === 'object' ? (study.config.objective as { module: string }).module : '';
    // Where the study found it; else the config's path taken from here (ledgers older than that field).
    const module =
      registered ?? (study.module != null && existsSync(study.module) ? study.module : resolve(mod));
    const { metric } = objectiveOf(config, undefined);
    const spec = studyObjectives(config, undefined);
    return {
      ...(spec === undefined ? {} : { judged: { spec, shape: undefined } }),
      ledger,
      study,
      config,
      metric,
      backend,
      environmentDiff,
      data: null,
      shared: null,
      module,
      mismatches,
    };
  }
  const source = o.dataset ?? study.dataset?.source;
  if (source === undefined) throw new DataError(`${ledger}: the study records no dataset`);
  const data = await (o.prepare ?? prepareStudyData)(config, source);
  if (data.hash !== study.dataset?.hash) {
    mismatches.push(
      `${source}: dataset hash ${data.hash.slice(0, 16)}… differs from the recorded ${study.dataset?.hash.slice(0, 16)}…; replay needs the same bytes`,
    );
  } else if (canonicalJson(data.pipeline) !== canonicalJson(study.preprocessing)) {
    mismatches.push(`${source}: the rebuilt preprocessing differs from the recorded one (engine change?)`);
  } else if (
    canonicalJson(data.schema) !== canonicalJson(study.dataset.schema) ||
    data.rows !== study.dataset.rows
  ) {
    mismatches.push(`${source}: the rebuilt schema or row count differs from the recorded one`);
  }
  const { metric } = objectiveOf(config, data.schema.task);
  const spec = studyObjectives(config, data.schema.task);
  const shape = { nFeatures: data.data.nFeatures, nOutputs: data.data.nOutputs };
  return {
    ...(spec === undefined
      ? {}
      : { judged: { spec, shape: config.objective === 'mlp' ? shape : undefined } }),
    ledger,
    study,
    config,
    metric,
    backend,
    environmentDiff,
    data,
    shared: registered === undefined ? toShared(data.data) : null,
    ...(registered === undefined ? { module: null } : { module: registered, functionData: data.data }),
    mismatches,
  };
}

/** The task that retrains a recorded trial: its seed and params, to its recorded stop when it was pruned. */
export function replayTask(ctx: ReplayContext, trial: TrialView): TrialTask {
  const stop = trial.state === 'pruned' ? { stopAtEpoch: trial.epochs } : {};
  if (ctx.shared !== null) {
    return {
      kind: 'mlp',
      data: ctx.shared,
      params: trial.params,
      seed: trial.seed,
      metric: ctx.metric as MetricName,
      ...stop,
    };
  }
  return {
    kind: 'module',
    module: ctx.module!,
    params: trial.params,
    seed: trial.seed,
    index: trial.index,
    ...(ctx.functionData === undefined ? {} : { data: ctx.functionData }),
    ...stop,
  };
}

/** Whether a trial's recorded outcome can be replayed: it finished for good (not running, not lost to the environment). */
export function isReplayable(trial: TrialView): boolean {
  return trial.state !== 'running' && !(trial.state === 'failed' && trial.cause !== 'trial');
}

/**
 * Judges a replay against the recorded trial: its state, epochs, every metric of every epoch, the final
 * metrics, the score, the error (a failed trial must fail again for the same reason) and the weights hash.
 * `exact` when every one is bit-identical; `close` when the environment differs and every number is within
 * `tolerance`; else `diverged`, with the first difference.
 */
export function judgeReplay(
  trial: TrialView,
  r: TrialResult,
  environmentDiff: readonly EnvironmentDifference[],
  tolerance: number,
  /** The study's objectives: the replayed values (from the replayed metrics; a timing as recorded) are compared too. */
  judged?: ReplayContext['judged'],
): { verdict: Verdict; difference: Difference | null; recorded: ReplaySummary; replayed: ReplaySummary } {
  const replayed: ReplaySummary = {
    state: r.state === 'failed' ? 'failed' : r.stopped ? 'pruned' : 'complete',
    score: r.state === 'failed' ? null : r.score,
    weightsHash: r.state === 'failed' ? null : (r.weightsHash ?? null),
    epochs: r.epochs,
  };
  const recorded: ReplaySummary = {
    state: trial.state,
    score: trial.score,
    weightsHash: trial.weightsHash,
    epochs: trial.epochs ?? 0,
  };
  const recordedHistory = trial.progress.map((p) => p.metrics as EpochMetrics);
  // The ledger records every epoch up to 100, then one in ten per decade, and the last (ledger/progress.ts): the
  // replay's epochs at those positions are compared. A ledger from before that rule recorded every epoch.
  const sampled = recordedHistory.length !== r.history.length;
  const replayedHistory = sampled ? recordedOf(r.history) : r.history;
  const positions = sampled ? recordedEpochs(r.history.length) : undefined;
  // A failed trial records its last epoch's metrics (the runner's outcome), a finished one its final metrics.
  const replayedMetrics: EpochMetrics = r.state === 'failed' ? (r.history.at(-1) ?? {}) : r.metrics;

  const compare = (eq: Eq): Difference | null =>
    recorded.state !== replayed.state
      ? { where: 'state', recorded: recorded.state, replayed: replayed.state }
      : (firstDifference(recordedHistory, replayedHistory, eq, positions) ??
        (recorded.epochs !== replayed.epochs
          ? { where: 'epochs', recorded: recorded.epochs, replayed: replayed.epochs }
          : null) ??
        metricsDifference(trial.metrics, replayedMetrics, 'metrics ', eq) ??
        (!eq(recorded.score, replayed.score)
          ? { where: 'score', recorded: recorded.score, replayed: replayed.score }
          : null) ??
        valuesDifference(eq));
  const valuesDifference = (eq: Eq): Difference | null => {
    if (judged === undefined || r.state === 'failed' || trial.values === null) return null;
    const again = trialValues(
      judged.spec,
      { params: trial.params, metrics: replayedMetrics, inferenceMs: trial.meta?.inferenceMs },
      judged.shape,
    );
    const pairs: [string, number[] | null, number[] | undefined][] = [
      ['values', trial.values, again.values],
      ['constraints', trial.constraints, again.constraints],
    ];
    for (const [where, rec, rep] of pairs) {
      for (let k = 0; k < (rec?.length ?? 0); k++) {
        if (!eq(rec![k]!, rep?.[k] ?? null))
          return { where: `${where}[${k}]`, recorded: rec![k]!, replayed: rep?.[k] ?? null };
      }
    }
    return null;
  };

  let difference = compare(sameNumber);
  // A trial that failed for a reason of its own must fail again for the same reason.
  const replayedError = r.state === 'failed' ? r.error : null;
  if (difference === null && recorded.state === 'failed' && trial.error !== replayedError) {
    difference = { where: 'error', recorded: trial.error, replayed: replayedError };
  }
  if (difference === null && recorded.weightsHash !== replayed.weightsHash) {
    difference = { where: 'weightsHash', recorded: recorded.weightsHash, replayed: replayed.weightsHash };
  }
  const verdict: Verdict =
    difference === null
      ? 'exact'
      : environmentDiff.length > 0 && compare((a, b) => relClose(a, b, tolerance)) === null
        ? 'close'
        : 'diverged';
  return { verdict, difference, recorded, replayed };
}

/**
 * Retrains one recorded trial with its recorded seed and parameters, on the dataset whose hash the
 * study recorded, with the preprocessing rebuilt, and compares every recorded number and the weights hash.
 */
export async function replay(o: ReplayOptions): Promise<ReplayResult> {
  const ledger = o.ledger ?? findLedger(o.id, o.runs);
  const state = foldLedger((await readLedgerAny(ledger)).records);
  const trial = findTrial(state, o.id, ledger);
  if (!isReplayable(trial)) {
    throw new NotFoundError(
      `trial ${o.id} did not finish (${trial.state === 'running' ? 'still running or lost' : `failed: ${trial.error}`}); there is nothing to replay`,
    );
  }
  const tolerance = o.tolerance ?? 1e-3;
  const ctx = await replayContext(state, ledger, {
    ...(o.dataset === undefined ? {} : { dataset: o.dataset }),
    ...(o.objective === undefined ? {} : { objective: o.objective }),
  });
  if (ctx.mismatches[0] !== undefined) throw new DataError(ctx.mismatches[0]);
  let r: TrialResult;
  if (ctx.module?.startsWith(FUNCTION_PREFIX)) {
    // A function runs in this thread, as it did in the search.
    r = await runTrialTask(replayTask(ctx, trial));
  } else {
    const pool = new TrainerPool({ workers: 1, backend: ctx.backend });
    try {
      r = await pool.run(replayTask(ctx, trial));
    } finally {
      await pool.close();
    }
  }
  const judged = judgeReplay(trial, r, ctx.environmentDiff, tolerance, ctx.judged);
  return { id: o.id, ledger, environmentDiff: ctx.environmentDiff, tolerance, ...judged };
}
