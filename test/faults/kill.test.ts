/**
 * Kill -9 and resume: a study is SIGKILLed at chosen points — inside a trial, in the middle of a ledger
 * append, between trials, during the final refit — and resumed each time; the final digest must equal an
 * uninterrupted run's, with every trial finished exactly once in the ledger.
 *
 * The exact points come from the test-only hook LOCKSTEP_TEST_KILL_AT (src/ledger/kill-point.ts); one
 * comes from outside (the test kills the process once all trials are in the ledger: the refit is running).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { jsonOut, tempDir } from '../helpers/cli.js';
import { count, ledgerOf, ledgerProblems, run } from './helpers.js';

const TRIALS = 6;

function studyConfig(dir: string): string {
  let s = 11;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) % 100000) / 100000;
  };
  const rows = ['a,b,label'];
  for (let i = 0; i < 90; i++) {
    const a = next() * 2 - 1;
    const b = next() * 2 - 1;
    rows.push(`${a.toFixed(3)},${b.toFixed(3)},${a + 0.5 * b > 0 ? 'yes' : 'no'}`);
  }
  writeFileSync(join(dir, 'data.csv'), `${rows.join('\n')}\n`);
  const cfg = join(dir, 'kill.yaml');
  writeFileSync(
    cfg,
    `name: kill\nseed: 5\ndataset: data.csv\ntarget: label\nsampler: random\nparallelism: 2\nbudget: { trials: ${TRIALS} }
space:
  units_1: { type: int, low: 2, high: 8 }
  learning_rate: { type: float, low: 0.01, high: 0.1, log: true }
  batch_size: 32
  epochs: 3
`,
  );
  return cfg;
}

type Step = { at: string } | { when: string; killWhen: (ledger: string) => boolean };

describe.concurrent('kill -9 at chosen points, resume each time: the same digest as an uninterrupted run', () => {
  let dir: string;
  let cfg: string;
  let reference: Promise<string>;
  beforeAll(() => {
    dir = tempDir('lockstep-kill-');
    cfg = studyConfig(dir);
    reference = run(['search', cfg, '--workers', '2', '--out', join(dir, 'ref'), '--json']).then((r) => {
      if (r.code !== 0) throw new Error(r.stderr);
      return jsonOut(r).digest as string;
    });
  });

  const chains: Record<string, Step[]> = {
    'during appends and inside trials': [
      { at: 'trial.started:1:torn' }, // the very first trial's start, half written
      { at: 'study.note:1' }, // the resume's own first record
      { at: 'trial.progress:3' }, // inside a running trial, workers busy
      { at: 'trial.finished:2:torn' }, // a finished record, half written
    ],
    'between trials and during the final refit': [
      { at: 'trial.meta:2' }, // between trials
      {
        when: 'refit training (killed from outside once every trial is in the ledger)',
        killWhen: (text) => count(text, 'trial.finished') >= TRIALS,
      },
      { at: 'refit:1:torn' }, // the refit's record, half written, its model already saved
    ],
  };

  for (const [name, steps] of Object.entries(chains)) {
    it(name, async () => {
      const out = join(dir, name.replaceAll(' ', '-'));
      const ledger = ledgerOf(out, 'kill');
      const args = ['search', cfg, '--workers', '2', '--out', out, '--json'];
      for (const step of steps) {
        const r =
          'at' in step
            ? await run(args, { env: { LOCKSTEP_TEST_KILL_AT: step.at } })
            : await run(args, { killWhen: step.killWhen, ledger });
        const what = 'at' in step ? step.at : step.when;
        expect(r.signal, `${what}: ${r.stderr}`).toBe('SIGKILL');
        const text = readFileSync(ledger, 'utf8');
        if ('at' in step && step.at.endsWith(':torn')) expect(text.endsWith('\n'), what).toBe(false);
        if (!('at' in step)) expect(count(text, 'refit'), `${what}: the refit had finished`).toBe(0);
      }
      const resumed = await run(args);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stderr).toMatch(/took over a stale lock of pid \d+/);
      const final = jsonOut(resumed);
      expect(final.stopped).toBe(false);
      expect(final.digest).toBe(await reference);
      expect(ledgerProblems(ledger, TRIALS)).toEqual([]);
      expect(count(readFileSync(ledger, 'utf8'), 'refit')).toBe(1);
      const v = await run(['verify', ledger, '--json']);
      expect(v.code, v.stdout).toBe(0);
      expect(jsonOut(v).digest).toBe(await reference);
    });
  }

  it('a crash while the ledger was being created leaves a file that the next run creates anew', async () => {
    const out = join(dir, 'creating');
    const args = ['search', cfg, '--workers', '2', '--out', out, '--json'];
    const r = await run(args, { env: { LOCKSTEP_TEST_KILL_AT: 'study:1:torn' } });
    expect(r.signal).toBe('SIGKILL');
    expect(readFileSync(ledgerOf(out, 'kill'), 'utf8')).not.toContain('\n');
    const again = await run(args);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/replaced a file without one complete line/);
    expect(jsonOut(again).digest).toBe(await reference);
  });
});
