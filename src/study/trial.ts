import type { TrialState as LedgerTrial, RecordBody, StudyState, TrialRecordState } from '../ledger/index.js';
import { curveOfProgress, isSampledEpoch } from '../ledger/progress.js';
import type { TrialResult } from '../pool/types.js';
import type { Pruner } from '../pruners/types.js';
import { intSeedFor } from '../rng/seed.js';
import type { FinishedTrial, Sampler } from '../samplers/types.js';
import type { Params, SearchSpace } from '../space/types.js';
import type { EpochMetrics } from '../train/types.js';
import type { Direction, FinishedState } from '../types.js';
import { trialId } from './ids.js';
import { visibleCount } from './lag.js';
import { type ModelShape, type StudyObjectives, trialValues } from './objectives.js';

/**
 * One trial, from spec to recorded outcome — the same code for every way a study runs (the controller on a
 * ledger file, the distributed worker on a shared PostgreSQL ledger), so that both record the same bytes:
 *
 * 1. the spec: id, seed, and the parameters the sampler draws from exactly the trials the lag rule shows;
 * 2. `trial.started` is recorded;
 * 3. the runner trains it; every sampled epoch is recorded and then shown to the pruner, whose answer the
 *    trial waits for;
 * 4. `trial.finished` and `trial.meta` are recorded, after the trial's last epoch when it was not sampled.
 *
 * Its callers add only what is theirs: the controller the order of trials and the retry of a trial its
 * environment lost; the distributed worker the claim, the lease and the wait for the lag rule.
 */

/** Everything that decides a trial's numbers. */
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
      /** Milliseconds to predict 1,000 rows, when measured (timing only). */
      inferenceMs?: number;
      /** A study with several objectives or constraints: set by {@link runTrial} from the metrics. */
      values?: number[];
      constraints?: number[];
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
    ...(r.inferenceMs === undefined ? {} : { inferenceMs: r.inferenceMs }),
  };
}

/** A trial that its environment ended before it gave a result (a lost thread, a timeout, an abort). */
export function environmentFailure(error: string): RunOutcome {
  return { state: 'failed', error, cause: 'environment', metrics: {}, history: [], epochs: 0 };
}

/** The answer to an epoch: 'stop' prunes the trial. A promise when the answer waits for a record. */
export type EpochAnswer = undefined | 'stop' | Promise<undefined | 'stop'>;

/** Runs trials, e.g. on a pool of worker threads. */
export interface TrialRunner {
  /** The trial's outcome, or null when it was interrupted before it ended: then nothing is recorded. */
  run(
    spec: TrialSpec,
    opts: {
      signal: AbortSignal;
      onEpoch: (epoch: number, metrics: EpochMetrics) => EpochAnswer;
      /** Whether onEpoch may answer 'stop' (a pruner): the trial then waits for its answer after every epoch. */
      mayStop: boolean;
    },
  ): Promise<RunOutcome | null>;
}

/** The non-deterministic facts of a trial's run, recorded apart from its numbers. */
export interface TrialMeta {
  wallMs: number;
  /** The worker slot that ran it; null when one process runs the whole study. */
  worker: number | null;
  startedAt: string;
}

export interface EpochRecord {
  epoch: number;
  metrics: EpochMetrics;
}

/** Where a trial is recorded: each call appends to the ledger before the trial goes on. */
export interface TrialSink {
  started(spec: TrialSpec): Promise<void> | void;
  /** An epoch's record. When it returns a promise, the pruner is asked (and the trial goes on) once it resolves. */
  progress(index: number, epoch: number, metrics: EpochMetrics): Promise<void> | void;
  /** The outcome; `last` is the trial's last epoch when it was not sampled (recorded just before the outcome). */
  finished(
    spec: TrialSpec,
    outcome: RunOutcome,
    meta: TrialMeta,
    last: EpochRecord | undefined,
  ): Promise<void> | void;
}

