import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, cli, jsonOut, smallCsv, tempDir, writeFiles } from '../helpers/cli.js';
import { type Rec, readRecords, rewriteCopy, trialRecords } from '../helpers/rewrite.js';

/**
 * Issue 15, item 2: ledgers rewritten with their hash chain recomputed, so that the chain is intact and
 * only `verify`'s other checks (the config hash, the params re-derived from the visible history, the
 * best trial and the refit replayed, every metric compared) can find the edit.
 */

const CONFIG = `name: vt
seed: 11
dataset: data.csv
target: label
metric: log_loss
sampler: { name: tpe, n_startup_trials: 3 }
parallelism: 1
budget: { trials: 8 }
space:
  layers: 1
  units_1: { type: int, low: 2, high: 8 }
  learning_rate: { type: float, low: 0.005, high: 0.2, log: true }
  batch_size: 16
  epochs: 2
`;

let dir: string;
let cfg: string;
let ledger: string;
let records: Rec[];
let best: number;
let n = 0;

/** A fresh path for a rewritten copy of the study's ledger. */
const copyPath = () => join(dir, `rewritten-${n++}.jsonl`);

const verify = (file: string, ...args: string[]) => cli(['verify', file, ...args, '--json']);

function expectCaught(r: CliResult, problem: RegExp): void {
  expect(r.code, r.stdout + r.stderr).toBe(1);
  const v = jsonOut(r);
  expect(v.ok).toBe(false);
  expect((v.problems as string[]).join('\n')).toMatch(problem);
}

beforeAll(async () => {
  dir = tempDir();
  writeFiles(dir, { 'data.csv': smallCsv(120, 3), 'vt.yaml': CONFIG });
  cfg = join(dir, 'vt.yaml');
  const s = await cli(['search', cfg, '--workers', '1', '--out', join(dir, 'out'), '--json']);
  expect(s.code, s.stderr).toBe(0);
  ledger = jsonOut(s).ledger as string;
  best = (jsonOut(s).best as { index: number }).index;
  records = readRecords(ledger);
  // The scenarios below need a best trial that a spread of one replay (trial 0) misses.
  expect(best).not.toBe(0);
  const v = await verify(ledger, '--replay', '8');
  expect(v.code, v.stdout + v.stderr).toBe(0);
});

