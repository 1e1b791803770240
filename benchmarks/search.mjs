// Whole-search benchmark (issue 19): a TPE study over the `mlp-default` space, as a user runs it, by lockstep
// (the CLI, `lockstep search --json`, with 1 and with 2 workers) and by Optuna + PyTorch
// (benchmarks/reference/optuna_torch_bench.py: Optuna's TPE, one torch thread), interleaved in one run,
// on the four built-in datasets and seeded synthetic sets that span width, classes and rows.
//
// Both sides get the same rows, split (lockstep's, 60/20/20, from the study seed), preprocessing (median/mode
// impute, standardise, one-hot; fitted on the training rows: lockstep's own, and the reference's numpy copy of
// it), trials, epochs, space and TPE start-up (10 random trials). Each trial is scored on the validation rows
// after its last epoch; the best is retrained on train + validation and scored on the test rows (the refit).
// Measured per run: wall seconds of the whole process (start-up included) and its CPU seconds (/usr/bin/time),
// the refit's test score. Per dataset: the median over seeds of the paired wall and CPU ratios, and a paired
// one-sided test over seeds (exact sign-flip permutation test of the mean difference) that lockstep's refit
// test score is worse than the reference's (the target: p ≥ 0.05, i.e. not shown worse).
// lockstep's study: parallelism 2 (so that 1 and 2 workers give the same ledger: checked by digest; --parallelism 0
// for a sequential search like Optuna's, with --workers 1).
//
// --semantics: no search; where the trained models differ. The same configurations (drawn at random from the
// space, seeded) trained by lockstep and by PyTorch as it is and with lockstep's choices one at a time
// (initialisation, its kernels alone, L2 as a loss term on the kernels, Adam's epsilon, all of them:
// optuna_torch_bench.py --init/--l2/--eps), each scored on the test rows after training on the training rows; paired
// differences over configurations x seeds.
//
// Usage: node benchmarks/search.mjs [--seeds N] [--datasets a,b,...] [--trials N] [--epochs N] [--quick]
//          [--workers 1,2] [--parallelism P] [--no-reference] [--keep (the work folder)] [--semantics [--configs K]]
//          [--init he]   (lockstep with `init: he`, numeric version 2's initialisation: the choice's effect, paired
//                         with a default run's reference by seed; Optuna + PyTorch give the same results every run)
//          [--configs-from RESULT.json [--repeats R]]   (the best configurations of both sides' searches in an
//          earlier run's JSON line, each trained R times, instead of random ones)
//          [--first-seed K] [--runs RUNS.jsonl]   (seeds K..K+N−1; each dataset and seed's runs appended to the file)
//          [--from-runs A.jsonl,B.jsonl]   (no runs: the table of recorded runs, e.g. of seeds split over processes)
//        (after npm run build; `npm run bench:search`, `npm run bench:search -- --quick`; npm 10 also hands
//        `npm run bench:search --quick` on, as npm_config_quick, with a warning that later npm versions will not)
// The default run (9 datasets x 5 seeds) takes ~50 min on a 2-core machine at load ~2; at load 8-19 one seed took
// 62 min (the reference's flights-20k, syn-m20x256-3000 and syn-b16-100k searches 8-11 min each): there, run seeds in
// parallel processes (--first-seed K --seeds 1 --runs sK.jsonl) and join them (--from-runs). --quick (4 datasets x 2
// seeds, 8 trials x 10 epochs: ~1.5 min at load ~2, 20 min at load ~19) is a smoke test: start-up dominates its
// searches, and with 8 trials < 10 start-up trials both sides search at random.
// Prints a table to stderr and one JSON line to stdout.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { signFlipP } from '../dist/bench/stats.js';
import { categoryOf, compareStrings, labelOf, parseBoolean, parseNumber } from '../dist/data/cells.js';
import { prepare, resolveBuiltin, syntheticCsv } from '../dist/data/index.js';
import { exp, log } from '../dist/math/index.js';
import { Stream } from '../dist/rng/index.js';
import { initBackend } from '../dist/train/backend.js';
import { evaluateModel, trainMlp } from '../dist/train/loop.js';
import { resolveMlpParams } from '../dist/train/params.js';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
// `npm run bench:search --quick` hands --quick to npm, which passes it on as npm_config_quick.
const has = (name) =>
  args.includes(`--${name}`) || process.env[`npm_config_${name.replaceAll('-', '_')}`] === 'true';
