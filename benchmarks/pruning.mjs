// Pruning benchmark: no pruning, median pruning, and Hyperband at an equal number of trials and at an equal
// total of epochs, on penguins (log_loss), seattle-weather (accuracy) and a synthetic regression table of
// 5,000 rows (rmse), over several study seeds. Protocol (docs/pruning-benchmark.md): TPE, the mlp-default
// space as specified (epochs 30), 40 trials, parallelism 2, 2 worker threads; median pruning with Optuna's
// defaults (n_startup_trials 5, n_warmup_steps 0, interval 1); Hyperband min_epochs 1, eta 3. The best
// trial is refitted on train + validation and scored on the test rows.
//
// Hyperband is run once per seed, without its own refit, and extended: trial i of a study does not depend
// on the budget (lag rule), so Hyperband at 40 trials is the first 40 trials of the longer study, and
// Hyperband at an equal total of epochs is its shortest prefix whose epochs reach those of no pruning
// (the study is resumed with more trials until they do; `--max-trials` bounds it). Each of the two is
// refitted here exactly as search's refit does (same seed, same data), which the script checks against
// search's own refit of no pruning's best on the first seed.
//
// Reports per dataset and strategy: best validation score, test score of the best, epochs trained, wall
// time (mean ± sd over seeds), and paired by seed against no pruning: Δ best, Δ test (> 0: better) and the
// share of epochs saved.
// Usage: node benchmarks/pruning.mjs [--seeds 5] [--synthetic-seeds 2] [--trials 40] [--epochs 30]
//          [--workers 2] [--warmup 0] [--max-trials 400] [--datasets penguins,seattle-weather,synthetic]
//          [--strategies none,median,hyperband,hyperband-epochs]
// LOCKSTEP_DIST=<folder> runs a snapshot of dist/ (so that a rebuild during a long run changes nothing).
// Prints progress and a Markdown table on stderr and one JSON line on stdout.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const dist = pathToFileURL(
  `${resolve(process.env.LOCKSTEP_DIST ?? new URL('../dist', import.meta.url).pathname)}/`,
);
const load = (p) => import(new URL(p, dist).href);
const { syntheticCsv } = await load('data/synthetic.js');
const { parseStudyConfig, resolvePaths } = await load('study/config.js');
const { search } = await load('study/search.js');
const { readLedger } = await load('ledger/index.js');
const { prepareStudyData, refitData } = await load('study/data.js');
const { refitSeed } = await load('study/refit.js');
const { trainMlp } = await load('train/loop.js');
const { resolveMlpParams } = await load('train/params.js');

const { values } = parseArgs({
  options: {
    seeds: { type: 'string' },
    'synthetic-seeds': { type: 'string' },
    trials: { type: 'string' },
    epochs: { type: 'string' },
    workers: { type: 'string' },
    warmup: { type: 'string' },
    'max-trials': { type: 'string' },
    datasets: { type: 'string' },
    strategies: { type: 'string' },
    from: { type: 'string' },
  },
});
// --from <file>: render the table of an earlier run's JSON line instead of running.
const previous = values.from === undefined ? null : JSON.parse(readFileSync(values.from, 'utf8'));
const seeds = previous?.seeds ?? Number(values.seeds ?? 5);
const syntheticSeeds = previous?.syntheticSeeds ?? Number(values['synthetic-seeds'] ?? 2);
const trials = previous?.trials ?? Number(values.trials ?? 40);
const epochs = previous?.epochs ?? Number(values.epochs ?? 30);
const workers = previous?.workers ?? Number(values.workers ?? 2);
const warmup = previous?.warmup ?? Number(values.warmup ?? 0);
const maxTrials = Number(values['max-trials'] ?? 400);
const datasetNames = (values.datasets ?? 'penguins,seattle-weather,synthetic').split(',');
const strategyNames = (values.strategies ?? 'none,median,hyperband,hyperband-epochs').split(',');
const PARALLELISM = 2;

const t00 = performance.now();
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
  median: { name: 'median', n_startup_trials: 5, n_warmup_steps: warmup, interval_steps: 1 },
  hyperband: { name: 'hyperband', min_epochs: 1, eta: 3 },
};
// The mlp-default space (src/space/schema.ts); --epochs other than 30 changes its fixed epochs.
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

function configOf(data, pruner, seed, refit) {
  return parseStudyConfig({
    name: `${data}-${pruner}-${seed}`,
    seed,
    ...DATASETS[data],
    space,
    sampler: { name: 'tpe', n_startup_trials: 8 },
    pruner: PRUNERS[pruner],
    parallelism: PARALLELISM,
    refit,
    budget: { trials },
  });
}

