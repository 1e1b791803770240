import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError, errorLine, LockstepError } from '../errors.js';
import type { FileLedger, StudyState, TrialRecordState } from '../ledger/index.js';
import { createLedger, foldLedger, holdsCompleteLine, openLedger, studyDigest } from '../ledger/index.js';
import { curveOfProgress } from '../ledger/progress.js';
import { isPgUrl } from '../ledger/url.js';
import { createLogger, type Logger } from '../log.js';
import type { TrialResult, TrialTask } from '../pool/index.js';
import { DEFAULT_WORKER_MEMORY_MB, TrainerPool, toShared } from '../pool/index.js';
import { registerObjective, runTrialTask } from '../pool/run.js';
import type { Objective } from '../pool/types.js';
import { createPruner, fixedEpochs } from '../pruners/index.js';
import { createSampler } from '../samplers/index.js';
import type { FinishedTrial } from '../samplers/types.js';
import { parseSpace } from '../space/index.js';
import { initBackend } from '../train/backend.js';
import { defaultMetric, METRIC_DIRECTION } from '../train/metrics.js';
import type { BackendName, Direction, EpochMetrics, MetricName } from '../train/types.js';
import { configFrom, type StudyConfig } from './config.js';
import { outcomeOf, type RunOutcome, runController, type TrialSpec, toFinishedTrial } from './controller.js';
import { prepareStudyData, type StudyData, studyBody } from './data.js';
import {
  type FailureCount,
  failingFromTheStart,
  failureCounts,
  GIVE_UP_AFTER,
  type TrialOutcome,
} from './failures.js';
import { checkStudy } from './preflight.js';
import { type RefitResult, runRefit } from './refit.js';

export interface SearchOptions {
  /** A config file, or a parsed config with `base` (the folder its relative paths are taken from). */
  config: string | StudyConfig;
  base?: string;
  /** Worker threads; default min(parallelism, cores), at least 1. */
  workers?: number;
  /** Overrides the config's trial budget. */
  trials?: number;
  /** The folder under which `<study name>/` is written; default `runs`. */
  out?: string;
  signal?: AbortSignal;
  /** Called after each trial, for progress. */
  onTrial?: (e: {
    index: number;
    id: string;
    state: string;
    score: number | null;
    done: number;
    total: number;
    best: number | null;
  }) => void;
  logger?: Logger;
  /**
   * Run trials in this thread instead of a worker pool (one at a time). For callers that parallelise
   * across studies, like the strategy benchmark; the results are the same bits.
   */
  inline?: boolean;
  /** The ledger: a file (default `<out>/<study name>/ledger.jsonl`) or a `postgres://` URL (see study/worker.ts). */
  ledger?: string;
  /**
   * The objective function of a config whose `objective` is `{ function, sha256 }` (the typed API's
   * `search` sets both): its source must hash to the recorded sha256. It runs in this thread, one trial
   * at a time (as `inline`).
   */
  objective?: Objective;
}

/** The SHA-256 of an objective function's source text: part of the study's identity. */
export function objectiveSourceHash(objective: Objective): string {
  return createHash('sha256').update(objective.toString()).digest('hex');
}

/**
 * For a config whose objective is a function: checks the given function against the recorded hash and
 * registers it for this thread; returns the name its tasks carry. Undefined for other objectives.
 */
export function functionObjective(config: StudyConfig, objective: Objective | undefined): string | undefined {
  const o = config.objective;
  if (typeof o !== 'object' || !('function' in o)) return undefined;
  if (objective === undefined) {
    throw new ConfigError(
      `config: objective: the study's objective is a function (${o.function}); pass it (search({ …, objective }) or replay({ …, objective }) from code)`,
    );
  }
  const hash = objectiveSourceHash(objective);
  if (hash !== o.sha256) {
    throw new ConfigError(
      `config: objective: the function's source hashes to ${hash.slice(0, 12)}…, the study recorded ${o.sha256.slice(0, 12)}… (the function changed: start a new study)`,
    );
  }
  return registerObjective(o.sha256, objective);
}

