// Pruning benchmark: no pruning, median pruning, and Hyperband at an equal number of trials (and Hyperband at
// an equal total of epochs), on penguins (log_loss), seattle-weather (accuracy) and a synthetic regression
// table of 5,000 rows (rmse), over several study seeds. Every study uses TPE, the mlp-default space with its
// epochs capped (--epochs), parallelism 2 and --workers worker threads; the best trial is refitted on
// train + validation and scored on the test rows.
// Reports per dataset and strategy: best validation score, test score of the best, epochs trained, wall
// time (mean ± sd over seeds), and for each strategy the paired difference to no pruning.
// Usage: node benchmarks/pruning.mjs [--seeds 5] [--trials 20] [--epochs 12] [--workers 2]
//          [--datasets penguins,seattle-weather,synthetic] [--strategies none,median,hyperband,hyperband-epochs]
// Prints a table on stderr and one JSON line on stdout.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { syntheticCsv } from '../dist/data/synthetic.js';
import { parseStudyConfig } from '../dist/study/config.js';
import { search } from '../dist/study/search.js';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string' },
    trials: { type: 'string' },
    epochs: { type: 'string' },
    workers: { type: 'string' },
    datasets: { type: 'string' },
    strategies: { type: 'string' },
  },
});
const seeds = Number(values.seeds ?? 5);
const trials = Number(values.trials ?? 20);
const epochs = Number(values.epochs ?? 12);
const workers = Number(values.workers ?? 2);
const datasetNames = (values.datasets ?? 'penguins,seattle-weather,synthetic').split(',');
const strategyNames = (values.strategies ?? 'none,median,hyperband,hyperband-epochs').split(',');

const dir = mkdtempSync(join(tmpdir(), 'lockstep-pruning-'));
const syntheticPath = join(dir, 'synthetic.csv');
writeFileSync(
  syntheticPath,
  syntheticCsv({ rows: 5000, features: 12, task: 'regression', seed: 3, noise: 0.3 }),
);

const DATASETS = {
  penguins: { dataset: 'builtin:penguins', target: 'Species', metric: 'log_loss' },
  'seattle-weather': { dataset: 'builtin:seattle-weather', target: 'weather', metric: 'accuracy' },
  synthetic: { dataset: syntheticPath, target: 'target', metric: 'rmse' },
};
const PRUNERS = {
  none: 'none',
  median: { name: 'median', n_startup_trials: 5, n_warmup_steps: 2 },
  hyperband: { name: 'hyperband', min_epochs: 1, eta: 3 },
  'hyperband-epochs': { name: 'hyperband', min_epochs: 1, eta: 3 },
};
// The mlp-default space (src/space/schema.ts) with its epochs capped.
const space = {
  layers: { type: 'int', low: 1, high: 3 },
  units_1: { type: 'int', low: 16, high: 256, log: true },
  units_2: { type: 'int', low: 16, high: 256, log: true, when: { layers: { gte: 2 } } },
  units_3: { type: 'int', low: 16, high: 256, log: true, when: { layers: { gte: 3 } } },
  activation: { type: 'categorical', choices: ['relu', 'tanh', 'elu'] },
  dropout: { type: 'float', low: 0, high: 0.5 },
  optimizer: { type: 'categorical', choices: ['adam', 'sgd'] },
  learning_rate: { type: 'float', low: 1e-4, high: 1e-1, log: true },
  momentum: { type: 'float', low: 0, high: 0.99, when: { optimizer: 'sgd' } },
  batch_size: { type: 'categorical', choices: [32, 64, 128, 256] },
  l2: { type: 'float', low: 1e-7, high: 1e-2, log: true },
  epochs: { type: 'fixed', value: epochs },
};

async function study(data, strategy, seed, nTrials) {
  const config = parseStudyConfig({
    name: `${data}-${strategy}-${seed}`,
    seed,
    ...DATASETS[data],
    space,
    sampler: { name: 'tpe', n_startup_trials: 8 },
    pruner: PRUNERS[strategy],
    parallelism: 2,
    budget: { trials: nTrials },
  });
  const t0 = performance.now();
  const r = await search({ config, out: join(dir, 'runs'), workers });
  const wallMs = performance.now() - t0;
  return {
    data,
    strategy,
    seed,
    trials: r.trials,
    pruned: r.pruned,
    epochs: r.epochs,
    best: r.best?.score ?? null,
    test: r.refit?.testScore ?? null,
    wallMs: Math.round(wallMs),
  };
}

