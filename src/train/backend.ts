import { createRequire } from 'node:module';
import { errorLine, LockstepError } from '../errors.js';
import { type BackendInfo, backendPackage, type Environment, environmentOf } from './environment.js';
import * as tf from './tf.js';
import type { BackendName } from './types.js';

export type { BackendInfo, Environment } from './environment.js';
export { NUMERIC_VERSION } from './environment.js';

const require = createRequire(import.meta.url);

let current: Promise<BackendInfo> | undefined;
let currentName: BackendName | undefined;
let resolved: BackendInfo | null = null;

/**
 * Selects and initialises the numeric backend, once per thread: calling it again with the same
 * name returns the same promise; with another name it switches. Prod mode is on (no NaN checks
 * per op, no debug tensors).
 */
export function initBackend(name: BackendName = 'wasm'): Promise<BackendInfo> {
  if (current !== undefined && currentName === name) return current;
  currentName = name;
  resolved = null;
  current = setUp(name);
  current.catch(() => {
    // A failed initialisation must not be cached: the next call tries again.
    if (currentName === name) {
      current = undefined;
      currentName = undefined;
    }
  });
  return current;
}

let setUps = 0;

/** How many times this thread has set a backend up (a worker thread does it once, at start). */
export function backendSetUps(): number {
  return setUps;
}

async function setUp(name: BackendName): Promise<BackendInfo> {
  // An unknown name or a package that is not installed: the one message the search's main thread gives too.
  backendPackage(name);
  setUps++;
  tf.enableProdMode();
  let version: string;
  switch (name) {
    case 'wasm': {
      // required, not imported: see tf.ts (Node would lex the whole CommonJS bundle for export names).
      const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
      // One thread per worker: the pool is the parallelism, and XNNPACK's own threads would
      // compete with it. Must be set before the backend is first created.
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      version = wasm.version_wasm;
      break;
    }
    case 'cpu': {
      const cpu = require('@tensorflow/tfjs-backend-cpu') as typeof import('@tensorflow/tfjs-backend-cpu');
      version = cpu.version_cpu;
      break;
    }
    case 'tensorflow': {
      let mod: { version?: Record<string, string> };
      try {
        // A variable specifier keeps TypeScript from requiring the optional package's types.
        const specifier = '@tensorflow/tfjs-node';
        mod = (await import(specifier)) as { version?: Record<string, string> };
      } catch (cause) {
        // Installed (backendPackage found it) but not loadable: a broken install or a missing native library.
        throw new LockstepError(
          'E_BACKEND',
          `backend 'tensorflow': @tensorflow/tfjs-node is installed but failed to load (${errorLine(cause)})`,
          { cause },
        );
      }
      version = mod.version?.['tfjs-node'] ?? tf.version_core;
      break;
    }
    default: {
      const never: never = name;
      throw new LockstepError(
        'E_BACKEND',
        `unknown backend '${String(never)}'; expected wasm, cpu or tensorflow`,
      );
    }
  }
  const ok = await tf.setBackend(name);
  await tf.ready();
  if (!ok || tf.getBackend() !== name) {
    throw new LockstepError('E_BACKEND', `backend '${name}' failed to initialise`);
  }
  resolved = { name, version };
  return resolved;
}

/** The name and version of the initialised backend, or null before initBackend resolved. */
export function currentBackend(): BackendInfo | null {
  return resolved;
}

/** The environment a study records: engine, Node, tfjs and the initialised backend's versions, platform, CPU. */
export function environment(): Environment {
  return environmentOf(resolved);
}
