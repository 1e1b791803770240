/**
 * Faults of the environment, not of the trial: an objective module that is missing, and a WebAssembly trap.
 * They are recorded with cause 'environment', so that a resume retries them once the environment is fixed,
 * and the study reaches the digest of a run that never had them. Real processes through the CLI, real files.
 */
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { jsonOut, tempDir } from '../helpers/cli.js';
import { ledgerLines, ledgerOf, run } from './helpers.js';

const objective = join(import.meta.dirname, '../pool/fixtures/objective.mjs');
const trap = join(import.meta.dirname, '../pool/fixtures/wasm-trap.mjs');

// A module that traps in WebAssembly while LOCKSTEP_TEST_TRAP=1, and is the quadratic otherwise.
const TRAPPING = `import { objective as quadratic } from './objective.mjs';
import { objective as trap } from './wasm-trap.mjs';
export function objective(params, context) {
  return process.env.LOCKSTEP_TEST_TRAP === '1' ? trap() : quadratic(params, context);
}
`;

function config(dir: string, name: string, module: string): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(
    path,
    `name: ${name}\nseed: 5\nobjective: { module: ./${module} }\ndirection: minimize\nbackend: cpu
space: { x: { type: float, low: 0, high: 4 }, epochs: 2 }\nsampler: { name: tpe, n_startup_trials: 2 }
parallelism: 1\nbudget: { trials: 5 }\n`,
  );
  return path;
}

type Finished = { type: string; index: number; state: string; cause: string | null; error: string | null };
const finishedOf = (ledger: string) =>
  ledgerLines(ledger).filter((l) => l.type === 'trial.finished') as unknown as Finished[];

describe('environment faults are retried by a resume', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir('lockstep-load-faults-');
    copyFileSync(objective, join(dir, 'objective.mjs'));
    copyFileSync(trap, join(dir, 'wasm-trap.mjs'));
    writeFileSync(join(dir, 'trapping.mjs'), TRAPPING);
  });

  it('a missing objective module: recorded as environment, and after the module is added a resume reaches the clean digest', async () => {
    const cfg = config(dir, 'late', 'late.mjs');
    const out = join(dir, 'missing');
    const first = await run(['search', cfg, '--workers', '1', '--out', out, '--json']);
    const ledger = ledgerOf(out, 'late');
    const finished = finishedOf(ledger);
    expect(finished.length).toBeGreaterThan(0);
    for (const f of finished) {
      expect(f).toMatchObject({
        state: 'failed',
        cause: 'environment',
        error: `${join(dir, 'late.mjs')}: objective module not found`,
      });
    }
    expect(jsonOut(first)).toMatchObject({ complete: 0, stopped: true });
    // No trial completed: the run exits 1 and says why.
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(
      /no trial completed \(\d+ failed\); most common failure: .*late\.mjs: objective module not found\n$/,
    );

    copyFileSync(objective, join(dir, 'late.mjs'));
    const resumed = await run(['search', cfg, '--workers', '1', '--out', out, '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    // The same study run once the module exists: the resume must reach its digest.
    const reference = await run(['search', cfg, '--out', join(dir, 'late-ref'), '--json']);
    expect(reference.code, reference.stderr).toBe(0);
    expect(jsonOut(resumed)).toMatchObject({ complete: 5, failed: 0, stopped: false });
    expect(jsonOut(resumed).best).toEqual(jsonOut(reference).best);
    expect(jsonOut(resumed).digest).toBe(jsonOut(reference).digest);
  });

  it('a WebAssembly out-of-bounds trap: recorded as environment, and a resume without it reaches the clean digest', async () => {
    const cfg = config(dir, 'trapping', 'trapping.mjs');
    const out = join(dir, 'trap');
    await run(['search', cfg, '--workers', '1', '--out', out, '--json'], {
      env: { LOCKSTEP_TEST_TRAP: '1' },
    });
    const finished = finishedOf(ledgerOf(out, 'trapping'));
    expect(finished.length).toBeGreaterThan(0);
    for (const f of finished) {
      expect(f).toMatchObject({
        state: 'failed',
        cause: 'environment',
        error: 'RuntimeError: memory access out of bounds',
      });
    }
    const resumed = await run(['search', cfg, '--workers', '1', '--out', out, '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const reference = await run(['search', cfg, '--out', join(dir, 'trap-ref'), '--json']);
    expect(reference.code, reference.stderr).toBe(0);
    expect(jsonOut(resumed)).toMatchObject({ complete: 5, failed: 0, stopped: false });
    expect(jsonOut(resumed).digest).toBe(jsonOut(reference).digest);
  });
});
