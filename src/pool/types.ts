/** Typed, plain, structured-cloneable messages between the pool and its workers. */
import type { PreparedData } from '../data/types.js';
import type { ErrorCode } from '../errors.js';
import type { Stream } from '../rng/index.js';
import type { Params } from '../space/types.js';
import type { RefitJob, RefitRecord } from '../study/refit-job.js';
import type { EpochMetrics, MetricName } from '../train/types.js';
import type { FailureCause } from './cause.js';

/**
 * PreparedData whose arrays live in SharedArrayBuffers: posting it to a worker shares the memory
 * instead of copying it. `key` identifies the content (SHA-256 over the prepared arrays), since
 * one dataset hash can stand for several preparations (folds, splits).
 */
export interface SharedPreparedData extends PreparedData {
  readonly key: string;
}

/** Train the built-in MLP with flat parameters. */
export interface MlpTask {
  kind: 'mlp';
  data: SharedPreparedData;
  params: Params;
  seed: number;
  metric?: MetricName;
  /** Stop after this epoch, as if the progress callback had answered 'stop' (replay of a pruned trial). */
  stopAtEpoch?: number;
  /**
   * worker_memory_mb: a trial whose estimated memory (train/memory.ts, from its parameters and the data's
   * shape) exceeds it fails before it starts, with cause 'environment'. The pool sets its own limit when absent.
   */
  memoryMb?: number;
  /**
   * Time the trained model's prediction of the validation rows (a study with `inference_ms` among its
   * objectives or constraints): the result's `inferenceMs`. Timing only: it never changes a trained number.
   */
  measureInference?: boolean;
}

/**
 * Run a user objective: `module` is the absolute path of an ES module exporting
 * `objective(params, context)`, returning a number or `{ score, metrics? }`; or `function:<sha256>`, an
 * objective function registered in this thread with `registerObjective` (run inline only).
 */
export interface ModuleTask {
  kind: 'module';
  module: string;
  params: Params;
  seed: number;
  index?: number;
  /** The study's prepared split, handed to the objective as `context.data`. */
  data?: PreparedData;
  /** Answer 'stop' to the objective's report of this epoch (replay of a pruned trial). */
  stopAtEpoch?: number;
}

export type TrialTask = MlpTask | ModuleTask;

/** What a user objective receives besides its parameters. */
export interface ObjectiveContext {
  seed: number;
  index?: number;
  /** The study's prepared split (function objectives of a study with a dataset). */
  data?: PreparedData;
  /** A seeded stream of this trial, one per name (`Stream.of(seed, 'objective', name)`). */
  stream(name: string): Stream;
  /** Reports an epoch's metrics; 'stop' asks the objective to end early (pruned). */
  report(epoch: number, metrics: EpochMetrics): 'continue' | 'stop';
}

export type Objective = (
  params: Params,
  context: ObjectiveContext,
) =>
  | number
  | { score: number; metrics?: EpochMetrics }
  | Promise<number | { score: number; metrics?: EpochMetrics }>;

/** A trial's result: an error inside the trial is data, not a rejection. */
export type TrialResult =
  | {
      state: 'complete';
      score: number;
      metrics: EpochMetrics;
      history: EpochMetrics[];
      /** SHA-256 of the trained weights; null for a module objective (no weights). */
      weightsHash: string | null;
      epochs: number;
      stopped: boolean;
      /** Milliseconds to predict 1,000 validation rows (median of 5), when the task asked for it. */
      inferenceMs?: number;
    }
  | {
      state: 'failed';
      /** One line, as errorLine renders it. */
      error: string;
      /** Who decided it: the trial's own numbers, or its environment (see failureCause). */
      cause: FailureCause;
      /** The LockstepError code, when the error had one. */
      code?: ErrorCode;
      epochs: number;
      history: EpochMetrics[];
    };

/** Progress callback on the main thread; its answer reaches the trial before the next epoch. */
export type ProgressCallback = (
  epoch: number,
  metrics: EpochMetrics,
) => void | 'stop' | 'continue' | Promise<void | 'stop' | 'continue'>;

/** Worker → main, through the pool's progress channel (a BroadcastChannel), tagged with the run. */
/**
 * Worker → main on the pool's progress channel: one epoch (`epoch`) when the trial waits for an answer, or
 * several in a row (`epochs`, the first numbered `epoch`) when it does not.
 */
export type EpochMessage =
  | { type: 'epoch'; run: number; epoch: number; metrics: EpochMetrics }
  | { type: 'epochs'; run: number; epoch: number; metrics: EpochMetrics[] };

/** Main → worker through `reply` (an Int32Array over a SharedArrayBuffer): slot 0. */
export const REPLY_PENDING = 0;
export const REPLY_CONTINUE = 1;
export const REPLY_STOP = 2;
export const REPLY_ERROR = 3;

/**
 * The exit code of a worker thread that ended itself because its WebAssembly memory grew past worker_memory_mb
 * (ending the thread is what gives that memory back).
 */
export const EXIT_WASM_MEMORY = 86;

/** What the pool posts to a worker. */
export interface WorkerRequest {
  task: TrialTask;
  /** Present when the caller listens to progress: the name of the pool's BroadcastChannel, and the run's tag. */
  progress?: { channel: string; run: number };
  /** The worker waits on reply[0] after each epoch message (Atomics), so that 'stop' lands before the next epoch. */
  reply?: Int32Array;
}

/** What the pool posts to a worker for a study's refit (TrainerPool.refit). */
export interface RefitRequest {
  refit: RefitJob;
}

/** A worker's answer to a RefitRequest: the refit, or the one line of the error that ended it. */
export type RefitReply =
  | { ok: true; record: RefitRecord; modelDir: string }
  | { ok: false; error: string; code?: ErrorCode };