/** The records of a trial's end, in order: its unsampled last epoch, `trial.finished`, `trial.meta`. */
export function finishedRecords(
  spec: TrialSpec,
  outcome: RunOutcome,
  meta: TrialMeta,
  last: EpochRecord | undefined,
): RecordBody[] {
  const failed = outcome.state === 'failed';
  return [
    ...(last === undefined ? [] : [{ type: 'trial.progress' as const, index: spec.index, ...last }]),
    {
      type: 'trial.finished',
      index: spec.index,
      state: outcome.state,
      score: failed ? null : outcome.score,
      metrics: outcome.metrics,
      epochs: outcome.epochs,
      weightsHash: failed ? null : outcome.weightsHash,
      error: failed ? outcome.error : null,
      cause: failed ? outcome.cause : null,
      ...(failed || outcome.values === undefined ? {} : { values: outcome.values }),
      ...(failed || outcome.constraints === undefined ? {} : { constraints: outcome.constraints }),
    },
    {
      type: 'trial.meta',
      index: spec.index,
      wallMs: Math.round(meta.wallMs), // timing only
      ...(failed || outcome.inferenceMs === undefined ? {} : { inferenceMs: outcome.inferenceMs }), // timing only
      worker: meta.worker,
      startedAt: meta.startedAt,
      finishedAt: new Date().toISOString(), // timing only
    },
  ];
}

/** What every trial of a study is drawn and judged with. */
export interface TrialSetup {
  /** The study's key (trial ids are `<key>-<index>`). */
  key: string;
  seed: number;
  space: SearchSpace;
  sampler: Sampler;
  /** Asked after each sampled epoch, with the same history as the sampler; none: never prunes. */
  pruner?: Pruner;
  direction: Direction;
  /** The study metric's name, read from each epoch's metrics to build the pruner's / sampler's curves. */
  metric: string;
  /** A study with several objectives or constraints: what each trial's values are, and the data's shape. */
  objectives?: { spec: StudyObjectives; shape: ModelShape | undefined };
  /** `enqueue`: the parameters of the first trials, in order (trial k takes the k-th). */
  enqueued?: readonly Params[];
  /** `warm_start`: another study's finished trials, seen by the sampler before this study's own. */
  warm?: readonly FinishedTrial[];
}

/** The seed of trial `index` in a study with root seed `seed`. */
export function trialSeed(seed: number, index: number): number {
  return intSeedFor(seed, 'trial', index);
}

/** Trial `index`'s spec; its parameters are drawn from `seen`, the finished trials the lag rule shows it. */
export function trialSpec(setup: TrialSetup, index: number, seen: FinishedTrial[]): TrialSpec {
  return {
    index,
    id: trialId(setup.key, index),
    seed: trialSeed(setup.seed, index),
    params:
      setup.enqueued?.[index] ??
      setup.sampler.sample(setup.space, setup.warm?.length ? [...setup.warm, ...seen] : seen, {
        seed: setup.seed,
        index,
        direction: setup.direction,
        ...(setup.objectives ? { directions: setup.objectives.spec.objectives.map((o) => o.direction) } : {}),
      }),
  };
}

/**
 * Runs one attempt at a trial and records it: its start, its sampled epochs, its outcome. Returns the
 * outcome, or null when the runner was interrupted (nothing more is recorded). A record that fails stops
 * the trial and is thrown.
 */
