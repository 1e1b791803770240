import { curveOfHistory } from '../ledger/progress.js';
import type { FinishedTrial } from '../samplers/types.js';
import { mayStart } from './lag.js';
import {
  type RunOutcome,
  runTrial,
  seenBy,
  type TrialRunner,
  type TrialSetup,
  type TrialSink,
  type TrialSpec,
  toFinishedTrial,
  trialSpec,
} from './trial.js';

/** Attempts at a trial within one run: an environmental failure is retried once. */
const MAX_ATTEMPTS = 2;

export interface ControllerOptions extends TrialSetup {
  parallelism: number;
  trials: number;
  workers: number;
  /** Stop starting new trials after this many milliseconds (wall clock; ends the budget, never changes a trial). */
  deadlineMs?: number;
  /** Trials already finished in the ledger (a resume), by index. */
  finished: ReadonlyMap<number, FinishedTrial>;
  runner: TrialRunner;
  sink: TrialSink;
  signal?: AbortSignal;
  /** Called after each trial finishes, for progress display. */
  onFinished?: (spec: TrialSpec, outcome: RunOutcome, doneCount: number) => void;
  /** Clock, for wall time and the time budget only. */
  now?: () => number;
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

  /**
   * Trials whose parameters were drawn while every worker was busy (below): the lag rule fixes a trial's
   * history once it may start, so the draw is the same whenever it is made; a worker that frees takes it at
   * once instead of waiting for the sampler. Timing only.
   */
  const drawn = new Map<number, { seen: ReturnType<typeof seenBy>; spec: TrialSpec }>();
  const draw = (index: number) => {
    // The lag rule's history: fixed once the trial may start, shared by its sampler and its pruner.
    const seen = seenBy(index, o.parallelism, finished);
    return { seen, spec: trialSpec(o, index, seen) };
  };

  const launch = (index: number) => {
    const { seen, spec } = drawn.get(index) ?? draw(index);
    drawn.delete(index);
    const began = { startedAt: new Date().toISOString(), t0: now() }; // timing only
    const p = (async function attemptTrial(attempt: number): Promise<void> {
      const outcome = await runTrial(o, spec, seen, {
        runner: o.runner,
        sink: o.sink,
        signal: abort.signal,
        mayStop,
        worker: null,
        now,
        began,
      });
      if (outcome === null) return; // interrupted: left unfinished, for a resume
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
        toFinishedTrial(
          spec,
          outcome.state,
          outcome.state === 'failed' ? null : outcome.score,
          fullCurve,
          outcome.state === 'failed' ? {} : outcome,
        ),
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
      if (i < o.trials && !running.has(i) && !drawn.has(i) && mayStart(i, o.parallelism, frontier)) {
        drawn.set(i, draw(i));
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
