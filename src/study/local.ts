import { existsSync, mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError, errorLine, LockstepError } from '../errors.js';
import type { FileLedger, StudyBody } from '../ledger/index.js';
import { createLedger, holdsCompleteLine, openLedger, studyDigest } from '../ledger/index.js';
import { createLogger, type Logger } from '../log.js';
// From the pool's own modules, not its index: the index also exports the trial runner, which loads tfjs.
import { DEFAULT_WORKER_MEMORY_MB, TrainerPool, WorkerLostError } from '../pool/pool.js';
import { toShared } from '../pool/shared.js';
import type { TrialResult, TrialTask } from '../pool/types.js';
import { parseSpace } from '../space/index.js';
import type { Params } from '../space/types.js';
import { backendPackage } from '../train/environment.js';
import type { BackendName, MetricName } from '../train/types.js';
import type { ResolvedPaths, StudyConfig } from './config.js';
import { runController } from './controller.js';
import { engineDifference, prepareStudyData, type StudyData, studyBody } from './data.js';
import { failingFromTheStart, GIVE_UP_AFTER, type TrialOutcome } from './failures.js';
import { objectiveOf } from './objective.js';
import { measuresInference } from './objectives.js';
import { checkStudy } from './preflight.js';
import { type RefitRecord, refitJob } from './refit-job.js';
import { bestTrial, refitChoice, searchResult } from './result.js';
import { setupExtras, trialSetup } from './setup.js';
import {
  environmentFailure,
  finishedRecords,
  finishedTrials,
  outcomeOf,
  type RunOutcome,
  type TrialRunner,
  type TrialSink,
} from './trial.js';
import type { SearchOptions, SearchResult } from './types.js';

/**
 * A search in this process on a ledger file: resumed when the file exists (the final digest equals that of
 * an uninterrupted run), trials on a pool of worker threads (or inline, one at a time).
 */
