/**
 * worker_memory_mb bounds a trial's WebAssembly memory too, not only the worker's JS heap: an MLP whose
 * estimated memory exceeds it fails before it allocates anything, and an objective whose tensors fill the wasm
 * memory past it loses its worker; both with cause 'environment', while the process's resident memory stays
 * far below what the trial asked for. Peak RSS is the CLI process's VmHWM (worker threads included), read from
 * /proc while it runs; past {@link RSS_BOUND_MB} the test kills it and fails.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { cliAsync, jsonOut, tempDir } from '../helpers/cli.js';
import { requireBuild } from '../train/helpers.js';
import { ledgerLines, ledgerOf } from './helpers.js';

/** Node, tfjs and two worker threads take ~150 MB; the trials below ask for 1 GiB and ~48 GiB. */
const RSS_BOUND_MB = 700;

interface Measured {
  code: number | null;
  stdout: string;
  stderr: string;
  peakRssMb: number;
  killed: boolean;
}

function peakRssKb(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0; // the process has just ended
  }
}

/** Runs the CLI, sampling its peak RSS every 20 ms; kills it once that passes RSS_BOUND_MB. */
function runMeasured(args: string[]): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const child = cliAsync(args);
    let stdout = '';
    let stderr = '';
    let peak = 0;
    let killed = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const timer = setInterval(() => {
      peak = Math.max(peak, peakRssKb(child.pid!));
      if (peak > RSS_BOUND_MB * 1024 && !killed) {
        killed = true;
        child.kill('SIGKILL');
      }
    }, 20);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(timer);
      resolve({ code, stdout, stderr, peakRssMb: Math.round(peak / 1024), killed });
    });
  });
}

interface Finished {
  type: string;
  index: number;
  state: string;
  cause: string | null;
  error: string | null;
}

const finishedOf = (out: string, name: string) =>
  ledgerLines(ledgerOf(out, name)).filter((l) => l.type === 'trial.finished') as unknown as Finished[];

let dir: string;

function config(name: string, body: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, `name: ${name}\nseed: 3\nsampler: random\nparallelism: 1\nrefit: false\n${body}`);
  return file;
}

const MLP = 'dataset: builtin:penguins\ntarget: Species\n';

beforeAll(() => {
  requireBuild();
  dir = tempDir('lockstep-memory-');
});

describe('worker_memory_mb bounds the wasm memory of a trial', () => {
  test('an MLP whose estimated memory exceeds the limit fails at once (environment), the process stays small', async () => {
    const cfg = config(
      'wide',
      `${MLP}space: { layers: 2, units: 20000, epochs: 2, batch_size: 32 }\nbudget: { trials: 1 }\nworker_memory_mb: 64\ntrial_timeout_s: 120\n`,
    );
    const out = join(dir, 'wide-run');
    const r = await runMeasured(['search', cfg, '--out', out, '--json']);
    expect(r.killed, `peak RSS ${r.peakRssMb} MB`).toBe(false);
    expect(r.peakRssMb).toBeLessThan(RSS_BOUND_MB);
    // The exit code of a study without a complete trial is not this test's concern; the ledger is.
    const finished = finishedOf(out, 'wide');
    expect(finished.length).toBeGreaterThan(0);
    for (const f of finished) {
      expect(f).toMatchObject({
        state: 'failed',
        cause: 'environment',
        error:
          'the trial needs an estimated 48,988 MiB (400,280,003 parameters, batch_size 32), more than worker_memory_mb (64 MiB); it was not run',
      });
    }
  });

  test('an objective whose tensors fill the wasm memory past the limit loses its worker (environment), the process stays small', async () => {
    const module = fileURLToPath(new URL('./fixtures/wasm-grow.mjs', import.meta.url));
    const cfg = config(
      'grow',
      `objective: { module: ${module} }\ndirection: minimize\nspace: { x: { type: float, low: 0, high: 1 } }\nbudget: { trials: 1 }\nworker_memory_mb: 64\n`,
    );
    const out = join(dir, 'grow-run');
    const r = await runMeasured(['search', cfg, '--out', out, '--json']);
    expect(r.killed, `peak RSS ${r.peakRssMb} MB`).toBe(false);
    expect(r.peakRssMb).toBeLessThan(RSS_BOUND_MB);
    const finished = finishedOf(out, 'grow');
    expect(finished.length).toBeGreaterThan(0);
    for (const f of finished) {
      expect(f).toMatchObject({
        state: 'failed',
        cause: 'environment',
        error: "the worker's WebAssembly memory grew past worker_memory_mb (64 MiB); it was replaced",
      });
    }
  });

  test('a normal MLP trial under the same limit runs to the end', async () => {
    const cfg = config(
      'normal',
      `${MLP}space: { layers: 2, units: 64, epochs: 3, batch_size: 32 }\nbudget: { trials: 2 }\nworker_memory_mb: 64\n`,
    );
    const out = join(dir, 'normal-run');
    const r = await runMeasured(['search', cfg, '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(jsonOut(r)).toMatchObject({ complete: 2, failed: 0, stopped: false, epochs: 6 });
  });
});