const QUICK = has('quick');

/**
 * The suite. Synthetic sets (src/data/synthetic.ts: a random linear score plus a tanh interaction, Gaussian
 * noise) span 8–256 features, 2–20 classes and 300–100,000 rows. `trials` / `epochs` per dataset keep the
 * default run near half an hour on a shared 2-core machine; both sides always run the same ones.
 */
const SUITE = [
  { name: 'penguins', builtin: 'penguins' },
  { name: 'seattle-weather', builtin: 'seattle-weather' },
  { name: 'cars', builtin: 'cars' },
  { name: 'flights-20k', builtin: 'flights-20k', trials: 8, epochs: 10 },
  { name: 'syn-b8-300', synthetic: { rows: 300, features: 8, task: 'binary' } },
  { name: 'syn-m10x64-1800', synthetic: { rows: 1800, features: 64, task: 'multiclass', classes: 10 } },
  { name: 'syn-m20x256-3000', synthetic: { rows: 3000, features: 256, task: 'multiclass', classes: 20 } },
  { name: 'syn-r32-2000', synthetic: { rows: 2000, features: 32, task: 'regression' } },
  {
    name: 'syn-b16-100k',
    synthetic: { rows: 100_000, features: 16, task: 'binary' },
    trials: 6,
    epochs: 4,
  },
];
const QUICK_SUITE = ['penguins', 'cars', 'syn-m10x64-1800', 'syn-m20x256-3000'];

const SEEDS = Number(flag('seeds', QUICK ? '2' : '5'));
/** Seeds FIRST_SEED .. FIRST_SEED + SEEDS − 1: a long run can be split over several processes (--runs, --from-runs). */
const FIRST_SEED = Number(flag('first-seed', '1'));
/** Each dataset and seed's runs, appended as one JSON line to this file as soon as they are measured. */
const RUNS_OUT = flag('runs', undefined);
/** No runs: the table of the runs recorded (--runs) in these files, comma-separated. */
const FROM_RUNS = flag('from-runs', undefined);
const TRIALS = flag('trials', undefined);
const EPOCHS = flag('epochs', undefined);
const DEFAULT_TRIALS = QUICK ? 8 : 20;
const DEFAULT_EPOCHS = QUICK ? 10 : 30;
const WORKERS = flag('workers', '1,2').split(',').map(Number);
const REFERENCE = !has('no-reference');
/** lockstep's lag rule P (2: 1 and 2 workers run the same study; 0: sequential, as Optuna's study.optimize). */
const PARALLELISM = Number(flag('parallelism', '2'));
const names = flag('datasets', QUICK ? QUICK_SUITE.join(',') : SUITE.map((d) => d.name).join(',')).split(',');
const suite = names.map((n) => {
  const d = SUITE.find((s) => s.name === n);
  if (d === undefined)
    throw new Error(`--datasets: unknown '${n}' (known: ${SUITE.map((s) => s.name).join(', ')})`);
  return {
    ...d,
    trials: Number(
      TRIALS ?? (QUICK ? Math.min(d.trials ?? DEFAULT_TRIALS, DEFAULT_TRIALS) : (d.trials ?? DEFAULT_TRIALS)),
    ),
    epochs: Number(
      EPOCHS ?? (QUICK ? Math.min(d.epochs ?? DEFAULT_EPOCHS, DEFAULT_EPOCHS) : (d.epochs ?? DEFAULT_EPOCHS)),
    ),
  };
});

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'bin', 'lockstep.js');
/** The reference, kept in the repository (../shared is recreated every session); LOCKSTEP_SEARCH_REFERENCE overrides. */
const SCRIPT = [
  process.env.LOCKSTEP_SEARCH_REFERENCE,
  fileURLToPath(new URL('./reference/optuna_torch_bench.py', import.meta.url)),
].find((p) => p !== undefined && p !== '' && existsSync(p));
const N_STARTUP = 10;

