/**
 * Runs a suite: strategies × problems × seeds, each run a sequential study with its own ledger,
 * spread over worker threads. Results are ordered by (problem, strategy, seed), never by completion,
 * so that they are the same for any number of workers.
 */
import { setMaxListeners } from 'node:events';
import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { Piscina } from 'piscina';
import { LockstepError } from '../errors.js';
import { compiledFile } from '../paths.js';
import { moduleBackend, problemInfo, runConfig } from './problems.js';
import { type RunResult, type RunTask, runOne } from './run.js';
import type { Suite } from './suite.js';
import type { WorkerAnswer } from './thread-entry.js';

/** The compiled bench worker entry. */
export function benchWorkerFile(): string {
  return compiledFile('bench/thread-entry.js', 'bench worker');
}

export interface RunSuiteOptions {
  /** Worker threads; default the number of CPUs. 1 runs everything in this thread. */
  workers?: number;
  /** Output folder (studies go to `<out>/runs/`). */
  out: string;
  /** Called after each run finishes (in completion order), for progress. */
  onRun?: (r: RunResult, done: number, total: number) => void;
  signal?: AbortSignal;
}

/** Every run of the suite, in (problem, strategy, seed) order. */
export function suiteTasks(suite: Suite, out: string): RunTask[] {
  const tasks: RunTask[] = [];
  const stride = Math.max(1, Math.floor(suite.trials / 10));
  const backend = moduleBackend(suite.problems);
  for (const p of suite.problems) {
    problemInfo(p); // a missing or bad table fails here, before any worker starts
    for (const s of suite.strategies) {
      for (let k = 0; k < suite.seeds; k++) {
        tasks.push({
          index: tasks.length,
          problem: p.label,
          strategy: s.label,
          seed: k,
          config: runConfig(p, s, k, suite.seed, suite.trials, backend),
          out,
          timingStride: stride,
        });
      }
    }
  }
  return tasks;
}

/** Runs every (problem, strategy, seed) of the suite; the results are in task order. */
export async function runSuite(suite: Suite, opts: RunSuiteOptions): Promise<RunResult[]> {
  const out = resolve(opts.out);
  mkdirSync(out, { recursive: true });
  const tasks = suiteTasks(suite, out);
  const workers = Math.max(1, Math.min(opts.workers ?? availableParallelism(), tasks.length));
  const results = new Array<RunResult>(tasks.length);
  let done = 0;
  const finish = (r: RunResult) => {
    results[r.index] = r;
    done++;
    opts.onRun?.(r, done, tasks.length);
  };
  if (workers === 1) {
    for (const t of tasks) {
      if (opts.signal?.aborted) throw new LockstepError('E_ABORTED', 'bench interrupted');
      finish(await runOne(t));
    }
    return results;
  }
  // Mixed problems take very different times; the longest runs (MLP training) go first.
  const order = [...tasks].sort((a, b) => weight(b) - weight(a) || a.index - b.index);
  if (opts.signal) setMaxListeners(tasks.length + 16, opts.signal);
  const pool = new Piscina({
    filename: benchWorkerFile(),
    minThreads: workers,
    maxThreads: workers,
    concurrentTasksPerWorker: 1,
    idleTimeout: 1000,
  });
  try {
    await Promise.all(
      order.map(async (t) => {
        const a = (await pool.run(t, opts.signal ? { signal: opts.signal } : {})) as WorkerAnswer;
        if (!a.ok) throw a.code === null ? new Error(a.message) : new LockstepError(a.code, a.message);
        finish(a.result);
      }),
    );
  } catch (e) {
    if (opts.signal?.aborted) throw new LockstepError('E_ABORTED', 'bench interrupted');
    throw e;
  } finally {
    await pool.destroy();
  }
  return results;
}

function weight(t: RunTask): number {
  return t.config.objective === undefined || t.config.objective === 'mlp' ? 2 : 1;
}