const runs = [];
for (const data of datasetNames) {
  for (let seed = 1; seed <= seeds; seed++) {
    const byStrategy = {};
    for (const strategy of strategyNames) {
      let n = trials;
      if (strategy === 'hyperband-epochs') {
        // As many trials as make Hyperband's epochs about those of no pruning with this seed.
        const ref = byStrategy.none?.epochs ?? trials * epochs;
        const hb = byStrategy.hyperband ?? (await study(data, 'hyperband', seed, trials));
        n = Math.max(trials, Math.round((trials * ref) / Math.max(1, hb.epochs)));
      }
      const r = await study(data, strategy, seed, n);
      byStrategy[strategy] = r;
      runs.push(r);
      process.stderr.write(
        `${data} ${strategy} seed ${seed}: ${r.trials} trials (${r.pruned} pruned), ${r.epochs} epochs, best ${r.best?.toFixed(4)}, test ${r.test?.toFixed(4)}, ${(r.wallMs / 1000).toFixed(1)} s\n`,
      );
    }
  }
}
rmSync(dir, { recursive: true, force: true });

const mean = (xs) => xs.reduce((a, x) => a + x, 0) / xs.length;
const sd = (xs) =>
  xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1));
const fmt = (xs, d) => `${mean(xs).toFixed(d)} ± ${sd(xs).toFixed(d)}`;
const rows = [];
for (const data of datasetNames) {
  const direction = DATASETS[data].metric === 'accuracy' ? 1 : -1; // +1: higher is better
  const none = runs.filter((r) => r.data === data && r.strategy === 'none');
  for (const strategy of strategyNames) {
    const rs = runs.filter((r) => r.data === data && r.strategy === strategy);
    if (rs.length === 0) continue;
    // Paired by seed: the gain in best validation score over no pruning (positive: better), and the epochs saved.
    const paired = rs.map((r) => [r, none.find((n) => n.seed === r.seed)]).filter(([, n]) => n !== undefined);
    const gain = paired.map(([r, n]) => direction * (r.best - n.best));
    const saved = paired.map(([r, n]) => 1 - r.epochs / n.epochs);
    rows.push({
      data,
      metric: DATASETS[data].metric,
      strategy,
      trials: mean(rs.map((r) => r.trials)),
      best: fmt(
        rs.map((r) => r.best),
        4,
      ),
      test: fmt(
        rs.map((r) => r.test),
        4,
      ),
      epochs: fmt(
        rs.map((r) => r.epochs),
        0,
      ),
      wallS: fmt(
        rs.map((r) => r.wallMs / 1000),
        1,
      ),
      gainVsNone:
        strategy === 'none'
          ? ''
          : `${mean(gain).toFixed(4)} ± ${(sd(gain) / Math.sqrt(gain.length)).toFixed(4)}`,
      epochsSaved: strategy === 'none' ? '' : `${(100 * mean(saved)).toFixed(0)}%`,
    });
  }
}
const header = [
  'data',
  'metric',
  'strategy',
  'trials',
  'best (val)',
  'test of best',
  'epochs',
  'wall s',
  'Δbest vs none (±SE)',
  'epochs saved',
];
const cells = rows.map((r) => [
  r.data,
  r.metric,
  r.strategy,
  String(r.trials),
  r.best,
  r.test,
  r.epochs,
  r.wallS,
  r.gainVsNone,
  r.epochsSaved,
]);
const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
const line = (c) => `| ${c.map((x, i) => x.padEnd(widths[i])).join(' | ')} |`;
process.stderr.write(
  `\n${seeds} seeds, ${trials} trials, epochs ${epochs}, ${workers} workers; mean ± sd over seeds; Δbest > 0 means better than no pruning\n`,
);
process.stderr.write(
  `${[line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n')}\n`,
);
process.stdout.write(`${JSON.stringify({ seeds, trials, epochs, workers, rows, runs })}\n`);
