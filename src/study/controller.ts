import { curveOfHistory, isSampledEpoch } from '../ledger/progress.js';
import type { TrialResult } from '../pool/types.js';
import type { Pruner } from '../pruners/types.js';
import { intSeedFor } from '../rng/seed.js';
import type { FinishedTrial, Sampler, TrialState } from '../samplers/types.js';
import type { Params, SearchSpace } from '../space/types.js';
import type { Direction, EpochMetrics } from '../train/types.js';
import { trialId } from './ids.js';
import { mayStart, visibleCount } from './lag.js';

/** What the controller hands to a runner: everything that decides the trial's numbers. */
export interface TrialSpec {
  index: number;
  id: string;
  seed: number;
  params: Params;
}

/** A runner's answer. An error inside the trial is data (`failed`), never a rejection. */
export type RunOutcome =
  | {
      state: 'complete' | 'pruned';
      score: number;
      metrics: EpochMetrics;
      history: EpochMetrics[];
      weightsHash: string | null;
      epochs: number;
    }
  | {
      state: 'failed';
      error: string;
      /**
       * 'trial': the trial's own numbers decided it (replays as such); 'environment': loading, memory or
       * engine faults, a timeout, a lost worker, an abort (retried).
       */
      cause: 'trial' | 'environment';
      metrics: EpochMetrics;
      history: EpochMetrics[];
      epochs: number;
    };

/** A runner's view of a pool result: a stopped trial is pruned; a failure keeps the cause its worker found. */
export function outcomeOf(r: TrialResult): RunOutcome {
  if (r.state === 'failed') {
    return {
      state: 'failed',
      error: r.error,
      cause: r.cause,
      metrics: r.history.at(-1) ?? {},
      history: r.history,
      epochs: r.epochs,
    };
  }
  return {
    state: r.stopped ? 'pruned' : 'complete',
    score: r.score,
    metrics: r.metrics,
    history: r.history,
    weightsHash: r.weightsHash ?? null,
    epochs: r.epochs,
  };
}

/** Runs trials, e.g. on a pool of worker threads. */
export interface TrialRunner {
  run(
    spec: TrialSpec,
    opts: {
      signal: AbortSignal;
      onEpoch: (epoch: number, metrics: EpochMetrics) => void | 'stop';
      /** Whether onEpoch may answer 'stop' (a pruner): the trial then waits for its answer after every epoch. */
      mayStop: boolean;
    },
  ): Promise<RunOutcome>;
}

/** The side of the controller that records: appends to the ledger before acting. */
export interface ControllerSink {
  started(spec: TrialSpec): Promise<void> | void;
  progress(index: number, epoch: number, metrics: EpochMetrics): Promise<void> | void;
  finished(
    spec: TrialSpec,
    outcome: RunOutcome,
    meta: { wallMs: number; worker: number | null; startedAt: string },
  ): Promise<void> | void;
}

export interface ControllerOptions {
  key: string;
  seed: number;
  space: SearchSpace;
  sampler: Sampler;
  /** Asked after each epoch of a running trial, with the same history as its sampler; default: never prunes. */
  pruner?: Pruner;
  direction: Direction;
  /** The study metric's name, read from each epoch's metrics to build the pruner's / sampler's curves. */
  metric: string;
  parallelism: number;
  trials: number;
  workers: number;
  /** Stop starting new trials after this many milliseconds (wall clock; ends the budget, never changes a trial). */
  deadlineMs?: number;
  /** Trials already finished in the ledger (a resume), by index. */
  finished: ReadonlyMap<number, FinishedTrial>;
  runner: TrialRunner;
  sink: ControllerSink;
  signal?: AbortSignal;
  /** Called after each trial finishes, for progress display. */
  onFinished?: (spec: TrialSpec, outcome: RunOutcome, doneCount: number) => void;
  /** Clock, for wall time and the time budget only. */
  now?: () => number;
}

/** Turns a finished outcome into what samplers see. */
export function toFinishedTrial(
  spec: { index: number; params: Params },
  state: TrialState,
  score: number | null,
  curve: number[],
): FinishedTrial {
  const value =
    state === 'complete' ? (score ?? undefined) : state === 'pruned' ? curve[curve.length - 1] : undefined;
  return {
    index: spec.index,
    params: spec.params,
    state,
    value: value !== undefined && Number.isFinite(value) ? value : undefined,
    intermediate: curve,
  };
}

/** Attempts at a trial within one run: an environmental failure is retried once. */
const MAX_ATTEMPTS = 2;

/** The seed of trial `index` in a study with root seed `seed`. */
export function trialSeed(seed: number, index: number): number {
  return intSeedFor(seed, 'trial', index);
}

/**
 * Drives a study to its budget under the lag rule. Trials start in index order; trial i starts when a worker
 * is free and every trial below i − parallelism has finished; its sampler sees exactly those. So the ledger's
 * deterministic content is the same for any number of workers.
 *
 * Returns the finished trials by index, and whether the run was stopped (signal or deadline) before the budget.
 */