describe('verify on a ledger rewritten with its hash chain recomputed', () => {
  it('fails on other params for a trial, with the progress, score and weights of a real run of them, naming the trial', async () => {
    const k = best === 5 ? 4 : 5; // after TPE's startup trials, and not the best (its refit would differ)
    const started = trialRecords(records, k, 'trial.started')[0]!;
    const params = { ...(started.params as Record<string, number>) };
    params.units_1 = params.units_1 === 8 ? 7 : params.units_1! + 1;
    const t = await cli([
      'train',
      cfg,
      '--params',
      JSON.stringify(params),
      '--seed',
      String(started.seed),
      '--out',
      join(dir, 'forged-model'),
      '--json',
    ]);
    expect(t.code, t.stderr).toBe(0);
    const real = jsonOut(t) as {
      score: number;
      metrics: Record<string, number>;
      history: Record<string, number>[];
      weightsHash: string;
    };
    const file = rewriteCopy(ledger, copyPath(), (rs) => {
      for (const r of rs) {
        if (r.index !== k) continue;
        if (r.type === 'trial.started') r.params = params;
        if (r.type === 'trial.progress') r.metrics = real.history[(r.epoch as number) - 1]!;
        if (r.type === 'trial.finished') {
          r.score = real.score;
          r.metrics = real.metrics;
          r.weightsHash = real.weightsHash;
        }
      }
      return undefined;
    });
    // The forged trial replays exact: only re-deriving its params from the history can tell.
    const rep = await cli(['replay', String(started.id), '--ledger', file, '--json']);
    expect(jsonOut(rep).verdict).toBe('exact');
    expectCaught(
      await verify(file, '--replay', '8'),
      new RegExp(`trial ${started.id}: its recorded params differ`),
    );
  });

  it('fails on an edited config (sampler, ranges) whose configHash was kept', async () => {
    for (const edit of [
      (c: Record<string, unknown>) => {
        c.sampler = { name: 'random' };
      },
      (c: Record<string, unknown>) => {
        (c.space as { units_1: { high: number } }).units_1.high = 9;
      },
    ]) {
      const file = rewriteCopy(ledger, copyPath(), (rs) => {
        edit((rs[0]!.study as { config: Record<string, unknown> }).config);
        return undefined;
      });
      expectCaught(await verify(file, '--replay', '8'), /config hash/);
    }
  });

  it('fails on an edited refit testScore (the refit is retrained and compared)', async () => {
    const file = rewriteCopy(ledger, copyPath(), (rs) => {
      const refit = rs.find((r) => r.type === 'refit')!;
      const metrics = refit.testMetrics as Record<string, number>;
      metrics.log_loss = metrics.log_loss! * 0.9;
      refit.testScore = metrics.log_loss;
      return undefined;
    });
    expectCaught(await verify(file, '--replay', '8'), /refit .*(testScore|log_loss)/);
  });

  it('fails when the best trials are relabelled failed (environment) and another becomes best', async () => {
    const scored = records
      .filter((r) => r.type === 'trial.finished' && r.state === 'complete')
      .sort((a, b) => (a.score as number) - (b.score as number));
    const relabelled = scored.slice(0, 2).map((r) => r.index as number);
    expect(relabelled).toContain(best);
    const file = rewriteCopy(ledger, copyPath(), (rs) => {
      for (const r of rs) {
        if (r.type !== 'trial.finished' || !relabelled.includes(r.index as number)) continue;
        Object.assign(r, {
          state: 'failed',
          score: null,
          metrics: {},
          epochs: 0,
          weightsHash: null,
          error: 'timed out after 600 s (trial_timeout_s); its worker was replaced',
          cause: 'environment',
        });
      }
      return rs.filter((r) => r.type !== 'refit'); // a refit of a failed trial would not fold
    });
    const r = await verify(file, '--replay', '1');
    expectCaught(r, /environment/);
    const v = jsonOut(r);
    expect((v.environmentFailures as { index: number }[]).map((f) => f.index).sort()).toEqual(
      relabelled.slice().sort(),
    );
  });

  it("fails when the refit is moved to another trial than the fold's best", async () => {
    const second = records
      .filter((r) => r.type === 'trial.finished' && r.state === 'complete' && r.index !== best)
      .sort((a, b) => (a.score as number) - (b.score as number))[0]!.index as number;
    const file = rewriteCopy(ledger, copyPath(), (rs) => {
      const refit = rs.find((r) => r.type === 'refit')!;
      refit.index = second;
      refit.params = trialRecords(rs, second, 'trial.started')[0]!.params;
      return undefined;
    });
    expectCaught(await verify(file, '--replay', '1'), /refit .*best/);
  });

  it('always replays the best trial: an edited weights hash of the best is caught with --replay 1', async () => {
    const file = rewriteCopy(ledger, copyPath(), (rs) => {
      trialRecords(rs, best, 'trial.finished')[0]!.weightsHash = 'f'.repeat(64);
      return undefined;
    });
    const r = await verify(file, '--replay', '1');
    expectCaught(r, /weightsHash/);
    const replayed = (jsonOut(r).replays as { index: number; reason: string }[]).find(
      (x) => x.index === best,
    );
    expect(replayed?.reason).toBe('best');
  });

  for (const metric of ['log_loss', 'roc_auc']) {
    it(`fails on ${metric} edited in trial.finished, and replay says diverged`, async () => {
      const k = best === 2 ? 3 : 2;
      const file = rewriteCopy(ledger, copyPath(), (rs) => {
        const f = trialRecords(rs, k, 'trial.finished')[0]!;
        const m = f.metrics as Record<string, number>;
        m[metric] = m[metric]! * 0.98;
        return undefined;
      });
      const id = String(trialRecords(records, k, 'trial.started')[0]!.id);
      const rep = await cli(['replay', id, '--ledger', file, '--json']);
      expect(rep.code).toBe(1);
      expect(jsonOut(rep).verdict).toBe('diverged');
      expect((jsonOut(rep).difference as { where: string }).where).toMatch(metric);
      expectCaught(await verify(file, '--replay', '8'), new RegExp(`trial ${id}.*${metric}`));
    });
  }
});

