import { createRequire } from 'node:module';
import os from 'node:os';
import { LockstepError } from '../errors.js';
import { version } from '../version.js';
import type { BackendName } from './types.js';

// What a study records about its engine, without loading tfjs: the main thread of a search records it before
// the first trial and needs tfjs only for the refit (the worker threads train), so it reads the packages'
// versions from their package.json (the same strings tfjs exports as version_core, version_wasm, version_cpu).

/**
 * Version of everything in the trainer that decides a trial's numbers (initialisers, loop, losses,
 * metrics). Bumped whenever a change alters a trial's numbers, so that a replay can tell a code
 * change from a real divergence.
 *
 * 2: hand-written backward pass and optimizers over one flat parameter buffer; train_loss
 *    computed in float64 from each step's outputs.
 * 3: the `init` parameter, default `torch` (PyTorch's nn.Linear initialisation, kernels and biases
 *    uniform in ±1/√fanIn; `he` is version 2's scheme); train_loss adds the L2 term once per epoch,
 *    at the epoch's final parameters, instead of at every batch.
 */
export const NUMERIC_VERSION = 3;

export interface BackendInfo {
  name: BackendName;
  version: string;
}

export interface Environment {
  lockstep: string;
  /** The numeric version: bumped whenever a change alters the numbers a trial produces. */
  numeric: number;
  node: string;
  tfjs: string;
  backend: BackendName | null;
  backendVersion: string | null;
  platform: string;
  arch: string;
  cpu: string;
}

const require = createRequire(import.meta.url);

function packageVersion(name: string): string | undefined {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return undefined;
  }
}

const PACKAGES: Record<BackendName, string> = {
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
  tensorflow: '@tensorflow/tfjs-node',
};

/**
 * The backend `name` will be once initialised, from its package alone: its name and version.
 * @throws LockstepError E_BACKEND when its package is not installed (the optional tfjs-node) or the name is unknown.
 */
export function backendPackage(name: BackendName): BackendInfo {
  const pkg = PACKAGES[name];
  if (pkg === undefined) {
    throw new LockstepError(
      'E_BACKEND',
      `unknown backend '${String(name)}'; expected wasm, cpu or tensorflow`,
    );
  }
  const v = packageVersion(pkg);
  if (v === undefined) {
    throw new LockstepError(
      'E_BACKEND',
      name === 'tensorflow'
        ? "backend 'tensorflow' needs @tensorflow/tfjs-node, which is not installed (npm install @tensorflow/tfjs-node)"
        : `backend '${name}' needs ${pkg}, which is not installed`,
    );
  }
  return { name, version: v };
}

/** The environment a study records: engine, Node, tfjs and backend versions, platform, CPU. */
export function environmentOf(backend: BackendInfo | null): Environment {
  return {
    lockstep: version,
    numeric: NUMERIC_VERSION,
    node: process.versions.node,
    tfjs: packageVersion('@tensorflow/tfjs-core') ?? 'unknown',
    backend: backend?.name ?? null,
    backendVersion: backend?.version ?? null,
    platform: process.platform,
    arch: process.arch,
    cpu: os.cpus()[0]?.model ?? 'unknown',
  };
}