export async function runController(
  o: ControllerOptions,
): Promise<{ finished: Map<number, FinishedTrial>; stopped: boolean }> {
  const now = o.now ?? (() => performance.now()); // timing only
  const t0 = now();
  const finished = new Map(o.finished);
  const running = new Map<number, Promise<void>>();
  let next = 0;
  let frontier = 0;
  let stopped = false;
  let fatal: unknown;

  const advanceFrontier = () => {
    while (finished.has(frontier)) frontier++;
  };
  const nextIndex = () => {
    while (next < o.trials && finished.has(next)) next++;
    return next;
  };
  advanceFrontier();

  const history = (index: number): FinishedTrial[] => {
    const out: FinishedTrial[] = [];
    const n = visibleCount(index, o.parallelism);
    for (let j = 0; j < n; j++) out.push(finished.get(j)!);
    return out;
  };

  const launch = (index: number) => {
    // The lag rule's history: fixed once the trial may start, shared by its sampler and its pruner.
    const seen = history(index);
    const spec: TrialSpec = {
      index,
      id: trialId(o.key, index),
      seed: trialSeed(o.seed, index),
      params: o.sampler.sample(o.space, seen, { seed: o.seed, index, direction: o.direction }),
    };
    const startedAt = new Date().toISOString(); // timing only
    const t = now();
    const worker = null;
    const p = (async function attemptTrial(attempt: number): Promise<void> {
      await o.sink.started(spec);
      const curve: number[] = [];
      const progressWrites: Promise<void>[] = [];
      /** The last epoch reported and not recorded (ledger/progress.ts): recorded once it proves the trial's last. */
      let unrecorded: { epoch: number; metrics: EpochMetrics } | undefined;
      const outcome = await o.runner.run(spec, {
        signal: abort.signal,
        mayStop,
        onEpoch: (epoch, metrics) => {
          // Every epoch up to 100, then one in ten per decade, is recorded, and only there is the pruner asked,
          // with the recorded values (NaN at the others): what a resume and verify rebuild from the ledger. The
          // trial's last epoch is recorded once it has ended.
          if (!isSampledEpoch(curve.length + 1)) {
            curve.push(Number.NaN);
            unrecorded = { epoch, metrics };
            return undefined;
          }
          curve.push(metrics[o.metric] ?? Number.NaN);
          unrecorded = undefined;
          const w = o.sink.progress(index, epoch, metrics);
          if (w) progressWrites.push(w);
          // Answered on the main thread before the trial's next epoch starts (the worker waits for it).
          if (o.pruner?.shouldPrune(seen, curve, { index, seed: o.seed, direction: o.direction }))
            return 'stop';
          return undefined;
        },
      });
      await Promise.all(progressWrites);
      const counts = !(outcome.state === 'failed' && outcome.cause === 'environment');
      if (unrecorded !== undefined && counts && outcome.epochs === curve.length) {
        await o.sink.progress(index, unrecorded.epoch, unrecorded.metrics);
      }
      await o.sink.finished(spec, outcome, { wallMs: now() - t, worker, startedAt });
      if (outcome.state === 'failed' && outcome.cause === 'environment') {
        // A lost worker or a timeout is retried once at once (a new trial.started: the trial's numbers do not
        // depend on the attempt); a second such failure is left unfinished, for a resume to retry.
        if (attempt < MAX_ATTEMPTS && !abort.signal.aborted) await attemptTrial(attempt + 1);
        return;
      }
      // What a resume rebuilds from the ledger: the recorded epochs' values, NaN at the others.
      const fullCurve = curveOfHistory(outcome.history, o.metric);
      finished.set(
        index,
        toFinishedTrial(spec, outcome.state, outcome.state === 'failed' ? null : outcome.score, fullCurve),
      );
      advanceFrontier();
      o.onFinished?.(spec, outcome, finished.size);
    })(1)
      .catch((e) => {
        fatal ??= e;
        abort.abort();
      })
      .finally(() => running.delete(index));
    running.set(index, p);
  };

  // Without a pruner no answer can stop a trial, so trials need not wait for one after each epoch.
  const mayStop = o.pruner !== undefined && o.pruner.name !== 'none';
  const abort = new AbortController();
  const onAbort = () => abort.abort();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  if (o.signal?.aborted) abort.abort(); // aborted before it began: starts nothing
  try {
    for (;;) {
      if (fatal !== undefined || abort.signal.aborted) {
        stopped = true;
        break;
      }
      if (o.deadlineMs !== undefined && now() - t0 >= o.deadlineMs) {
        stopped = nextIndex() < o.trials;
        break;
      }
      const i = nextIndex();
      if (i >= o.trials && running.size === 0) {
        // Every trial was launched; one that failed for the environment is still unfinished (a resume retries it).
        stopped = frontier < o.trials;
        break;
      }
      if (
        i < o.trials &&
        running.size < o.workers &&
        !running.has(i) &&
        mayStart(i, o.parallelism, frontier)
      ) {
        launch(i);
        next = i + 1;
        continue;
      }
      if (running.size === 0) {
        // Nothing runs and nothing may start: only possible when a trial failed for the environment.
        stopped = true;
        break;
      }
      await Promise.race(running.values());
    }
    await Promise.allSettled(running.values());
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
  }
  if (fatal !== undefined) throw fatal;
  return { finished, stopped };
}