export async function runTrial(
  setup: TrialSetup,
  spec: TrialSpec,
  seen: FinishedTrial[],
  o: {
    runner: TrialRunner;
    sink: TrialSink;
    signal: AbortSignal;
    mayStop: boolean;
    worker: number | null;
    /** Clock, for wall time only. */
    now: () => number;
    /** When the trial began, if before this attempt (a retry counts from the first). */
    began?: { startedAt: string; t0: number };
  },
): Promise<RunOutcome | null> {
  const startedAt = o.began?.startedAt ?? new Date().toISOString(); // timing only
  const t0 = o.began?.t0 ?? o.now();
  await o.sink.started(spec);
  const trial = new AbortController();
  const stopTrial = () => trial.abort();
  o.signal.addEventListener('abort', stopTrial, { once: true });
  if (o.signal.aborted) trial.abort();
  const curve: number[] = [];
  /** The last epoch reported and not recorded (ledger/progress.ts): recorded once it proves the trial's last. */
  let unrecorded: EpochRecord | undefined;
  /** A record that failed while the trial ran: it stops the trial and is thrown once the runner returns. */
  let recordError: unknown;
  let outcome: RunOutcome | null;
  try {
    outcome = await o.runner.run(spec, {
      signal: trial.signal,
      mayStop: o.mayStop,
      onEpoch: (epoch, metrics) => {
        // Every epoch up to 100, then one in ten per decade, is recorded, and only there is the pruner asked,
        // with the recorded values (NaN at the others): what a resume and verify rebuild from the ledger.
        if (!isSampledEpoch(curve.length + 1)) {
          curve.push(Number.NaN);
          unrecorded = { epoch, metrics };
          return undefined;
        }
        curve.push(metrics[setup.metric] ?? Number.NaN);
        unrecorded = undefined;
        const answer = (): undefined | 'stop' =>
          setup.pruner?.shouldPrune(seen, curve, {
            index: spec.index,
            seed: setup.seed,
            direction: setup.direction,
          })
            ? 'stop'
            : undefined;
        const recorded = o.sink.progress(spec.index, epoch, metrics);
        if (recorded === undefined) return answer();
        return recorded.then(answer, (e: unknown) => {
          recordError ??= e;
          trial.abort();
          return 'stop' as const;
        });
      },
    });
  } finally {
    o.signal.removeEventListener('abort', stopTrial);
  }
  if (recordError !== undefined) throw recordError;
  if (outcome === null) return null;
  if (setup.objectives !== undefined && outcome.state !== 'failed') {
    const { values, constraints } = trialValues(
      setup.objectives.spec,
      { params: spec.params, metrics: outcome.metrics, inferenceMs: outcome.inferenceMs },
      setup.objectives.shape,
    );
    outcome = { ...outcome, values, ...(constraints === undefined ? {} : { constraints }) };
  }
  const lostToEnvironment = outcome.state === 'failed' && outcome.cause === 'environment';
  // The last epoch is recorded only when the trial's numbers ended it there.
  const last =
    unrecorded !== undefined && !lostToEnvironment && outcome.epochs === curve.length
      ? unrecorded
      : undefined;
  await o.sink.finished(spec, outcome, { wallMs: o.now() - t0, worker: o.worker, startedAt }, last);
  return outcome;
}

/** Turns a finished outcome into what samplers see. */
export function toFinishedTrial(
  spec: { index: number; params: Params },
  state: FinishedState,
  score: number | null,
  curve: number[],
  judged: { values?: readonly number[] | null; constraints?: readonly number[] | null } = {},
): FinishedTrial {
  const value =
    state === 'complete' ? (score ?? undefined) : state === 'pruned' ? curve[curve.length - 1] : undefined;
  return {
    index: spec.index,
    params: spec.params,
    state,
    value: value !== undefined && Number.isFinite(value) ? value : undefined,
    intermediate: curve,
    ...(judged.values != null ? { values: [...judged.values] } : {}),
    ...(judged.constraints != null ? { constraints: [...judged.constraints] } : {}),
  };
}

/** A trial counts as finished once it is not running and did not fail because of the environment. */
export function isFinishedForGood(t: LedgerTrial | undefined): boolean {
  return t !== undefined && t.state !== 'running' && !(t.state === 'failed' && t.cause !== 'trial');
}

/** The smallest index that has not finished for good: every trial below it has. */
export function frontierOf(state: StudyState): number {
  let f = 0;
  for (const t of state.trials) {
    if (t.index !== f || !isFinishedForGood(t)) break;
    f++;
  }
  return f;
}

/** What the samplers see of a ledger's finished trials, by index. */
export function finishedTrials(state: StudyState, metric: string): Map<number, FinishedTrial> {
  const m = new Map<number, FinishedTrial>();
  for (const t of state.trials) {
    if (!isFinishedForGood(t)) continue;
    const curve = curveOfProgress(t.progress, t.epochs, metric);
    m.set(t.index, toFinishedTrial(t, t.state as TrialRecordState, t.score, curve, t));
  }
  return m;
}

/** The finished trials trial `index` sees under the lag rule: every one below index − parallelism, in order. */
export function seenBy(
  index: number,
  parallelism: number,
  finished: ReadonlyMap<number, FinishedTrial>,
): FinishedTrial[] {
  const out: FinishedTrial[] = [];
  for (let j = 0; j < visibleCount(index, parallelism); j++) out.push(finished.get(j)!);
  return out;
}