function findPython() {
  if (!REFERENCE) return { skipped: '--no-reference' };
  if (SCRIPT === undefined) return { skipped: 'reference script optuna_torch_bench.py not found' };
  // Debian's python3-torch lives under /usr/bin/python3, which a pyenv shim may hide.
  for (const py of ['/usr/bin/python3', 'python3']) {
    try {
      const v = execFileSync(
        py,
        ['-c', 'import torch, optuna; print(torch.__version__, optuna.__version__)'],
        {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        },
      );
      const [torch, optuna] = v.trim().split(' ');
      return { py, torch, optuna };
    } catch {}
  }
  return {
    skipped: 'python3 cannot import torch and optuna (Debian: apt-get install python3-torch python3-optuna)',
  };
}

/** lockstep's `init` (--init he: numeric version 2's initialisation, to measure the choice; default its own). */
const INIT = flag('init', undefined);

/** The mlp-default preset (src/space/schema.ts) with another number of epochs (and --init's initialisation). */
function space(epochs) {
  if (epochs === 30 && INIT === undefined) return 'mlp-default';
  const units = { type: 'int', low: 16, high: 256, log: true };
  return {
    layers: { type: 'int', low: 1, high: 3 },
    units_1: units,
    units_2: { ...units, when: { layers: { gte: 2 } } },
    units_3: { ...units, when: { layers: { gte: 3 } } },
    activation: { type: 'categorical', choices: ['relu', 'tanh', 'elu'] },
    dropout: { type: 'float', low: 0, high: 0.5 },
    optimizer: { type: 'categorical', choices: ['adam', 'sgd'] },
    learning_rate: { type: 'float', low: 1e-4, high: 1e-1, log: true },
    momentum: { type: 'float', low: 0, high: 0.99, when: { optimizer: 'sgd' } },
    batch_size: { type: 'categorical', choices: [32, 64, 128, 256] },
    l2: { type: 'float', low: 1e-7, high: 1e-2, log: true },
    epochs: { type: 'fixed', value: epochs },
    ...(INIT === undefined ? {} : { init: { type: 'fixed', value: INIT } }),
  };
}

const SPLIT = { kind: 'holdout', train: 0.6, validation: 0.2, test: 0.2 };

/**
 * Writes the study's config (and the synthetic CSV) for lockstep, and the reference's input folder: the rows of
 * lockstep's split (train, validation, test in that order) with their raw values, from lockstep's own loading,
 * typing and split of the same file.
 */
async function setUp(dir, d, seed) {
  mkdirSync(dir, { recursive: true });
  let dataset;
  let target;
  let task;
  if (d.builtin !== undefined) {
    dataset = `builtin:${d.builtin}`;
    const entry = resolveBuiltin(dataset).entry;
    target = entry.target;
    task = entry.task;
  } else {
    // The data is the same for every seed (the study seed changes the split and the search).
    writeFileSync(join(dir, 'data.csv'), syntheticCsv({ ...d.synthetic, seed: 1 }));
    dataset = 'data.csv';
    target = 'target';
    task = d.synthetic.task;
  }
  const config = {
    name: d.name,
    seed,
    dataset,
    target,
    task,
    split: SPLIT,
    space: space(d.epochs),
    sampler: { name: 'tpe', n_startup_trials: N_STARTUP },
    parallelism: PARALLELISM,
    budget: { trials: d.trials },
  };
  writeFileSync(join(dir, 'study.json'), JSON.stringify(config, null, 2));

  const p = await prepare(d.builtin !== undefined ? dataset : join(dir, 'data.csv'), {
    target,
    task,
    split: SPLIT,
    seed,
  });
  const rows = [...p.split.train, ...p.split.validation, ...p.split.test];
  const { table, schema } = p;
  const cols = schema.features.map((f) => ({ ...f, c: table.columns.indexOf(f.name) }));
  const meta = [];
  const x = new Float64Array(rows.length * cols.length);
  cols.forEach((f, j) => {
    let codes;
    if (f.type === 'categorical') {
      const cats = new Set();
      for (const r of rows) {
        const v = table.rows[r][f.c] ?? null;
        if (v !== null) cats.add(categoryOf(v));
      }
      const sorted = [...cats].sort(compareStrings);
      codes = new Map(sorted.map((k, i) => [k, i]));
      meta.push({ name: f.name, type: f.type, categories: sorted.length });
    } else meta.push({ name: f.name, type: f.type });
    rows.forEach((r, i) => {
      const v = table.rows[r][f.c] ?? null;
      x[i * cols.length + j] =
        v === null
          ? Number.NaN
          : f.type === 'numeric'
            ? parseNumber(v)
            : f.type === 'boolean'
              ? Number(parseBoolean(v))
              : codes.get(categoryOf(v));
    });
  });
  const t = table.columns.indexOf(schema.target.name);
  const classIndex = new Map((schema.classes ?? []).map((k, i) => [k, i]));
  const y = Float64Array.from(rows, (r) => {
    const v = table.rows[r][t];
    return schema.task === 'regression'
      ? parseNumber(v)
      : classIndex.get(labelOf(v, schema.target.type) ?? categoryOf(v));
  });
  const ref = join(dir, 'reference');
  mkdirSync(ref);
  writeFileSync(join(ref, 'x.f64'), new Uint8Array(x.buffer));
  writeFileSync(join(ref, 'y.f64'), new Uint8Array(y.buffer));
  writeFileSync(join(ref, 'split.u32'), new Uint8Array(Uint32Array.from(rows, (_, i) => i).buffer));
  writeFileSync(
    join(ref, 'meta.json'),
    JSON.stringify({
      task: schema.task,
      n: rows.length,
      columns: meta,
      n_classes: schema.classes?.length ?? 0,
      train: p.split.train.length,
      validation: p.split.validation.length,
      test: p.split.test.length,
      trials: d.trials,
      epochs: d.epochs,
      seed,
      n_startup_trials: N_STARTUP,
    }),
  );
  return {
    config: join(dir, 'study.json'),
    prepared: p,
    ref,
    task: schema.task,
    nFeatures: p.data.nFeatures,
    nOutputs: p.data.nOutputs,
    rows: rows.length,
  };
}