// The study's prepared data (split and preprocessing depend on the seed), for the refits done here.
const studyDataCache = new Map();
async function studyDataOf(data, seed) {
  const key = `${data}/${seed}`;
  if (!studyDataCache.has(key)) {
    const config = configOf(data, 'none', seed, true);
    studyDataCache.set(key, await prepareStudyData(config, resolvePaths(config, '.').dataset));
  }
  return studyDataCache.get(key);
}

/** search's refit of `params`: train + validation, scored on test, with the study's refit seed. */
async function refitScore(data, seed, params) {
  const sd = await studyDataOf(data, seed);
  const out = await trainMlp(refitData(sd.data), resolveMlpParams(params), {
    seed: refitSeed(seed),
    metric: DATASETS[data].metric,
  });
  return out.score;
}

/** The best complete trial of `ts` (index order), as search's bestTrial: ties to the lower index. */
function bestOf(ts, direction) {
  let best = null;
  for (const t of ts) {
    if (t.state !== 'complete' || t.score === null || !Number.isFinite(t.score)) continue;
    if (best === null || (direction > 0 ? t.score > best.score : t.score < best.score)) best = t;
  }
  return best;
}

const finishedTrials = (ledger) =>
  readLedger(ledger)
    .state.trials.filter((t) => t.state === 'complete' || t.state === 'pruned' || t.state === 'failed')
    .sort((a, b) => a.index - b.index);
const epochsOf = (ts) => ts.reduce((a, t) => a + (t.epochs ?? 0), 0);

async function plain(data, strategy, seed) {
  const t0 = performance.now();
  const r = await search({ config: configOf(data, strategy, seed, true), out: join(dir, 'runs'), workers });
  const wallMs = performance.now() - t0;
  return {
    data,
    strategy,
    seed,
    trials: r.trials,
    pruned: r.pruned,
    failed: r.failed,
    epochs: r.epochs,
    best: r.best?.score ?? null,
    bestParams: r.best?.params ?? null,
    test: r.refit?.testScore ?? null,
    wallMs: Math.round(wallMs),
  };
}

/**
 * Hyperband at `trials` trials and at an equal total of epochs (`target`), from one study resumed with more
 * trials until its epochs reach the target. Returns the two rows.
 */
async function hyperband(data, seed, target) {
  const direction = DATASETS[data].metric === 'accuracy' ? 1 : -1;
  const config = configOf(data, 'hyperband', seed, false);
  const out = join(dir, 'runs');
  const rowOf = async (strategy, prefix, runMs, ran) => {
    const best = bestOf(prefix, direction);
    const t0 = performance.now();
    const test = best === null ? null : await refitScore(data, seed, best.params);
    return {
      data,
      strategy,
      seed,
      trials: prefix.length,
      ran,
      pruned: prefix.filter((t) => t.state === 'pruned').length,
      failed: prefix.filter((t) => t.state === 'failed').length,
      epochs: epochsOf(prefix),
      best: best?.score ?? null,
      test,
      wallMs: Math.round(runMs + performance.now() - t0),
    };
  };
  let t0 = performance.now();
  const r = await search({ config, out, workers, trials });
  const firstMs = performance.now() - t0;
  let ts = finishedTrials(r.ledger);
  const atTrials = await rowOf('hyperband', ts.slice(0, trials), firstMs, ts.length);
  if (!strategyNames.includes('hyperband-epochs')) return [atTrials];

  // Extend: the next budget from the epochs per trial of the last 40 trials (pruning gets more
  // aggressive as the rungs fill up); a small overshoot only costs time, the prefix below is exact.
  t0 = performance.now();
  let n = ts.length;
  while (epochsOf(ts) < target && n < maxTrials) {
    const recent = ts.slice(-40);
    const perTrial = Math.max(1, epochsOf(recent) / recent.length);
    n = Math.min(maxTrials, n + Math.max(PARALLELISM, Math.ceil((target - epochsOf(ts)) / perTrial)));
    await search({ config, out, workers, trials: n });
    ts = finishedTrials(r.ledger);
  }
  const extendMs = performance.now() - t0;
  let k = 0;
  let sum = 0;
  while (k < ts.length && sum < target) sum += ts[k++].epochs ?? 0;
  const atEpochs = await rowOf('hyperband-epochs', ts.slice(0, k), firstMs + extendMs, ts.length);
  return [atTrials, atEpochs];
}

const fmtNum = (x, d) => (x !== 0 && Math.abs(x) < 10 ** -d ? x.toExponential(1) : x.toFixed(d));
const log = (r) =>
  process.stderr.write(
    `${r.data} ${r.strategy} seed ${r.seed}: ${r.trials} trials${r.ran !== undefined && r.ran !== r.trials ? ` (${r.ran} ran)` : ''} (${r.pruned} pruned${r.failed ? `, ${r.failed} failed` : ''}), ${r.epochs} epochs, best ${r.best === null ? '-' : fmtNum(r.best, 4)}, test ${r.test === null ? '-' : fmtNum(r.test, 4)}, ${(r.wallMs / 1000).toFixed(1)} s  [${((performance.now() - t00) / 1000).toFixed(0)} s]\n`,
  );