export async function searchLocal(
  opts: SearchOptions,
  study: {
    config: StudyConfig;
    resolved: ResolvedPaths;
    /** The ledger file; default `<out>/<study name>/ledger.jsonl`. */
    ledger: string | undefined;
    /** The registered objective function's name, for a config whose objective is a function. */
    objectiveFunction: string | undefined;
  },
): Promise<SearchResult> {
  const { config, resolved, objectiveFunction } = study;
  const space = parseSpace(config.space, 'space');
  const where = typeof opts.config === 'string' ? opts.config : 'config';
  // What is sure to fail every trial is refused before anything is written (the task, when the config says it).
  checkStudy(config, space, config.task, where);
  const dir = resolve(opts.out ?? 'runs', config.name);
  const ledgerPath = study.ledger ?? join(dir, 'ledger.jsonl');
  makeStudyFolder(dir);
  const log = opts.logger ?? createLogger({ file: join(dir, 'lockstep.log') });

  const backend = config.backend as BackendName;
  // This thread loads tfjs only to train: inline trials, and a refit no worker can take (below). A missing
  // backend package is refused now, before anything is written.
  backendPackage(backend);
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
  let ledger: FileLedger | undefined;
  /** The refit begun before the last trial ended (below). */
  let early: { index: number; run: Promise<{ record: RefitRecord; modelDir: string }> } | undefined;
  try {
    let studyData: StudyData | null = null;
    // The MLP trains on the dataset; a function objective gets it prepared as context.data when one is named.
    if (config.objective === 'mlp' || (objectiveFunction !== undefined && resolved.dataset !== undefined)) {
      studyData = await prepareStudyData(config, resolved.dataset!);
    }
    // The inferred task is known now, still before the ledger is created or opened.
    checkStudy(config, space, studyData?.schema.task, where);
    const { metric, direction } = objectiveOf(config, studyData?.schema.task);
    const { extras, warmStart } = setupExtras(config, space, {
      studyData,
      metric,
      warmStart: resolved.warmStart,
    });
    const judged = extras.objectives !== undefined;
    const body = studyBody(config, studyData, resolved.module, warmStart?.ref);
    const opened = openOrCreateLedger(ledgerPath, body, log);
    ledger = opened.ledger;
    const { warnings } = opened;
    const file = ledger;

    const state0 = file.state();
    let best: number | null = judged ? null : (bestTrial(state0, direction)?.score ?? null);
    // Each trial's latest outcome, to see whether the first ones all fail alike (then the study stops).
    const outcomes = new Map<number, TrialOutcome>(state0.trials.map((t) => [t.index, t]));
    const budget = config.budget.trials;
    let gaveUp = failingFromTheStart((i) => outcomes.get(i), budget);
    const stop = new AbortController();
    const onStudyAbort = () => stop.abort();
    opts.signal?.addEventListener('abort', onStudyAbort, { once: true });
    // A resumed study that already gave up runs nothing: its first trials would fail alike again.
    if (gaveUp !== null) stop.abort();

    const setup = trialSetup(config, space, { key: body.key, metric, direction, extras });
    const refits = config.refit && config.objective === 'mlp' && studyData !== null && state0.refit === null;
    /**
     * The refit of `best`: on a worker of the pool when one is free (its tfjs is loaded and warm: this thread
     * then never loads tfjs), else on this thread. Both give the same bits; a lost worker's refit is redone here.
     */
    const refitOf = async (best: { id: string; index: number; params: Params }, onPool: boolean) => {
      const job = refitJob({ studyData: studyData!, best, seed: config.seed, metric, dir, body });
      if (onPool && pool !== null) {
        try {
          return await pool.refit(job);
        } catch (e) {
          if (!(e instanceof WorkerLostError)) throw e;
          log.warn({ error: errorLine(e) }, 'the refit’s worker was lost: refitting on the main thread');
        }
      }
      await (await import('../train/backend.js')).initBackend(backend);
      const { runRefitJob } = await import('./refit.js');
      return await runRefitJob(job);
    };
    // The refit, begun early: once a single trial is left to finish, nothing more is sampled, and the best
    // trial so far is refitted beside it: on a free worker of the pool, or with one worker on this thread (on
    // the core the pool leaves free). It is kept when the last trial does not change the choice: a refit is a
    // pure function of the chosen trial, so the record is the same either way and only the wall time changes.
    // Not with a pruner (a trial then waits for this thread after each epoch) nor with a time budget, nor
    // without a pool (no core is free: trials run here).
    const mayRefitEarly =
      refits &&
      pool !== null &&
      (setup.pruner === undefined || setup.pruner.name === 'none') &&
      config.budget.minutes === undefined;
    const refitEarly = () => {
      if (early !== undefined || stop.signal.aborted) return;
      const choice = refitChoice(file.state(), direction);
      if (choice === null) return;
      // After this turn of the event loop: the last trial is sent to its worker first.
      const run = new Promise<void>((r) => setImmediate(r)).then(() => refitOf(choice, workers > 1));
      run.catch(() => undefined); // awaited, or its error rethrown, below
      early = { index: choice.index, run };
    };

    const result = await runController({
      ...setup,
      parallelism: config.parallelism,
      trials: budget,
      workers,
      deadlineMs: config.budget.minutes === undefined ? undefined : config.budget.minutes * 60_000,
      finished: finishedTrials(state0, metric),
      runner: poolRunner(pool, {
        config,
        studyData,
        metric,
        objectiveFunction,
        module: resolved.module,
        measureInference: measuresInference(extras.objectives?.spec),
      }),
      signal: stop.signal,
      sink: fileSink(file, log),
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
        if (!judged && outcome.state === 'complete' && Number.isFinite(outcome.score)) {
          if (best === null || (direction === 'maximize' ? outcome.score > best : outcome.score < best))
            best = outcome.score;
        }
        if (mayRefitEarly && budget - done === 1) refitEarly();
        opts.onTrial?.({
          index: spec.index,
          id: spec.id,
          state: outcome.state,
          score: outcome.state === 'failed' ? null : outcome.score,
          done,
          total: budget,
          best,
        });
      },
    });
    opts.signal?.removeEventListener('abort', onStudyAbort);
    // Stopped before the budget: some trial of it has not finished (giving up after the last one is not).
    const stopped = result.stopped && result.finished.size < budget;
    if (stopped) {
      file.append({
        type: 'study.note',
        message: opts.signal?.aborted
          ? 'interrupted'
          : gaveUp !== null
            ? `stopped: the first ${Math.min(GIVE_UP_AFTER, budget)} trials all failed with the same error`
            : 'stopped before its budget',
        data: gaveUp === null ? null : { error: gaveUp },
      });
    }

    const bestNow = refitChoice(file.state(), direction);
    // The early refit is used when it refitted the final choice; else it ends before anything else is written.
    const begun = early;
    early = undefined;
    const kept = begun !== undefined && bestNow !== null && !stopped && begun.index === bestNow.index;
    if (begun !== undefined) {
      log.info({ trial: begun.index, kept }, kept ? 'early refit kept' : 'early refit discarded');
      if (!kept) await begun.run.catch(() => undefined);
    }
    if (!stopped && config.refit && config.objective === 'mlp' && studyData !== null && bestNow !== null) {
      if (file.state().refit === null) {
        const refit = kept ? await begun.run : await refitOf(bestNow, true);
        file.append({ type: 'refit', ...refit.record });
      }
    }
    const state = file.state();
    return searchResult(state, {
      study: config.name,
      digest: studyDigest(state),
      ledger: ledgerPath,
      dir,
      direction,
      stopped,
      warnings,
      gaveUp,
    });
  } finally {
    // A search that throws still lets an early refit end before the ledger closes.
    await early?.run.catch(() => undefined);
    await pool?.close();
    ledger?.close();
  }
}

function makeStudyFolder(dir: string): void {
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
}

/**
 * Opens the study's ledger file to resume it, refused unless it is the same study (config, dataset, engine);
 * or creates it. A file without one complete line is a crash while it was being created: created anew.
 */