export interface BestTrial {
  id: string;
  index: number;
  score: number;
  params: Record<string, string | number | boolean>;
}

export interface SearchResult {
  study: string;
  digest: string;
  ledger: string;
  /** Finished trials (complete, pruned or failed). */
  trials: number;
  complete: number;
  pruned: number;
  failed: number;
  best: BestTrial | null;
  refit: RefitResult | null;
  /** True when the run stopped before its budget (interrupted or out of time). */
  stopped: boolean;
  warnings: string[];
  epochs: number;
  /** The failed trials by error (their latest attempt), most frequent first. */
  failures: FailureCount[];
  /**
   * When the study stopped because its first trials all failed with one error (see failingFromTheStart):
   * that error; else null.
   */
  gaveUp: string | null;
}

/** The study's metric and direction. */
export function objectiveOf(
  config: StudyConfig,
  task: string | undefined,
): { metric: string; direction: Direction } {
  if (config.objective !== 'mlp') {
    return { metric: 'value', direction: config.direction ?? 'minimize' };
  }
  const metric = config.metric ?? defaultMetric(task as 'binary' | 'multiclass' | 'regression');
  const direction = METRIC_DIRECTION[metric];
  if (config.direction !== undefined && config.direction !== direction) {
    throw new ConfigError(
      `config: direction: metric '${metric}' is to ${direction}, but direction says ${config.direction}`,
    );
  }
  return { metric, direction };
}

/** The best complete trial: highest or lowest score by direction, ties to the lower index. */
export function bestTrial(state: StudyState, direction: Direction): BestTrial | null {
  let best: BestTrial | null = null;
  for (const t of state.trials) {
    if (t.state !== 'complete' || t.score === null || !Number.isFinite(t.score)) continue;
    if (best === null || (direction === 'maximize' ? t.score > best.score : t.score < best.score)) {
      best = { id: t.id, index: t.index, score: t.score, params: t.params };
    }
  }
  return best;
}

function finishedFromState(state: StudyState, metric: string): Map<number, FinishedTrial> {
  const m = new Map<number, FinishedTrial>();
  for (const t of state.trials) {
    if (t.state === 'running') continue;
    if (t.state === 'failed' && t.cause !== 'trial') continue;
    const curve = curveOfProgress(t.progress, t.epochs, metric);
    m.set(t.index, toFinishedTrial(t, t.state as TrialRecordState, t.score, curve));
  }
  return m;
}

/**
 * The signal a trial runs under: the study's, and a timer when `seconds` is set. A timed-out trial's
 * worker is terminated (piscina aborts a running task by ending its thread) and replaced.
 */
function trialTimeout(
  signal: AbortSignal,
  seconds: number | undefined,
): { signal: AbortSignal; timedOut: () => boolean; clear: () => void } {
  if (seconds === undefined) return { signal, timedOut: () => false, clear: () => undefined };
  const ac = new AbortController();
  let fired = false;
  const timer = setTimeout(() => {
    fired = true;
    ac.abort();
  }, seconds * 1000); // timing only: decides whether a trial is lost, never its numbers
  const onAbort = () => ac.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  return {
    signal: ac.signal,
    timedOut: () => fired && !signal.aborted,
    clear: () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    },
  };
}

/**
 * Runs a study to its budget, or resumes it when its ledger exists: the final digest equals that of
 * an uninterrupted run. Every event is appended to the ledger before it is acted on.
 */
