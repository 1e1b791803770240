import type { Objective } from './types.js';

// The objectives of this thread, apart from the trial runner (pool/run.ts) so that registering a function
// objective does not load tfjs: a search's main thread loads it only to train.

/** Loaded or registered objectives by module path or `function:<key>`. */
export const modules = new Map<string, Promise<Objective>>();

/** The prefix of a ModuleTask's `module` that names a registered objective function instead of a file. */
export const FUNCTION_PREFIX = 'function:';

/**
 * Registers an objective function under `function:<key>` for tasks run in this thread (a function cannot
 * be sent to a worker thread). Returns the name to put in a ModuleTask's `module`.
 */
export function registerObjective(key: string, objective: Objective): string {
  const name = `${FUNCTION_PREFIX}${key}`;
  modules.set(name, Promise.resolve(objective));
  return name;
}
