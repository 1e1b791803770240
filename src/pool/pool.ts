import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { BroadcastChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { PreparedData } from '../data/types.js';
import { errorLine, LockstepError } from '../errors.js';
import { compiledFile } from '../paths.js';
import type { RefitJob, RefitRecord } from '../study/refit-job.js';
import type { BackendName } from '../train/types.js';
import { toShared } from './shared.js';
import {
  type EpochMessage,
  EXIT_WASM_MEMORY,
  type ProgressCallback,
  REPLY_CONTINUE,
  REPLY_ERROR,
  REPLY_STOP,
  type RefitReply,
  type RefitRequest,
  type TrialResult,
  type TrialTask,
  type WorkerRequest,
} from './types.js';

export interface PoolOptions {
  /** Worker threads (default: the number of CPUs, at least 1). */
  workers?: number;
  /** Numeric backend each worker initialises once (default 'wasm'). */
  backend?: BackendName;
  /**
   * Each worker's memory limit in MiB (default {@link DEFAULT_WORKER_MEMORY_MB}), applied three ways: as the
   * thread's JS heap limit (piscina `resourceLimits.maxOldGenerationSizeMb`); to each MLP trial's estimated
   * memory before it runs (train/memory.ts: beyond it the trial fails at once, cause 'environment'); and to the
   * wasm backend's memory, which the JS heap does not hold: a worker whose wasm memory grows past it ends its
   * thread (the only way to give that memory back), and the pool replaces it. The shared dataset is outside.
   */
  memoryMb?: number;
}

/** The default heap limit per worker thread, in MiB. */
export const DEFAULT_WORKER_MEMORY_MB = 2048;

export interface RunOptions {
  signal?: AbortSignal;
  /**
   * Called on this thread after every epoch. The trial waits for its answer: returning (or
   * resolving to) 'stop' ends it before the next epoch — a pruned trial.
   */
  onEpoch?: ProgressCallback;
  /**
   * Whether the trial waits for onEpoch's answer after every epoch (default true). Needed only when an
   * answer can stop the trial (a pruner): without it, the worker goes on at once and the progress reaches
   * onEpoch as it arrives; the epochs not yet delivered when the result comes are delivered from the
   * result's history before run() resolves — every epoch exactly once, in order, either way. onEpoch's
   * answers are then ignored.
   */
  wait?: boolean;
}

/** The compiled worker entry: piscina needs JavaScript. */
export function workerFile(): string {
  return compiledFile('pool/worker.cjs', 'worker');
}

/**
 * A trial's worker thread was lost — it ran out of memory, called `process.exit`, or crashed — and
 * piscina replaced it. An environmental failure: the trial's own numbers did not decide it.
 */
export class WorkerLostError extends Error {
  readonly reason: 'memory' | 'exit' | 'crash';
  constructor(cause: unknown, memoryMb: number) {
    const e = cause as NodeJS.ErrnoException | undefined;
    const wasm = (e?.message ?? '').endsWith(`worker exited with code: ${EXIT_WASM_MEMORY}`);
    const reason =
      e?.code === 'ERR_WORKER_OUT_OF_MEMORY' || wasm
        ? 'memory'
        : /worker exited/i.test(e?.message ?? '')
          ? 'exit'
          : 'crash';
    super(
      wasm
        ? `the worker's WebAssembly memory grew past worker_memory_mb (${memoryMb} MiB); it was replaced`
        : reason === 'memory'
          ? `the worker ran out of memory (its heap limit is ${memoryMb} MiB: worker_memory_mb); it was replaced`
          : reason === 'exit'
            ? `the worker thread ended (${e?.message}); it was replaced`
            : `the worker thread crashed (${errorLine(cause)}); it was replaced`,
      { cause },
    );
    this.name = 'WorkerLostError';
    this.reason = reason;
  }
}

function startPiscina(workers: number, backend: BackendName, memoryMb: number): Piscina {
  return new Piscina({
    filename: workerFile(),
    minThreads: workers,
    maxThreads: workers,
    concurrentTasksPerWorker: 1,
    idleTimeout: Number.POSITIVE_INFINITY,
    workerData: { backend, memoryMb },
    resourceLimits: { maxOldGenerationSizeMb: memoryMb },
  });
}

/**
 * Worker threads started before their pool (startWorkersEarly), and the options they were started with. A
 * worker thread spends its first few hundred milliseconds loading tfjs and initialising its backend; started
 * first thing by the CLI, it does so while the main thread loads the engine, reads the config and prepares the
 * dataset, instead of after.
 */
let early: { key: string; piscina: Piscina } | undefined;

const optionsKey = (workers: number, backend: BackendName, memoryMb: number) =>
  `${workers}/${backend}/${memoryMb}`;

/**
 * Starts the worker threads of a pool that is about to be built with these options. The first TrainerPool built
 * with the same workers, backend and memory adopts them; a guess that turns out wrong costs the threads' start
 * and nothing else (the pool starts its own, and dropEarlyWorkers ends these). Timing only: a worker computes
 * the same numbers whenever it started.
 */
export function startWorkersEarly(options: Required<Pick<PoolOptions, 'workers'>> & PoolOptions): void {
  const memoryMb = options.memoryMb ?? DEFAULT_WORKER_MEMORY_MB;
  const backend = options.backend ?? 'wasm';
  if (early !== undefined || !Number.isInteger(options.workers) || options.workers < 1) return;
  early = {
    key: optionsKey(options.workers, backend, memoryMb),
    piscina: startPiscina(options.workers, backend, memoryMb),
  };
}

/** Ends the threads startWorkersEarly started when no pool adopted them (else does nothing). */
export async function dropEarlyWorkers(): Promise<void> {
  const e = early;
  early = undefined;
  await e?.piscina.destroy();
}

/** A pool of worker threads that each run one trial at a time. */
export class TrainerPool {
  private readonly piscina: Piscina;
  private readonly shared = new WeakMap<PreparedData, PreparedData>();
  private readonly memoryMb: number;
  private closed = false;
  /**
   * Every trial's progress comes back on one channel per pool, tagged with the run's id: a worker opens it
   * once, so a run creates and transfers no MessagePort.
   */
  private readonly progress: BroadcastChannel;
  private readonly listeners = new Map<number, (msg: EpochMessage) => void>();
  private nextRun = 0;

  constructor(options: PoolOptions = {}) {
    const workers = options.workers ?? Math.max(1, os.availableParallelism());
    if (!Number.isInteger(workers) || workers < 1) {
      throw new LockstepError('E_CONFIG', `workers: expected an integer >= 1, got ${workers}`);
    }
    const memoryMb = options.memoryMb ?? DEFAULT_WORKER_MEMORY_MB;
    if (!Number.isInteger(memoryMb) || memoryMb < 16) {
      throw new LockstepError('E_CONFIG', `worker_memory_mb: expected an integer >= 16, got ${memoryMb}`);
    }
    const backend = options.backend ?? 'wasm';
    if (early?.key === optionsKey(workers, backend, memoryMb)) {
      this.piscina = early.piscina;
      early = undefined;
    } else {
      this.piscina = startPiscina(workers, backend, memoryMb);
    }
    this.memoryMb = memoryMb;
    this.progress = new BroadcastChannel(`lockstep-progress-${process.pid}-${randomUUID()}`);
    this.progress.unref();
    this.progress.onmessage = (ev) => {
      const msg = (ev as unknown as { data: EpochMessage }).data;
      this.listeners.get(msg.run)?.(msg);
    };
  }

  get workers(): number {
    return this.piscina.maxThreads;
  }

  /**
   * Runs a trial on a free worker. Resolves with the trial's result, 'failed' included;
   * rejects only when aborted (E_ABORTED) or when the pool is closed.
   */
  async run(task: TrialTask, opts: RunOptions = {}): Promise<TrialResult> {
    if (this.closed) throw new LockstepError('E_ABORTED', 'the trainer pool is closed');
    const prepared =
      task.kind === 'mlp'
        ? { ...task, data: this.share(task.data), memoryMb: task.memoryMb ?? this.memoryMb }
        : task;
    const onEpoch = opts.onEpoch;
    const req: WorkerRequest = { task: prepared as TrialTask };
    let callbackError: unknown;
    let reply: Int32Array | undefined;
    const wait = opts.wait ?? true;
    /** Epochs delivered to onEpoch so far (no-wait mode). */
    let delivered = 0;
    let settled = false;
    const run = this.nextRun++;
    if (onEpoch !== undefined) {
      req.progress = { channel: this.progress.name, run };
      if (wait) {
        reply = new Int32Array(new SharedArrayBuffer(4));
        req.reply = reply;
        const answer = (code: number) => {
          Atomics.store(reply!, 0, code);
          Atomics.notify(reply!, 0);
        };
        this.listeners.set(run, (msg: EpochMessage) => {
          if (msg.type !== 'epoch') return; // a waiting trial posts one epoch at a time
          let r: ReturnType<ProgressCallback>;
          try {
            r = onEpoch(msg.epoch, msg.metrics);
          } catch (e) {
            callbackError = e;
            answer(REPLY_ERROR);
            return;
          }
          Promise.resolve(r).then(
            (v) => answer(v === 'stop' ? REPLY_STOP : REPLY_CONTINUE),
            (e: unknown) => {
              callbackError = e;
              answer(REPLY_ERROR);
            },
          );
        });
      } else {
        this.listeners.set(run, (msg: EpochMessage) => {
          const batch = msg.type === 'epochs' ? msg.metrics : [msg.metrics];
          if (settled || callbackError !== undefined || msg.epoch !== delivered + 1) return;
          for (const metrics of batch) {
            const epoch = delivered + 1;
            delivered = epoch;
            try {
              void Promise.resolve(onEpoch(epoch, metrics)).catch((e: unknown) => {
                callbackError ??= e;
              });
            } catch (e) {
              callbackError ??= e;
            }
            if (callbackError !== undefined) return;
          }
        });
      }
    }
    const onAbort = () => {
      // Releases a worker that waits for an answer, so that it can be stopped.
      if (reply !== undefined) {
        Atomics.store(reply, 0, REPLY_STOP);
        Atomics.notify(reply, 0);
      }
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const result = (await this.piscina.run(req, opts.signal ? { signal: opts.signal } : {})) as TrialResult;
      if (onEpoch !== undefined && !wait) {
        // The epochs whose messages have not arrived yet, from the result: in order, each once.
        settled = true;
        for (let e = delivered; e < result.history.length && callbackError === undefined; e++) {
          try {
            await onEpoch(e + 1, result.history[e]!);
          } catch (err) {
            callbackError = err;
          }
        }
      }
      if (callbackError !== undefined) {
        // The main thread's side failed (recording the epoch, say), not the trial's numbers.
        const error = `the progress callback failed: ${errorLine(callbackError)}`;
        return {
          state: 'failed',
          error,
          cause: 'environment',
          epochs: result.epochs,
          history: result.history,
        };
      }
      return result;
    } catch (e) {
      if (opts.signal?.aborted || (e as Error | undefined)?.name === 'AbortError') {
        throw new LockstepError('E_ABORTED', 'the trial was aborted', { cause: e });
      }
      throw new WorkerLostError(e, this.memoryMb);
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
      // Messages of this run that arrive later (no-wait mode) find no listener: dropped.
      this.listeners.delete(run);
    }
  }

  /**
   * Runs a study's refit on a free worker (its tfjs is loaded and warm; the main thread need not load it). The
   * same bits as runRefit on any thread. Rejects with the refit's own error (its code kept), with
   * WorkerLostError when the worker was lost, or E_ABORTED when the pool is closed.
   */
  async refit(job: RefitJob): Promise<{ record: RefitRecord; modelDir: string }> {
    if (this.closed) throw new LockstepError('E_ABORTED', 'the trainer pool is closed');
    const req: RefitRequest = { refit: { ...job, data: this.share(job.data) } };
    let reply: RefitReply;
    try {
      reply = (await this.piscina.run(req)) as RefitReply;
    } catch (e) {
      throw new WorkerLostError(e, this.memoryMb);
    }
    if (!reply.ok) throw new LockstepError(reply.code ?? 'E_TRIAL', reply.error);
    return { record: reply.record, modelDir: reply.modelDir };
  }

  /** Stops the workers after the running trials finish. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.piscina.close();
    this.progress.close();
  }

  /** Destroys the workers at once, running trials included. */
  async destroy(): Promise<void> {
    this.closed = true;
    await this.piscina.destroy();
    this.progress.close();
  }

  private share(data: PreparedData): PreparedData {
    let s = this.shared.get(data);
    if (s === undefined) {
      s = toShared(data);
      this.shared.set(data, s);
    }
    return s;
  }
}