export async function search(opts: SearchOptions): Promise<SearchResult> {
  const { config, resolved } = configFrom(opts.config, { base: opts.base, trials: opts.trials });
  // The config may name the ledger (a file inside its folder, or `postgres://…`); the --ledger option wins.
  const ledgerOption = opts.ledger ?? resolved.ledger;
  const objectiveFunction = functionObjective(config, opts.objective);
  if (objectiveFunction !== undefined && ledgerOption !== undefined && isPgUrl(ledgerOption)) {
    throw new ConfigError(
      'config: ledger: a study whose objective is a function runs in this process only; give it a ledger file',
    );
  }
  if (ledgerOption !== undefined && isPgUrl(ledgerOption)) {
    const { searchOnPostgres } = await import('./worker.js');
    return searchOnPostgres({ ...opts, ledger: ledgerOption });
  }

  const space = parseSpace(config.space, 'space');
  const where = typeof opts.config === 'string' ? opts.config : 'config';
  // What is sure to fail every trial is refused before anything is written (the task, when the config says it).
  checkStudy(config, space, config.task, where);
  const sampler = createSampler(config.sampler);
  const pruner = createPruner(config.pruner, { epochs: fixedEpochs(space) });
  const dir = resolve(opts.out ?? 'runs', config.name);
  const ledgerPath = ledgerOption ?? join(dir, 'ledger.jsonl');
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    // A recursive mkdir can say ENOENT where the parent is read-only: a plain mkdir gives the real reason.
    let why = e;
    try {
      mkdirSync(dir);
    } catch (e2) {
      why = e2;
    }
    throw new LockstepError('E_IO', `${dir}: cannot create the study folder (${errorLine(why)})`, {
      cause: e,
    });
  }
  const log = opts.logger ?? createLogger({ file: join(dir, 'lockstep.log') });

  const backend = config.backend as BackendName;
  await initBackend(backend);
  // The workers start now: each loads tfjs and its backend while this thread reads and prepares the dataset.
  // A function cannot go to a worker thread: its trials run here, one at a time.
  const inline = opts.inline === true || objectiveFunction !== undefined;
  const workers = inline
    ? 1
    : Math.max(1, opts.workers ?? Math.min(Math.max(config.parallelism, 1), availableParallelism()));
  const pool = inline
    ? null
    : new TrainerPool({
        workers,
        backend,
        ...(config.worker_memory_mb !== undefined ? { memoryMb: config.worker_memory_mb } : {}),
      });
  let opened: FileLedger | undefined;
  try {
    let studyData: StudyData | null = null;
    // The MLP trains on the dataset; a function objective gets it prepared as context.data when one is named.
    if (config.objective === 'mlp' || (objectiveFunction !== undefined && resolved.dataset !== undefined)) {
      studyData = await prepareStudyData(config, resolved.dataset!);
    }
    // The inferred task is known now, still before the ledger is created or opened.
    checkStudy(config, space, studyData?.schema.task, where);
    const { metric, direction } = objectiveOf(config, studyData?.schema.task);
    const body = studyBody(config, studyData, resolved.module);
    const { key, configHash: cHash, environment: env } = body;

    const warnings: string[] = [];
    let ledger: FileLedger;
    // A ledger without one complete line is a crash while it was being created: created anew (with a warning).
    if (existsSync(ledgerPath) && holdsCompleteLine(ledgerPath)) {
      ledger = openLedger(ledgerPath, { durability: 'group' });
      opened = ledger;
      warnings.push(...ledger.warnings);
      const recorded = foldLedger(ledger.records()).study;
      const problem =
        recorded.configHash !== cHash
          ? `its config differs (config hash ${recorded.configHash.slice(0, 12)}… recorded, ${cHash.slice(0, 12)}… now)`
          : recorded.dataset?.hash !== body.dataset?.hash
            ? `its dataset differs (hash ${recorded.dataset?.hash.slice(0, 12)}… recorded, ${body.dataset?.hash.slice(0, 12)}… now)`
            : recorded.environment.backend !== env.backend ||
                recorded.environment.numeric !== env.numeric ||
                recorded.environment.backendVersion !== env.backendVersion
              ? `it was recorded with backend ${recorded.environment.backend} ${recorded.environment.backendVersion} (numeric version ${recorded.environment.numeric}), this is ${env.backend} ${env.backendVersion} (numeric version ${env.numeric})`
              : undefined;
      if (problem !== undefined) {
        throw new ConfigError(
          `${ledgerPath}: cannot resume this study: ${problem}; use --out to start a new one`,
        );
      }
      ledger.append({ type: 'study.note', message: 'resumed', data: { warnings } });
      log.info({ ledger: ledgerPath, warnings }, 'resuming study');
    } else {
      ledger = createLedger(ledgerPath, body, { durability: 'group' });
      opened = ledger;
      warnings.push(...ledger.warnings);
      log.info({ ledger: ledgerPath, key }, 'new study');
    }

    const exec = (
      task: TrialTask,
      o: {
        signal: AbortSignal;
        onEpoch: (epoch: number, metrics: EpochMetrics) => void | 'stop';
        mayStop: boolean;
      },
    ) =>
      pool
        ? pool.run(task, { signal: o.signal, onEpoch: o.onEpoch, wait: o.mayStop })
        : runTrialTask(task, o.onEpoch);
    const shared = studyData ? toShared(studyData.data) : null;
    let stopped = false;
    const state0 = foldLedger(ledger.records());
    const finished0 = finishedFromState(state0, metric);
    let best: number | null = bestTrial(state0, direction)?.score ?? null;
    // Each trial's latest outcome, to see whether the first ones all fail alike (then the study stops).
    const outcomes = new Map<number, TrialOutcome>(state0.trials.map((t) => [t.index, t]));
    const budget = config.budget.trials;
    let gaveUp = failingFromTheStart((i) => outcomes.get(i), budget);
    const stop = new AbortController();
    const onStudyAbort = () => stop.abort();
    opts.signal?.addEventListener('abort', onStudyAbort, { once: true });

    const runner = {
      run: async (
        spec: TrialSpec,
        o: {
          signal: AbortSignal;
          onEpoch: (epoch: number, metrics: EpochMetrics) => void | 'stop';
          mayStop: boolean;
        },
      ): Promise<RunOutcome> => {
        const task =
          config.objective === 'mlp' && shared !== null
            ? {
                kind: 'mlp' as const,
                data: shared,
                params: spec.params,
                seed: spec.seed,
                metric: metric as MetricName,
                // Also inline (no worker): the same trials are refused whatever the mode.
                memoryMb: config.worker_memory_mb ?? DEFAULT_WORKER_MEMORY_MB,
              }
            : {
                kind: 'module' as const,
                module: objectiveFunction ?? resolved.module!,
                params: spec.params,
                seed: spec.seed,
                index: spec.index,
                ...(objectiveFunction !== undefined && studyData !== null ? { data: studyData.data } : {}),
              };
        let r: TrialResult;
        const limit = trialTimeout(o.signal, config.trial_timeout_s);
        try {
          r = await exec(task, { ...o, signal: limit.signal });
        } catch (e) {
          if (limit.timedOut()) {
            return {
              state: 'failed',
              error: `timed out after ${config.trial_timeout_s} s (trial_timeout_s); its worker was replaced`,
              cause: 'environment',
              metrics: {},
              history: [],
              epochs: 0,
            };
          }
          if (o.signal.aborted) {
            return {
              state: 'failed',
              error: 'aborted',
              cause: 'environment',
              metrics: {},
              history: [],
              epochs: 0,
            };
          }
          return {
            state: 'failed',
            error: e instanceof Error ? e.message : String(e),
            cause: 'environment',
            metrics: {},
            history: [],
            epochs: 0,
          };
        } finally {
          limit.clear();
        }
        return outcomeOf(r);
      },
    };

    // A resumed study that already gave up runs nothing: its first trials would fail alike again.
    if (gaveUp !== null) stop.abort();
    const result = await runController({
      key,
      seed: config.seed,
      space,
      sampler,
      pruner,
      direction,
      metric,
      parallelism: config.parallelism,
      trials: config.budget.trials,
      workers,
      deadlineMs: config.budget.minutes === undefined ? undefined : config.budget.minutes * 60_000,
      finished: finished0,
      runner,
      signal: stop.signal,
      sink: {
        started: (spec) => {
          ledger.append({
            type: 'trial.started',
            index: spec.index,
            id: spec.id,
            seed: spec.seed,
            params: spec.params,
          });
        },
        progress: (index, epoch, metrics) => {
          ledger.append({ type: 'trial.progress', index, epoch, metrics });
        },
        finished: (spec, outcome, meta) => {
          ledger.append({
            type: 'trial.finished',
            index: spec.index,
            state: outcome.state,
            score: outcome.state === 'failed' ? null : outcome.score,
            metrics: outcome.metrics,
            epochs: outcome.epochs,
            weightsHash: outcome.state === 'failed' ? null : outcome.weightsHash,
            error: outcome.state === 'failed' ? outcome.error : null,
            cause: outcome.state === 'failed' ? outcome.cause : null,
          });
          ledger.append({
            type: 'trial.meta',
            index: spec.index,
            wallMs: Math.round(meta.wallMs),
            worker: meta.worker,
            startedAt: meta.startedAt,
            finishedAt: new Date().toISOString(), // timing only
          });
          log.info(
            { trial: spec.id, state: outcome.state, wallMs: Math.round(meta.wallMs) },
            'trial finished',
          );
        },
      },
      onFinished: (spec, outcome, done) => {
        outcomes.set(spec.index, {
          state: outcome.state,
          cause: outcome.state === 'failed' ? outcome.cause : null,
          error: outcome.state === 'failed' ? outcome.error : null,
        });
        if (gaveUp === null && !stop.signal.aborted) {
          gaveUp = failingFromTheStart((i) => outcomes.get(i), budget);
          if (gaveUp !== null) {
            log.warn({ error: gaveUp }, 'the first trials all failed with the same error: stopping');
            stop.abort();
          }
        }
        if (outcome.state === 'complete' && Number.isFinite(outcome.score)) {
          if (best === null || (direction === 'maximize' ? outcome.score > best : outcome.score < best))
            best = outcome.score;
        }
        opts.onTrial?.({
          index: spec.index,
          id: spec.id,
          state: outcome.state,
          score: outcome.state === 'failed' ? null : outcome.score,
          done,
          total: config.budget.trials,
          best,
        });
      },
    });
    opts.signal?.removeEventListener('abort', onStudyAbort);
    // Stopped before the budget: some trial of it has not finished (giving up after the last one is not).
    stopped = result.stopped && result.finished.size < budget;
    if (stopped) {
      ledger.append({
        type: 'study.note',
        message: opts.signal?.aborted
          ? 'interrupted'
          : gaveUp !== null
            ? `stopped: the first ${Math.min(GIVE_UP_AFTER, budget)} trials all failed with the same error`
            : 'stopped before its budget',
        data: gaveUp === null ? null : { error: gaveUp },
      });
    }

    let state = foldLedger(ledger.records());
    const bestNow = bestTrial(state, direction);
    if (
      !stopped &&
      config.refit &&
      config.objective === 'mlp' &&
      studyData !== null &&
      bestNow !== null &&
      state.refit === null
    ) {
      const refit = await runRefit({ studyData, best: bestNow, seed: config.seed, metric, dir, body });
      ledger.append({ type: 'refit', ...refit.record });
      state = foldLedger(ledger.records());
    }
    const counts = { complete: 0, pruned: 0, failed: 0, epochs: 0 };
    for (const t of state.trials) {
      if (t.state === 'complete' || t.state === 'pruned' || t.state === 'failed') counts[t.state]++;
      counts.epochs += t.epochs ?? 0;
    }
    return {
      study: config.name,
      digest: studyDigest(state),
      ledger: ledgerPath,
      trials: counts.complete + counts.pruned + counts.failed,
      complete: counts.complete,
      pruned: counts.pruned,
      failed: counts.failed,
      best: bestNow,
      refit: state.refit ? { ...state.refit, modelDir: join(dir, 'best') } : null,
      stopped,
      warnings,
      epochs: counts.epochs,
      failures: failureCounts(state.trials),
      gaveUp,
    };
  } finally {
    await pool?.close();
    opened?.close();
  }
}
