/**
 * Who decided a failed trial: its own numbers ('trial': replayed as such, never retried) or the machine
 * ('environment': loading, memory and engine faults, retried by the run and by a resume). Real modules, real
 * WebAssembly traps and real allocation failures, in a worker thread of the pool.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { failureCause } from '../../src/pool/cause.js';
import { TrainerPool } from '../../src/pool/pool.js';
import type { TrialResult } from '../../src/pool/types.js';
import { tempDir } from '../helpers/cli.js';
import { requireBuild } from '../train/helpers.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

let pool: TrainerPool;
let dir: string;

beforeAll(() => {
  requireBuild();
  pool = new TrainerPool({ workers: 1, backend: 'cpu' });
  dir = tempDir('lockstep-cause-');
  writeFileSync(join(dir, 'syntax.mjs'), 'export function objective( {\n');
  writeFileSync(join(dir, 'top-level.mjs'), "throw new Error('cannot start');\n");
});
afterAll(async () => {
  await pool?.close();
});

const runModule = (module: string): Promise<TrialResult> =>
  pool.run({ kind: 'module', module, params: { x: 1 }, seed: 1, index: 0 });

function failed(r: TrialResult) {
  if (r.state !== 'failed') throw new Error(`expected a failed trial, got ${r.state}`);
  return r;
}

describe('a failed trial carries its cause', () => {
  test('a missing objective module is the environment’s, named plainly', async () => {
    const file = join(dir, 'absent.mjs');
    expect(failed(await runModule(file))).toMatchObject({
      cause: 'environment',
      code: 'E_NOT_FOUND',
      error: `${file}: objective module not found`,
    });
  });

  test('a module that fails to import (syntax error, a throw at its top level) is the environment’s', async () => {
    const syntax = failed(await runModule(join(dir, 'syntax.mjs')));
    expect(syntax.cause).toBe('environment');
    expect(syntax.error).toMatch(/syntax\.mjs: the objective module failed to load \(SyntaxError: /);
    const top = failed(await runModule(join(dir, 'top-level.mjs')));
    expect(top).toMatchObject({ cause: 'environment', error: expect.stringMatching(/cannot start/) });
  });

  test('a module without an objective export is the environment’s', async () => {
    const file = fixture('no-objective.mjs');
    expect(failed(await runModule(file))).toMatchObject({
      cause: 'environment',
      error: `${file}: the module does not export a function 'objective'`,
    });
  });

  test('a WebAssembly out-of-bounds trap is the environment’s', async () => {
    expect(failed(await runModule(fixture('wasm-trap.mjs')))).toMatchObject({
      cause: 'environment',
      error: 'RuntimeError: memory access out of bounds',
    });
  });

  test('an allocation the machine refuses is the environment’s', async () => {
    expect(failed(await runModule(fixture('alloc.mjs')))).toMatchObject({
      cause: 'environment',
      error: 'RangeError: Array buffer allocation failed',
    });
  });

  test('an error thrown by the objective on its inputs, and a NaN score, are the trial’s', async () => {
    expect(failed(await runModule(fixture('throws.mjs')))).toMatchObject({
      cause: 'trial',
      error: 'Error: no good at x=1',
    });
    expect(failed(await runModule(fixture('nan.mjs')))).toMatchObject({ cause: 'trial', code: 'E_TRIAL' });
  });
});

describe('failureCause', () => {
  test('follows the cause chain, and leaves a deterministic RangeError to the trial', () => {
    const trap = (() => {
      try {
        new WebAssembly.Memory({ initial: 1, maximum: 1 }).grow(1);
      } catch (e) {
        return e;
      }
      throw new Error('grow past maximum did not throw');
    })();
    expect(failureCause(trap)).toBe('environment'); // RangeError: Maximum memory size exceeded
    expect(failureCause(new Error('wrapped', { cause: trap }))).toBe('environment');
    expect(failureCause(new RangeError('Invalid array length'))).toBe('trial');
    expect(failureCause(new Error('plain'))).toBe('trial');
    expect(failureCause('a string')).toBe('trial');
  });
});