function openOrCreateLedger(
  path: string,
  body: StudyBody,
  log: Logger,
): { ledger: FileLedger; warnings: string[] } {
  if (!(existsSync(path) && holdsCompleteLine(path))) {
    const ledger = createLedger(path, body, { durability: 'group' });
    log.info({ ledger: path, key: body.key }, 'new study');
    return { ledger, warnings: [...ledger.warnings] };
  }
  const ledger = openLedger(path, { durability: 'group' });
  try {
    const warnings = [...ledger.warnings];
    const problem = resumeProblem(ledger.state().study, body);
    if (problem !== undefined) {
      throw new ConfigError(`${path}: cannot resume this study: ${problem}; use --out to start a new one`);
    }
    ledger.append({ type: 'study.note', message: 'resumed', data: { warnings } });
    log.info({ ledger: path, warnings }, 'resuming study');
    return { ledger, warnings };
  } catch (e) {
    ledger.close();
    throw e;
  }
}

/** Why the recorded study is not the one `body` describes, or undefined when it is. */
function resumeProblem(recorded: StudyBody, body: StudyBody): string | undefined {
  if (recorded.configHash !== body.configHash) {
    return `its config differs (config hash ${recorded.configHash.slice(0, 12)}… recorded, ${body.configHash.slice(0, 12)}… now)`;
  }
  if (recorded.dataset?.hash !== body.dataset?.hash) {
    return `its dataset differs (hash ${recorded.dataset?.hash.slice(0, 12)}… recorded, ${body.dataset?.hash.slice(0, 12)}… now)`;
  }
  if (recorded.warmStart?.digest !== body.warmStart?.digest) {
    return `its warm-start ledger ${body.warmStart?.ledger ?? recorded.warmStart?.ledger} is not the study it saw (digest ${recorded.warmStart?.digest.slice(0, 12) ?? 'none'}… recorded, ${body.warmStart?.digest.slice(0, 12) ?? 'none'}… now)`;
  }
  return engineDifference(recorded.environment, body.environment);
}

/** Appends each record to the ledger file as the trial goes. */
function fileSink(ledger: FileLedger, log: Logger): TrialSink {
  return {
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
    finished: (spec, outcome, meta, last) => {
      for (const r of finishedRecords(spec, outcome, meta, last)) ledger.append(r);
      log.info({ trial: spec.id, state: outcome.state, wallMs: Math.round(meta.wallMs) }, 'trial finished');
    },
  };
}

/** The trial runner of this thread (no pool): tfjs and the backend, loaded on first use. */
async function inlineRunner(backend: BackendName): Promise<typeof import('../pool/run.js').runTrialTask> {
  await (await import('../train/backend.js')).initBackend(backend);
  return (await import('../pool/run.js')).runTrialTask;
}

/** Runs trials on the pool (or in this thread without one), each under `trial_timeout_s` when set. */
function poolRunner(
  pool: TrainerPool | null,
  o: {
    config: StudyConfig;
    studyData: StudyData | null;
    metric: string;
    objectiveFunction: string | undefined;
    module: string | undefined;
    measureInference: boolean;
  },
): TrialRunner {
  const { config, studyData } = o;
  const shared = studyData ? toShared(studyData.data) : null;
  return {
    run: async (spec, { signal, onEpoch, mayStop }): Promise<RunOutcome> => {
      const task: TrialTask =
        config.objective === 'mlp' && shared !== null
          ? {
              kind: 'mlp',
              data: shared,
              params: spec.params,
              seed: spec.seed,
              metric: o.metric as MetricName,
              // Also inline (no worker): the same trials are refused whatever the mode.
              memoryMb: config.worker_memory_mb ?? DEFAULT_WORKER_MEMORY_MB,
              ...(o.measureInference ? { measureInference: true } : {}),
            }
          : {
              kind: 'module',
              module: o.objectiveFunction ?? o.module!,
              params: spec.params,
              seed: spec.seed,
              index: spec.index,
              ...(o.objectiveFunction !== undefined && studyData !== null ? { data: studyData.data } : {}),
            };
      let r: TrialResult;
      const limit = trialTimeout(signal, config.trial_timeout_s);
      try {
        r = pool
          ? await pool.run(task, { signal: limit.signal, onEpoch, wait: mayStop })
          : await (await inlineRunner(config.backend as BackendName))(task, (epoch, metrics) => {
              const answer = onEpoch(epoch, metrics);
              // Inline trials report to the file sink, which records at once: an answer is never deferred.
              if (answer instanceof Promise) throw new Error('an inline trial got a deferred answer');
              return answer;
            });
      } catch (e) {
        if (limit.timedOut()) {
          return environmentFailure(
            `timed out after ${config.trial_timeout_s} s (trial_timeout_s); its worker was replaced`,
          );
        }
        if (signal.aborted) return environmentFailure('aborted');
        return environmentFailure(e instanceof Error ? e.message : String(e));
      } finally {
        limit.clear();
      }
      return outcomeOf(r);
    },
  };
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
