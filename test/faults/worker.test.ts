/**
 * Worker faults: a trial that throws, returns NaN or Infinity, allocates without bound, hangs, or ends its
 * worker thread is recorded as failed with a reason; the pool replaces the worker and the search goes on.
 * Deterministic failures (cause 'trial') replay as such; environmental ones (cause 'environment') are
 * retried once in the run, then by a resume, which reaches the digest of a run that never had them.
 */
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { jsonOut, tempDir } from '../helpers/cli.js';
import { ledgerLines, ledgerOf, ledgerProblems, run } from './helpers.js';

const TRIALS = 7;

describe('worker faults: recorded with a reason, the worker replaced, the search goes on', () => {
  let dir: string;
  let cfg: string;
  let reference: Promise<Record<string, unknown>>;
  beforeAll(() => {
    dir = tempDir('lockstep-faults-');
    copyFileSync(join(import.meta.dirname, 'fixtures/faulty.mjs'), join(dir, 'faulty.mjs'));
    cfg = join(dir, 'faulty.yaml');
    writeFileSync(
      cfg,
      `name: faulty\nseed: 9\nobjective: { module: ./faulty.mjs }\ndirection: minimize\nbackend: cpu
space: { x: { type: float, low: 0, high: 1 } }\nsampler: random\nparallelism: 2\nbudget: { trials: ${TRIALS} }
trial_timeout_s: 6\nworker_memory_mb: 64\n`,
    );
    reference = run(['search', cfg, '--workers', '1', '--out', join(dir, 'ref'), '--json']).then((r) => {
      if (r.code !== 0) throw new Error(r.stderr);
      return jsonOut(r);
    });
  });

  it('records each fault with its cause, retries the environmental ones once, and a resume completes them', async () => {
    const out = join(dir, 'faulty-run');
    const args = ['search', cfg, '--workers', '1', '--out', out, '--json'];
    const r = await run(args, { env: { LOCKSTEP_FAULTS_ENV: '1' } });
    expect(r.code, r.stderr).toBe(0);
    const first = jsonOut(r);
    expect(first.stopped).toBe(true); // trials 4-6 are unfinished: a resume retries them

    const finished = ledgerLines(ledgerOf(out, 'faulty')).filter((l) => l.type === 'trial.finished') as {
      index: number;
      state: string;
      cause: string | null;
      error: string | null;
    }[];
    const by = (i: number) => finished.filter((f) => f.index === i);
    expect(by(0).map((f) => f.state)).toEqual(['complete']);
    expect(by(1)).toMatchObject([
      { state: 'failed', cause: 'trial', error: expect.stringMatching(/failed on purpose/) },
    ]);
    expect(by(2)).toMatchObject([
      { state: 'failed', cause: 'trial', error: expect.stringMatching(/returned NaN/) },
    ]);
    expect(by(3)).toMatchObject([
      { state: 'failed', cause: 'trial', error: expect.stringMatching(/returned Infinity/) },
    ]);
    const env = (i: number, re: RegExp) =>
      expect(by(i)).toMatchObject([
        { state: 'failed', cause: 'environment', error: expect.stringMatching(re) },
        { state: 'failed', cause: 'environment', error: expect.stringMatching(re) },
      ]);
    env(4, /worker thread ended \(worker exited with code: 7\)/);
    env(5, /ran out of memory \(its heap limit is 64 MiB: worker_memory_mb\)/);
    env(6, /timed out after 6 s \(trial_timeout_s\)/);

    const id6 = (
      ledgerLines(ledgerOf(out, 'faulty')).find(
        (l) => l.type === 'trial.started' && l.index === 6,
      ) as unknown as { id: string }
    ).id;
    const rep = await run(['replay', id6, '--ledger', ledgerOf(out, 'faulty')], { cwd: dir });
    expect(rep.code).toBe(2);
    expect(rep.stderr).toMatch(/did not finish \(failed: timed out after 6 s/);

    const resumed = await run(args);
    expect(resumed.code, resumed.stderr).toBe(0);
    const ref = await reference;
    expect(jsonOut(resumed).digest).toBe(ref.digest);
    expect(jsonOut(resumed)).toMatchObject({ stopped: false, complete: 4, failed: 3 });
    expect(ledgerProblems(ledgerOf(out, 'faulty'), TRIALS)).toEqual([]);
  });

  it('retries a lost worker once within the run: the study completes with the same digest', async () => {
    const out = join(dir, 'once');
    const markers = tempDir('lockstep-markers-');
    const r = await run(['search', cfg, '--workers', '2', '--out', out, '--json'], {
      env: { LOCKSTEP_FAULTS_ONCE: markers },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(jsonOut(r)).toMatchObject({ stopped: false, digest: (await reference).digest });
    const starts = ledgerLines(ledgerOf(out, 'faulty')).filter(
      (l) => l.type === 'trial.started' && l.index === 4,
    );
    expect(starts).toHaveLength(2);
  });

  it('replays a deterministic failure exact (throw, NaN), and refuses to replay an unfinished one', async () => {
    const ref = await reference;
    const ledger = ref.ledger as string;
    const ids = new Map(
      ledgerLines(ledger)
        .filter((l) => l.type === 'trial.started')
        .map((l) => [l.index, (l as unknown as { id: string }).id]),
    );
    for (const i of [1, 2]) {
      // Run from the config's folder: replay finds a module objective by the path the config gives.
      const rep = await run(['replay', ids.get(i)!, '--ledger', ledger, '--json'], { cwd: dir });
      expect(rep.code, rep.stdout + rep.stderr).toBe(0);
      expect(jsonOut(rep)).toMatchObject({
        verdict: 'exact',
        recorded: { state: 'failed' },
        replayed: { state: 'failed' },
      });
    }
  });
});