describe('verify chooses its replays with a seed it reports', () => {
  it('replays the same trials for the same --seed, and reports a fresh seed without one', async () => {
    const chosen = async (...args: string[]) => {
      const r = await verify(ledger, '--replay', '2', ...args);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const v = jsonOut(r) as { seed: number; replays: { index: number; reason: string }[] };
      return { seed: v.seed, sampled: v.replays.filter((x) => x.reason === 'sampled').map((x) => x.index) };
    };
    const a = await chosen('--seed', '12345');
    const b = await chosen('--seed', '12345');
    expect(a.seed).toBe(12345);
    expect(a.sampled).toHaveLength(2);
    expect(b.sampled).toEqual(a.sampled);
    const fresh = await chosen();
    expect(Number.isSafeInteger(fresh.seed)).toBe(true);
    const human = await cli(['verify', ledger, '--replay', '2', '--seed', '12345']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/2 others chosen with seed 12345 \(--seed 12345 repeats the choice\)/);
    expect(human.stdout).toMatch(/\(best\): exact/);
    expect(human.stdout).toMatch(/replay refit of trial \d+: exact/);
  });
});

describe('verify re-decides the pruner', () => {
  it('fails on a complete trial recast as pruned earlier, with the real numbers of that stop', async () => {
    writeFiles(dir, {
      'vp.yaml': `name: vp
seed: 5
dataset: data.csv
target: label
metric: log_loss
sampler: random
pruner: { name: median, n_startup_trials: 2, n_warmup_steps: 0 }
parallelism: 1
budget: { trials: 10 }
space:
  layers: 1
  units_1: { type: int, low: 2, high: 8 }
  learning_rate: { type: float, low: 0.005, high: 0.2, log: true }
  batch_size: 16
  epochs: 3
`,
    });
    const s = await cli([
      'search',
      join(dir, 'vp.yaml'),
      '--workers',
      '1',
      '--out',
      join(dir, 'out'),
      '--json',
    ]);
    expect(s.code, s.stderr).toBe(0);
    const pruned = jsonOut(s).ledger as string;
    const honest = await verify(pruned);
    expect(honest.code, honest.stdout).toBe(0);
    expect(jsonOut(honest).decisionsChecked).toBeGreaterThan(0);
    const rs0 = readRecords(pruned);
    const vpBest = (jsonOut(s).best as { index: number }).index;
    const c = rs0.find(
      (r) =>
        r.type === 'trial.finished' &&
        r.state === 'complete' &&
        r.index !== vpBest &&
        (r.index as number) > 2,
    )!.index as number;
    const id = String(trialRecords(rs0, c, 'trial.started')[0]!.id);
    // Recast trial c as pruned at epoch 2: its first two epochs are real; the weights of that stop come
    // from a replay of the recast trial (replay retrains a pruned trial to its recorded stop).
    const recast = (weightsHash: string) => (rs: Rec[]) =>
      rs
        .filter((r) => !(r.type === 'trial.progress' && r.index === c && r.epoch === 3))
        .map((r) => {
          if (r.type !== 'trial.finished' || r.index !== c) return r;
          const at2 = trialRecords(rs, c, 'trial.progress').find((p) => p.epoch === 2)!;
          const metrics = at2.metrics as Record<string, number>;
          return { ...r, state: 'pruned', epochs: 2, metrics, score: metrics.log_loss, weightsHash };
        });
    const probe = rewriteCopy(pruned, copyPath(), recast('a'.repeat(64)));
    const rep = jsonOut(await cli(['replay', id, '--ledger', probe, '--json']));
    const weights = (rep.replayed as { weightsHash: string }).weightsHash;
    const file = rewriteCopy(pruned, copyPath(), recast(weights));
    expect(jsonOut(await cli(['replay', id, '--ledger', file, '--json'])).verdict).toBe('exact');
    expectCaught(
      await verify(file),
      new RegExp(`trial ${id}: recorded as pruned at epoch 2, but the pruner \\(median\\) keeps it there`),
    );
  });
});
