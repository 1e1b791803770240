/**
 * The piscina worker entry of the strategy benchmark (compiled to dist/bench/thread-entry.js): each task
 * is one whole run (a sequential study), so the benchmark parallelises across studies. A known error
 * comes back as data (its code and line), since an Error's class does not survive the thread boundary.
 */
import { errorLine, LockstepError } from '../errors.js';
import { type RunResult, type RunTask, runOne } from './run.js';

export type WorkerAnswer =
  | { ok: true; result: RunResult }
  | { ok: false; code: LockstepError['code'] | null; message: string };

export default async function runInWorker(task: RunTask): Promise<WorkerAnswer> {
  try {
    return { ok: true, result: await runOne(task) };
  } catch (e) {
    return { ok: false, code: e instanceof LockstepError ? e.code : null, message: errorLine(e) };
  }
}