/** Runs a command under /usr/bin/time: wall and CPU seconds of the whole process, and its stdout. */
function timed(cmd, argv, env) {
  const tf = join(os.tmpdir(), `lockstep-bench-search-time-${process.pid}`);
  const load = os.loadavg()[0];
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S', '-o', tf, cmd, ...argv], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')}: exit ${r.status}\n${r.stderr}`);
  const [wall, user, sys] = readFileSync(tf, 'utf8').trim().split('\n').at(-1).split(' ').map(Number);
  rmSync(tf, { force: true });
  return { wall, cpu: user + sys, stdout: r.stdout, load };
}

function runLockstep(s, dir, workers) {
  const out = join(dir, `out-${workers}w`);
  const r = timed(process.execPath, [
    CLI,
    'search',
    s.config,
    '--workers',
    String(workers),
    '--out',
    out,
    '--json',
  ]);
  const j = JSON.parse(r.stdout.trim().split('\n').at(-1));
  rmSync(out, { recursive: true, force: true });
  return {
    wall: r.wall,
    cpu: r.cpu,
    load: r.load,
    test: j.refit?.testScore ?? Number.NaN,
    val: j.best?.score ?? Number.NaN,
    digest: j.digest,
    complete: j.complete,
    failed: j.failed,
    best: j.best?.params,
  };
}

function runReference(s, python) {
  const r = timed(python.py, [SCRIPT, s.ref], { OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' });
  const j = JSON.parse(r.stdout.trim().split('\n').at(-1));
  return {
    wall: r.wall,
    cpu: r.cpu,
    load: r.load,
    test: j.test_score ?? Number.NaN,
    val: j.best_val ?? Number.NaN,
    complete: j.complete,
    failed: j.failed,
    importS: j.import_s,
    searchS: j.search_s,
    refitS: j.refit_s,
    best: j.best_params,
  };
}

const median = (xs) => {
  const s = xs.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** K configurations of the mlp-default space drawn uniformly (log-uniform where the space is log), seeded. */
function drawConfigs(k, seed, epochs) {
  const s = Stream.of(seed, 'bench-search', 'configs');
  const logUniform = (lo, hi) => exp(log(lo) + s.float() * (log(hi) - log(lo)));
  return Array.from({ length: k }, () => {
    const p = { layers: s.int(1, 3) };
    for (let l = 1; l <= p.layers; l++) p[`units_${l}`] = Math.round(logUniform(16, 256));
    p.activation = s.choice(['relu', 'tanh', 'elu']);
    p.dropout = s.float() * 0.5;
    p.optimizer = s.choice(['adam', 'sgd']);
    p.learning_rate = logUniform(1e-4, 1e-1);
    if (p.optimizer === 'sgd') p.momentum = s.float() * 0.99;
    p.batch_size = s.choice([32, 64, 128, 256]);
    p.l2 = logUniform(1e-7, 1e-2);
    p.epochs = epochs;
    return p;
  });
}

/**
 * PyTorch as it is, then with lockstep's choices one at a time: `he` is lockstep's other initialisation (`init: he`,
 * numeric version 2's only one; its default `torch` is PyTorch's own), `l2` its L2 as a loss term on the kernels,
 * `eps` Adam's epsilon; `all` every choice of lockstep's default (l2 and eps). lockstep itself trains each
 * configuration with its default and with `init: he`.
 */
const VARIANTS = [
  { key: 'torch', args: [] },
  { key: 'torch+he', args: ['--init', 'he'] },
  { key: 'torch+he-kernels', args: ['--init', 'he-kernels'] },
  { key: 'torch+l2', args: ['--l2', 'lockstep'] },
  { key: 'torch+eps', args: ['--eps', '1e-7'] },
  { key: 'torch+all', args: ['--l2', 'lockstep', '--eps', '1e-7'] },
];
/** What --semantics compares lockstep's default with: each variant, and lockstep with `init: he`. */
const COLUMNS = [{ key: 'lockstep+he' }, ...VARIANTS];

/**
 * The best configurations that both sides' searches found for a dataset and seed, from an earlier run's JSON line
 * (--configs-from FILE): where the score of the refit comes from.
 */
function foundConfigs(found, d, seed) {
  const row = found.datasets.find((r) => r.dataset === d.name);
  const s = row?.test.perSeed?.find((x) => x.seed === seed);
  if (s?.best === undefined) return [];
  return [s.best.lockstep, s.best.reference].filter((p) => p !== undefined && p !== null);
}

async function semantics(python) {
  if (python.skipped) throw new Error(`--semantics needs the reference: ${python.skipped}`);
  await initBackend('wasm');
  const from = flag('configs-from', undefined);
  const found =
    from === undefined ? undefined : JSON.parse(readFileSync(from, 'utf8').trim().split('\n').at(-1));
  const K = Number(flag('configs', QUICK ? '4' : '8'));
  const REPEATS = Number(flag('repeats', found ? '4' : '1'));
  const work = mkdtempSync(join(os.tmpdir(), 'lockstep-bench-semantics-'));
  const out = [];
  try {
    for (const d of suite) {
      const pairs = { lockstep: [], 'lockstep+he': [] };
      const allCases = [];
      for (const v of VARIANTS) pairs[v.key] = [];
      let task;
      for (let seed = 1; seed <= SEEDS; seed++) {
        const dir = join(work, `${d.name}-${seed}`);
        const s = await setUp(dir, d, seed);
        task = s.task;
        // Each configuration trained with REPEATS seeds of its own.
        const configs = found ? foundConfigs(found, d, seed) : drawConfigs(K, seed, d.epochs);
        if (configs.length === 0) continue;
        const cases = configs.flatMap((params, i) =>
          Array.from({ length: REPEATS }, (_, r) => ({
            params: { ...params, epochs: d.epochs },
            seed: 1000 * seed + 10 * i + r,
          })),
        );
        writeFileSync(join(dir, 'fixed.json'), JSON.stringify(cases));
        allCases.push(...cases.map((c) => ({ ...c, seed: c.seed, studySeed: seed })));
        const data = s.prepared.data;
        for (const [key, init] of [
          ['lockstep', undefined],
          ['lockstep+he', 'he'],
        ]) {
          for (const c of cases) {
            const params = init === undefined ? c.params : { ...c.params, init };
            try {
              const r = await trainMlp(data, resolveMlpParams(params), { seed: c.seed, keepModel: true });
              pairs[key].push(evaluateModel(r.model, 'test', data).score);
              r.model.dispose();
            } catch {
              pairs[key].push(Number.NaN); // diverged
            }
          }
        }
        for (const v of VARIANTS) {
          const r = execFileSync(python.py, [SCRIPT, s.ref, '--fixed', join(dir, 'fixed.json'), ...v.args], {
            encoding: 'utf8',
            env: { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
            maxBuffer: 64 << 20,
          });
          for (const x of JSON.parse(r.trim().split('\n').at(-1)).results) pairs[v.key].push(x.test);
        }
        if (!has('keep')) rmSync(dir, { recursive: true, force: true });
        process.stderr.write(
          `  ${d.name} seed ${seed}: ${cases.length} trainings, each ${VARIANTS.length + 2} ways\n`,
        );
      }
      // Pairs where every side gave a number (a diverged training gives none).
      const keys = Object.keys(pairs);
      const ok = pairs.lockstep.map((_, i) => keys.every((k) => Number.isFinite(pairs[k][i])));
      const pick = (k) => pairs[k].filter((_, i) => ok[i]);
      const row = {
        dataset: d.name,
        task,
        // Every training's test score, by side, in case order (NaN: diverged), with the cases.
        scores: pairs,
        cases: allCases,
        pairs: ok.filter(Boolean).length,
        diverged: {},
        mean: {},
        vsLockstep: {},
      };
      for (const k of keys) {
        row.diverged[k] = pairs[k].filter((x) => !Number.isFinite(x)).length;
        row.mean[k] = mean(pick(k));
      }
      const l = pick('lockstep');
      for (const v of COLUMNS) {
        const t = pick(v.key);
        const diff = l.map((x, i) => x - t[i]);
        row.vsLockstep[v.key] = { diff: mean(diff), p: signFlipP(diff, 'two-sided') };
      }
      out.push(row);
    }
  } finally {
    if (!has('keep')) rmSync(work, { recursive: true, force: true });
  }
  const head = [
    'dataset',
    'pairs',
    'lockstep',
    ...COLUMNS.map((v) => v.key),
    ...COLUMNS.map((v) => `Δ ${v.key} (p)`),
  ];
  const table = [head];
  for (const r of out) {
    table.push([
      r.dataset,
      String(r.pairs),
      fmtScore(r.mean.lockstep),
      ...COLUMNS.map((v) => fmtScore(r.mean[v.key])),
      ...COLUMNS.map((v) => `${fmtScore(r.vsLockstep[v.key].diff)} (${r.vsLockstep[v.key].p.toFixed(3)})`),
    ]);
  }
  const widths = head.map((_, c) => Math.max(...table.map((r) => r[c].length)));
  const line = (r) =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  process.stderr.write(
    `\nThe same ${found ? `best configurations of both sides' searches (${from}), each with ${REPEATS} training seeds,` : `${K} random configurations`} x ${SEEDS} seeds, trained on the training rows and scored on the test rows (accuracy or RMSE; mean over pairs where no side diverged); Δ = lockstep − variant, p: two-sided paired sign-flip test\n\n`,
  );
  process.stderr.write(`${line(table[0])}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const r of table.slice(1)) process.stderr.write(`${line(r)}\n`);
  process.stdout.write(
    `${JSON.stringify({ benchmark: 'search-semantics', seeds: SEEDS, configs: K, datasets: out })}\n`,
  );
}

