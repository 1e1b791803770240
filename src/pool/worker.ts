/**
 * The piscina worker entry (compiled to dist/pool/worker.js). Each worker thread initialises
 * tfjs and its backend once, then runs trials one at a time.
 *
 * The dataset arrives as SharedArrayBuffer-backed arrays: posting a task shares that memory,
 * so a dataset is never copied per trial or per worker.
 */
import { randomInt } from 'node:crypto';
import { BroadcastChannel, workerData } from 'node:worker_threads';
import { LockstepError } from '../errors.js';
import { initBackend } from '../train/backend.js';
import type { BackendName, EpochMetrics } from '../train/types.js';
import { runTrialTask } from './run.js';
import {
  type EpochMessage,
  REPLY_CONTINUE,
  REPLY_ERROR,
  REPLY_PENDING,
  REPLY_STOP,
  type TrialResult,
  type WorkerRequest,
} from './types.js';

const backend = ((workerData as { backend?: BackendName } | undefined)?.backend ?? 'wasm') as BackendName;
const ready = initBackend(backend);
// An unobserved rejection would kill the thread before a task could report it.
ready.catch(() => undefined);

/**
 * Tests inject random delays (LOCKSTEP_TEST_DELAY_MS) to shuffle completion order; timing only, never a
 * number a trial produces.
 */
const testDelayMs = Number(process.env.LOCKSTEP_TEST_DELAY_MS ?? 0);

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

export default async function runInWorker(req: WorkerRequest): Promise<TrialResult> {
  await ready;
  if (testDelayMs > 0) await new Promise((r) => setTimeout(r, randomInt(0, testDelayMs + 1))); // timing only
  const { progress, reply } = req;
  const port = progress === undefined ? undefined : channel(progress.channel);
  return await runTrialTask(
    req.task,
    port === undefined || progress === undefined
      ? undefined
      : (epoch: number, metrics: EpochMetrics) => {
          const msg: EpochMessage = { type: 'epoch', run: progress.run, epoch, metrics };
          if (reply === undefined) {
            port.postMessage(msg);
            return;
          }
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
