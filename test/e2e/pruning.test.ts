import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, jsonOut, oneLine, smallCsv, tempDir, writeFiles } from '../helpers/cli.js';

const SPACE = `space:
  layers: { type: int, low: 1, high: 2 }
  units_1: { type: int, low: 4, high: 16, log: true }
  units_2: { type: int, low: 4, high: 16, log: true, when: { layers: { gte: 2 } } }
  activation: [relu, tanh]
  optimizer: [adam, sgd]
  learning_rate: { type: float, low: 0.0001, high: 0.1, log: true }
  batch_size: [16, 32]
  epochs: 4
`;

function study(dir: string, name: string, pruner: string, trials = 7): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(
    path,
    `name: ${name}\nseed: 11\ndataset: data.csv\ntarget: label\nmetric: log_loss\nsampler: random\npruner: ${pruner}\nparallelism: 2\nrefit: false\nbudget: { trials: ${trials} }\n${SPACE}`,
  );
  return path;
}

interface Row {
  id: string;
  state: string;
  epochs: number;
}

const PRUNERS: [string, string][] = [
  ['median', '{ name: median, n_startup_trials: 2, n_warmup_steps: 1 }'],
  ['percentile', '{ name: percentile, percentile: 30, n_startup_trials: 2 }'],
  ['sh', '{ name: successive_halving, min_epochs: 1, eta: 2 }'],
  ['hyperband', '{ name: hyperband, min_epochs: 1, eta: 2 }'],
];

describe('pruning: the same study on 1 worker, 2 workers, and 2 workers with random delays', () => {
  let dir: string;
  const ledgers = new Map<string, string>();
  beforeAll(() => {
    dir = tempDir();
    writeFiles(dir, { 'data.csv': smallCsv(120, 5) });
  });

  for (const [name, pruner] of PRUNERS) {
    it(`gives identical digests and prunes some trials (${name})`, async () => {
      const cfg = study(dir, name, pruner);
      const runs = await Promise.all([
        cli(['search', cfg, '--workers', '1', '--out', join(dir, `${name}-w1`), '--json']),
        cli(['search', cfg, '--workers', '2', '--out', join(dir, `${name}-w2`), '--json']),
      ]);
      runs.push(
        await cli(['search', cfg, '--workers', '2', '--out', join(dir, `${name}-w2d`), '--json'], {
          env: { LOCKSTEP_TEST_DELAY_MS: '300' },
        }),
      );
      for (const r of runs) expect(r.code, r.stderr).toBe(0);
      const [a, b, c] = runs.map(jsonOut) as [
        Record<string, unknown>,
        Record<string, unknown>,
        Record<string, unknown>,
      ];
      expect(a.digest).toMatch(/^[0-9a-f]{64}$/);
      expect(b.digest).toBe(a.digest);
      expect(c.digest).toBe(a.digest);
      expect(a.trials).toBe(7);
      expect(a.pruned as number).toBeGreaterThan(0);
      expect(a.epochs as number).toBeLessThan(7 * 4);
      ledgers.set(name, a.ledger as string);

      // show and export mark the pruned trials and the epochs each one trained; the totals agree.
      const shown = jsonOut(await cli(['show', a.ledger as string, '--json']));
      const rows = shown.trials as Row[];
      expect(shown.epochs).toBe(a.epochs);
      expect(rows.reduce((s, t) => s + t.epochs, 0)).toBe(a.epochs);
      expect((shown.counts as { pruned: number }).pruned).toBe(a.pruned);
      for (const t of rows) {
        if (t.state === 'pruned') expect(t.epochs).toBeLessThan(4);
        if (t.state === 'complete') expect(t.epochs).toBe(4);
      }
      const text = await cli(['show', a.ledger as string]);
      expect(text.stdout).toMatch(new RegExp(`${a.pruned} pruned.*${a.epochs} epochs trained`));
      expect(text.stdout).toMatch(/pruned@[123]\b/);
      const csv = await cli(['export', a.ledger as string, '--format', 'csv']);
      const lines = csv.stdout.trim().split('\n');
      expect(lines[0]).toMatch(/^index,id,state,score,epochs,/);
      expect(lines.filter((l) => l.split(',')[2] === 'pruned')).toHaveLength(a.pruned as number);
    });
  }

  it('replays pruned trials exact (each stops at its recorded epoch), and complete ones too', async () => {
    for (const name of ['median', 'hyperband']) {
      const ledger = ledgers.get(name);
      expect(ledger, 'the digest test runs first').toBeDefined();
      const rows = jsonOut(await cli(['show', ledger!, '--json'])).trials as Row[];
      const pruned = rows.filter((t) => t.state === 'pruned').slice(0, 1);
      const complete = name === 'hyperband' ? rows.filter((t) => t.state === 'complete').slice(-1) : [];
      expect(pruned.length).toBeGreaterThan(0);
      for (const t of [...pruned, ...complete]) {
        const rep = await cli(['replay', t.id, '--ledger', ledger!, '--json']);
        expect(rep.code, rep.stdout + rep.stderr).toBe(0);
        const out = jsonOut(rep) as { verdict: string; replayed: { state: string; epochs: number } };
        expect(out.verdict).toBe('exact');
        expect(out.replayed).toMatchObject({ state: t.state, epochs: t.epochs });
      }
    }
  });

  it('a pruned trial in the ledger records the epoch it stopped at and its last metrics', () => {
    const records = readFileSync(ledgers.get('median')!, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const fin = records.find((r) => r.type === 'trial.finished' && r.state === 'pruned') as {
      index: number;
      epochs: number;
      metrics: Record<string, number>;
      score: number;
    };
    const progress = records.filter((r) => r.type === 'trial.progress' && r.index === fin.index) as {
      epoch: number;
      metrics: Record<string, number>;
    }[];
    expect(progress).toHaveLength(fin.epochs);
    expect(fin.metrics).toEqual(progress.at(-1)!.metrics);
    expect(fin.score).toBe(progress.at(-1)!.metrics.log_loss);
  });
});

describe('pruning: bad input is one clear line and exit 2', () => {
  const dir = tempDir();
  writeFiles(dir, { 'data.csv': smallCsv(40, 2) });
  const cases: [string, string, RegExp][] = [
    ['eta', '{ name: hyperband, eta: 1 }', /: pruner\.eta: eta must be an integer >= 2, but got 1$/],
    [
      'minmax',
      '{ name: successive_halving, min_epochs: 5 }',
      /: pruner: min_epochs <= max_epochs must hold, but got min_epochs=5, max_epochs=4$/,
    ],
    [
      'unknown',
      'x',
      /bad-unknown\.yaml: pruner: unknown pruner 'x' \(known: none, median, percentile, successive_halving, hyperband\)$/,
    ],
  ];
  it('refuses eta < 2, min_epochs > max_epochs and an unknown pruner', async () => {
    const results = await Promise.all(
      cases.map(([name, pruner]) =>
        cli(['search', study(dir, `bad-${name}`, pruner), '--out', join(dir, 'runs')]),
      ),
    );
    results.forEach((r, i) => {
      expect(r.code, r.stderr).toBe(2);
      expect(oneLine(r)).toMatch(cases[i]![2]);
    });
  });
});