let python = FROM_RUNS === undefined ? findPython() : { skipped: 'not run' };
if (has('semantics')) {
  await semantics(python);
  process.exit(0);
}
const work = FROM_RUNS === undefined ? mkdtempSync(join(os.tmpdir(), 'lockstep-bench-search-')) : undefined;
if (has('keep')) process.stderr.write(`--keep: studies and reference inputs stay in ${work}\n`);
const started = performance.now();
const loads = FROM_RUNS === undefined ? [os.loadavg()[0]] : [];
let results = suite.map((d) => ({ d, runs: [] }));
if (FROM_RUNS !== undefined) {
  for (const file of FROM_RUNS.split(',')) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const r = JSON.parse(line);
      const res = results.find((x) => x.d.name === r.dataset);
      if (res === undefined) continue;
      res.shape = r.shape;
      res.d = { ...res.d, trials: r.trials ?? res.d.trials, epochs: r.epochs ?? res.d.epochs };
      res.runs.push(r.run);
      loads.push(r.load);
      if (r.reference !== undefined) python = r.reference;
    }
  }
  results = results.filter((r) => r.runs.length > 0);
  for (const r of results) r.runs.sort((a, b) => a.seed - b.seed);
}
process.stderr.write(
  `bench:search: ${suite.length} datasets x ${SEEDS} seeds, lockstep (${WORKERS.join(', ')} workers) vs ${
    python.skipped ? `no reference (${python.skipped})` : `Optuna ${python.optuna} + PyTorch ${python.torch}`
  }; ${os.availableParallelism()} cores, load ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}\n`,
);