const runs = previous?.runs ?? [];
const checks = previous?.checks ?? [];
for (const data of previous === null ? datasetNames : []) {
  const nSeeds = data === 'synthetic' ? syntheticSeeds : seeds;
  for (let seed = 1; seed <= nSeeds; seed++) {
    let none;
    for (const strategy of strategyNames) {
      if (strategy === 'hyperband-epochs') continue; // comes with 'hyperband'
      if (strategy === 'hyperband') {
        for (const r of await hyperband(data, seed, none?.epochs ?? trials * epochs)) {
          runs.push(r);
          log(r);
        }
        continue;
      }
      const r = await plain(data, strategy, seed);
      runs.push(r);
      log(r);
      if (strategy === 'none') {
        none = r;
        if (seed === 1 && r.bestParams !== null) {
          // The refit done here must be search's own, bit for bit.
          const mine = await refitScore(data, seed, r.bestParams);
          checks.push({ data, seed, search: r.test, here: mine, equal: mine === r.test });
          if (mine !== r.test) process.stderr.write(`WARNING: refit here ${mine} ≠ search's ${r.test}\n`);
        }
      }
    }
  }
}
rmSync(dir, { recursive: true, force: true });
const totalS = previous?.totalS ?? (performance.now() - t00) / 1000;

const mean = (xs) => xs.reduce((a, x) => a + x, 0) / xs.length;
const sd = (xs) =>
  xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1));
const fmt = (xs, d) => `${fmtNum(mean(xs), d)} ± ${fmtNum(sd(xs), d)}`;
const signed = (xs, d) =>
  `${mean(xs) >= 0 ? '+' : '−'}${fmtNum(Math.abs(mean(xs)), d)} ± ${fmtNum(sd(xs), d)}`;
const rows = [];
for (const data of datasetNames) {
  const direction = DATASETS[data].metric === 'accuracy' ? 1 : -1; // +1: higher is better
  const none = runs.filter((r) => r.data === data && r.strategy === 'none');
  for (const strategy of strategyNames) {
    const rs = runs.filter((r) => r.data === data && r.strategy === strategy);
    if (rs.length === 0) continue;
    const paired = rs.map((r) => [r, none.find((n) => n.seed === r.seed)]).filter(([, n]) => n !== undefined);
    const gain = paired.map(([r, n]) => direction * (r.best - n.best));
    const gainTest = paired.map(([r, n]) => direction * (r.test - n.test));
    const saved = paired.map(([r, n]) => 100 * (1 - r.epochs / n.epochs));
    const isNone = strategy === 'none';
    rows.push({
      data,
      metric: DATASETS[data].metric,
      strategy,
      seeds: rs.length,
      trials: fmt(
        rs.map((r) => r.trials),
        0,
      ),
      pruned: fmt(
        rs.map((r) => r.pruned),
        0,
      ),
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
      gainBest: isNone || paired.length === 0 ? '' : signed(gain, 4),
      gainTest: isNone || paired.length === 0 ? '' : signed(gainTest, 4),
      saved: isNone || paired.length === 0 ? '' : `${mean(saved).toFixed(0)} ± ${sd(saved).toFixed(0)} %`,
    });
  }
}
const header = [
  'data (metric)',
  'strategy',
  'seeds',
  'trials',
  'pruned',
  'best (val)',
  'test of best',
  'epochs',
  'wall s',
  'Δ best vs none',
  'Δ test vs none',
  'epochs saved',
];
const cells = rows.map((r) => [
  `${r.data} (${r.metric})`,
  r.strategy,
  String(r.seeds),
  r.trials,
  r.pruned,
  r.best,
  r.test,
  r.epochs,
  r.wallS,
  r.gainBest,
  r.gainTest,
  r.saved,
]);
const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
const line = (c) => `| ${c.map((x, i) => x.padEnd(widths[i])).join(' | ')} |`;
process.stderr.write(
  `\n${trials} trials, epochs ${epochs}, parallelism ${PARALLELISM}, ${workers} workers, median warm-up ${warmup}; seeds 1–${seeds} (synthetic 1–${syntheticSeeds}); mean ± sd over seeds; Δ > 0 means better than no pruning; total ${totalS.toFixed(0)} s\n`,
);
process.stderr.write(
  `${[line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n')}\n`,
);
process.stderr.write(
  `refit check (here vs search, bit for bit): ${checks.map((c) => `${c.data} ${c.equal ? 'equal' : 'DIFFERENT'}`).join(', ')}\n`,
);
process.stdout.write(
  `${JSON.stringify({ seeds, syntheticSeeds, trials, epochs, workers, warmup, totalS, checks, rows, runs })}\n`,
);
