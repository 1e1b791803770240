import { LockstepError } from '../errors.js';

/**
 * Why a trial failed: `trial` when its own numbers decided it (a NaN loss, an error thrown by the user's
 * objective on valid inputs), so that it is part of the study and replays as such; `environment` when the
 * machine did (the objective's module could not be loaded, memory or an allocation ran out, the
 * WebAssembly engine trapped, the worker was lost), so that the run retries it once and a resume again.
 */
export type FailureCause = 'trial' | 'environment';

/**
 * The objective's module could not be loaded: not found, not importable, or without an `objective` export.
 * Fixing the file fixes the trial, so it is the environment's failure.
 */
export class ObjectiveLoadError extends LockstepError {
  readonly file: string;
  constructor(
    file: string,
    code: 'E_NOT_FOUND' | 'E_CONFIG',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.name = 'ObjectiveLoadError';
    this.file = file;
  }
}

/** The engine's trap (an out-of-bounds access, `unreachable`…); the project's lib settings do not declare it. */
const WasmRuntimeError = (globalThis as unknown as { WebAssembly: { RuntimeError: new () => object } })
  .WebAssembly.RuntimeError;

/** A RangeError of an allocation that the heap, an ArrayBuffer or a WebAssembly memory could not grant. */
const ALLOCATION =
  /out of memory|allocation failed|(could not|cannot|unable to) allocate|maximum memory size exceeded/i;

/**
 * The cause of an error thrown inside a trial, following its `cause` chain: a fault of loading, memory or
 * the engine anywhere in it is the environment's.
 */
export function failureCause(e: unknown): FailureCause {
  const seen = new Set<unknown>();
  let x: unknown = e;
  while (x instanceof Error && !seen.has(x)) {
    seen.add(x);
    if (x instanceof ObjectiveLoadError || isWasmTrap(x)) return 'environment';
    // worker_memory_mb refused it (train/memory.ts): a larger limit runs it.
    if (x instanceof LockstepError && x.code === 'E_MEMORY') return 'environment';
    if (x instanceof RangeError && ALLOCATION.test(x.message)) return 'environment';
    x = x.cause;
  }
  return 'trial';
}

function isWasmTrap(e: Error): boolean {
  return e instanceof WasmRuntimeError;
}