try {
  let turn = 0;
  for (let seed = FIRST_SEED; FROM_RUNS === undefined && seed < FIRST_SEED + SEEDS; seed++) {
    for (const res of results) {
      const { d } = res;
      const dir = join(work, `${d.name}-${seed}`);
      const s = await setUp(dir, d, seed);
      res.shape = { task: s.task, rows: s.rows, features: s.nFeatures, outputs: s.nOutputs };
      // Rotate the order of the runs, so that a change of load on the machine hits every side alike.
      const jobs = [
        ...WORKERS.map((w) => ({ key: `lockstep${w}`, run: () => runLockstep(s, dir, w) })),
        ...(python.skipped ? [] : [{ key: 'reference', run: () => runReference(s, python) }]),
      ];
      const order = jobs.map((_, i) => jobs[(i + turn) % jobs.length]);
      turn++;
      const run = { seed };
      for (const j of order) run[j.key] = j.run();
      loads.push(os.loadavg()[0]);
      res.runs.push(run);
      if (RUNS_OUT !== undefined) {
        appendFileSync(
          RUNS_OUT,
          `${JSON.stringify({ dataset: d.name, trials: d.trials, epochs: d.epochs, shape: res.shape, load: os.loadavg()[0], reference: python, run })}\n`,
        );
      }
      if (!has('keep')) rmSync(dir, { recursive: true, force: true });
      const l1 = run[`lockstep${WORKERS[0]}`];
      const ref = run.reference;
      process.stderr.write(
        `  ${d.name} seed ${seed}: ${WORKERS.map((w) => `${w}w ${run[`lockstep${w}`].wall.toFixed(1)} s`).join(', ')}${
          ref ? `, reference ${ref.wall.toFixed(1)} s` : ''
        }; test ${fmtScore(l1.test)}${ref ? ` vs ${fmtScore(ref.test)}` : ''} (load ${os.loadavg()[0].toFixed(1)})\n`,
      );
    }
  }
} finally {
  if (work !== undefined && !has('keep')) rmSync(work, { recursive: true, force: true });
}

