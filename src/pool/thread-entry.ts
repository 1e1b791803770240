/**
 * The pool's worker (compiled to dist/pool/thread-entry.js, imported by worker.cjs, piscina's entry). Each
 * worker thread initialises tfjs and its backend once, then runs trials one at a time.
 *
 * The dataset arrives as SharedArrayBuffer-backed arrays: posting a task shares that memory,
 * so a dataset is never copied per trial or per worker.
 */
import { randomInt } from 'node:crypto';
import { BroadcastChannel, workerData } from 'node:worker_threads';
import { errorLine, LockstepError } from '../errors.js';
import { initBackend } from '../train/backend.js';
import { guardWasmMemory } from '../train/memory.js';
import type { BackendName, EpochMetrics } from '../train/types.js';
import { runTrialTask } from './run.js';
import {
  type EpochMessage,
  EXIT_WASM_MEMORY,
  REPLY_CONTINUE,
  REPLY_ERROR,
  REPLY_PENDING,
  REPLY_STOP,
  type RefitReply,
  type RefitRequest,
  type TrialResult,
  type WorkerRequest,
} from './types.js';

const data = workerData as { backend?: BackendName; memoryMb?: number } | undefined;
const backend = (data?.backend ?? 'wasm') as BackendName;
/**
 * The wasm backend's memory is bounded as the JS heap is (worker_memory_mb): past it this thread ends, which
 * gives the memory back (a WebAssembly memory never shrinks); the pool names the reason by the exit code.
 */
let wasmGuard: { check(): void } | undefined;
const ready = initBackend(backend).then((info) => {
  if (data?.memoryMb !== undefined) {
    wasmGuard = guardWasmMemory(data.memoryMb * 1024 * 1024, () => process.exit(EXIT_WASM_MEMORY));
  }
  return info;
});
// An unobserved rejection would kill the thread before a task could report it.
ready.catch(() => undefined);

/**
 * Tests inject random delays (LOCKSTEP_TEST_DELAY_MS) to shuffle completion order; timing only, never a
 * number a trial produces.
 */
const testDelayMs = Number(process.env.LOCKSTEP_TEST_DELAY_MS ?? 0);

/** The most often a trial that waits for no answer posts its epochs (ms). */
const BATCH_MS = 100;

/** The pools' progress channels, opened once per thread. */
const channels = new Map<string, BroadcastChannel>();

function channel(name: string): BroadcastChannel {
  let c = channels.get(name);
  if (c === undefined) {
    c = new BroadcastChannel(name);
    c.unref();
    channels.set(name, c);
  }
  return c;
}

/**
 * A study's refit, in a worker whose tfjs is loaded and warm (TrainerPool.refit): the same bits as on the main
 * thread. Its module is loaded only when a refit comes.
 */
async function refitInWorker(req: RefitRequest): Promise<RefitReply> {
  await ready;
  try {
    const { runRefitJob } = await import('../study/refit.js');
    return { ok: true, ...(await runRefitJob(req.refit)) };
  } catch (e) {
    return { ok: false, error: errorLine(e), ...(e instanceof LockstepError ? { code: e.code } : {}) };
  }
}

export default async function runInWorker(
  req: WorkerRequest | RefitRequest,
): Promise<TrialResult | RefitReply> {
  if ('refit' in req) return await refitInWorker(req);
  await ready;
  if (testDelayMs > 0) await new Promise((r) => setTimeout(r, randomInt(0, testDelayMs + 1))); // timing only
  const { progress, reply } = req;
  const port = progress === undefined ? undefined : channel(progress.channel);
  /** Epochs not yet posted (a trial that waits for no answer): posted together, at most every BATCH_MS. */
  let batch: { epoch: number; metrics: EpochMetrics[] } | undefined;
  let posted = Number.NEGATIVE_INFINITY; // timing only: when a message goes, never what it holds
  return await runTrialTask(
    req.task,
    port === undefined || progress === undefined
      ? () => wasmGuard?.check()
      : (epoch: number, metrics: EpochMetrics) => {
          wasmGuard?.check();
          if (reply === undefined) {
            // A message per epoch cost ~0.3 ms of the worker's time each (~9 % of a small dataset's trial); the
            // epochs left in the batch when the trial ends reach the main thread with its result.
            batch ??= { epoch, metrics: [] };
            batch.metrics.push(metrics);
            const now = performance.now(); // timing only
            if (now - posted >= BATCH_MS) {
              const msg: EpochMessage = { type: 'epochs', run: progress.run, ...batch };
              port.postMessage(msg);
              batch = undefined;
              posted = now;
            }
            return;
          }
          const msg: EpochMessage = { type: 'epoch', run: progress.run, epoch, metrics };
          Atomics.store(reply, 0, REPLY_PENDING);
          port.postMessage(msg);
          // Block until the main thread has answered: a 'stop' must land before the next epoch,
          // whatever the machine's load, or the trial's length would depend on timing.
          Atomics.wait(reply, 0, REPLY_PENDING);
          const answer = Atomics.load(reply, 0);
          if (answer === REPLY_ERROR) throw new LockstepError('E_TRIAL', 'the progress callback failed');
          return answer === REPLY_STOP ? 'stop' : answer === REPLY_CONTINUE ? undefined : undefined;
        },
  );
}