function fmtScore(v) {
  return Number.isFinite(v) ? (Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(4)) : String(v);
}

const summary = results.map(({ d, runs, shape }) => {
  const maximize = shape.task !== 'regression';
  const row = {
    dataset: d.name,
    ...shape,
    trials: d.trials,
    epochs: d.epochs,
    seeds: runs.length,
    metric: maximize ? 'accuracy' : 'rmse',
  };
  // 1 and 2 workers must have run the same study.
  row.sameDigest = runs.every((r) => new Set(WORKERS.map((w) => r[`lockstep${w}`].digest)).size === 1);
  for (const w of WORKERS) {
    row[`wall${w}w`] = median(runs.map((r) => r[`lockstep${w}`].wall));
    row[`cpu${w}w`] = median(runs.map((r) => r[`lockstep${w}`].cpu));
  }
  const l = runs.map((r) => r[`lockstep${WORKERS[0]}`].test);
  row.test = { lockstep: mean(l) };
  if (!python.skipped) {
    row.wallRef = median(runs.map((r) => r.reference.wall));
    row.cpuRef = median(runs.map((r) => r.reference.cpu));
    row.refImportS = median(runs.map((r) => r.reference.importS));
    for (const w of WORKERS)
      row[`ratio${w}w`] = median(runs.map((r) => r[`lockstep${w}`].wall / r.reference.wall));
    row.cpuRatio = median(runs.map((r) => r[`lockstep${WORKERS[0]}`].cpu / r.reference.cpu));
    const ref = runs.map((r) => r.reference.test);
    // Positive: lockstep worse (lower accuracy, higher RMSE).
    const diff = runs.map((_, i) => (maximize ? ref[i] - l[i] : l[i] - ref[i]));
    row.test.reference = mean(ref);
    row.test.diff = mean(l) - mean(ref);
    row.test.pWorse = signFlipP(diff, 'greater');
    row.test.pBetter = signFlipP(
      diff.map((x) => -x),
      'greater',
    );
    row.test.perSeed = runs.map((r, i) => {
      const ls = r[`lockstep${WORKERS[0]}`];
      return {
        seed: r.seed,
        lockstep: l[i],
        reference: ref[i],
        val: { lockstep: ls.val, reference: r.reference.val },
        best: { lockstep: ls.best, reference: r.reference.best },
      };
    });
  }
  return row;
});

const minutes = (performance.now() - started) / 60_000;
const seedsRun = Math.max(...results.map((r) => r.runs.length));
const head = [
  'dataset',
  'task',
  'rows',
  'feat',
  'trials x ep',
  ...WORKERS.map((w) => `lockstep ${w}w s`),
  'ref s',
  ...WORKERS.map((w) => `ratio ${w}w`),
  'CPU ratio',
  'test lockstep',
  'test ref',
  'diff',
  'p(worse)',
];
const f2 = (v) => (Number.isFinite(v) ? v.toFixed(2) : '-');
const table = [head];
for (const r of summary) {
  table.push([
    r.dataset,
    r.task,
    String(r.rows),
    String(r.features),
    `${r.trials} x ${r.epochs}`,
    ...WORKERS.map((w) => f2(r[`wall${w}w`])),
    f2(r.wallRef),
    ...WORKERS.map((w) => f2(r[`ratio${w}w`])),
    f2(r.cpuRatio),
    fmtScore(r.test.lockstep),
    fmtScore(r.test.reference ?? Number.NaN),
    r.test.diff === undefined ? '-' : (r.test.diff >= 0 ? '+' : '') + fmtScore(r.test.diff),
    r.test.pWorse === undefined ? '-' : r.test.pWorse.toFixed(3),
  ]);
}
const widths = head.map((_, c) => Math.max(...table.map((r) => r[c].length)));
const line = (r) =>
  r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
process.stderr.write(
  `\nWhole searches (TPE, mlp-default, ${N_STARTUP} start-up trials, split 60/20/20; medians over ${seedsRun} seeds; ratio = lockstep wall / reference wall, paired by seed; test = refit's test accuracy or RMSE, mean over seeds; p(worse): paired one-sided permutation test that lockstep's is worse)\n\n`,
);
process.stderr.write(`${line(table[0])}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
for (const r of table.slice(1)) process.stderr.write(`${line(r)}\n`);
const loadMedian = median(loads);
process.stderr.write(
  `\n${minutes.toFixed(1)} min; load average (1 min) median ${loadMedian.toFixed(1)}, max ${Math.max(...loads).toFixed(1)} on ${os.availableParallelism()} cores; 1w and 2w same digest: ${summary.every((r) => r.sameDigest)}\n`,
);
if (!python.skipped) {
  const worst = (w) => Math.max(...summary.map((r) => r[`ratio${w}w`]));
  process.stderr.write(
    `targets: ${WORKERS.map((w) => `${w}w worst ratio ${f2(worst(w))} (target ${w === 1 ? '0.6' : '0.35'})`).join(', ')}; scores shown worse (p < 0.05) on: ${
      summary
        .filter((r) => r.test.pWorse < 0.05)
        .map((r) => r.dataset)
        .join(', ') || 'none'
    }\n\n`,
  );
}
process.stdout.write(
  `${JSON.stringify({
    benchmark: 'search',
    seeds: seedsRun,
    workers: WORKERS,
    parallelism: PARALLELISM,
    cores: os.availableParallelism(),
    cpu: os.cpus()[0]?.model,
    node: process.version,
    reference: python.skipped ? { skipped: python.skipped } : { optuna: python.optuna, torch: python.torch },
    minutes: Math.round(minutes * 10) / 10,
    load: { median: loadMedian, max: Math.max(...loads) },
    datasets: summary,
  })}\n`,
);
if (!summary.every((r) => r.sameDigest)) process.exitCode = 1;
