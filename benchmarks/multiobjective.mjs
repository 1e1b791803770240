// Multi-objective samplers on ZDT1, ZDT2 and ZDT3 (30 dims, 200 trials, 10 seeds): lockstep's NSGA-II and MOTPE
// (and random search as a floor) against Optuna 3.1's NSGAIISampler and TPESampler (3.1's MOTPE), run in the same
// benchmark by Debian's /usr/bin/python3 (python3-optuna) through benchmarks/reference/optuna_multiobjective.py
// (or --optuna-script / LOCKSTEP_OPTUNA_SCRIPT). Every hypervolume in the table is computed here, by the same
// code (src/bench/hypervolume.ts), from each run's objective values; Optuna's own (WFG on its front), which the
// script reports too, is checked against ours for the same point sets. And the built-in MLP on a built-in
// dataset: validation accuracy (max) against parameter count (min), lockstep's samplers only (src/bench/mlp-tradeoff.ts).
//
// `npm run bench:multiobjective` (builds first), or after `npm run build`:
//   node benchmarks/multiobjective.mjs [--seeds 10] [--trials 200] [--dims 30] [--problems zdt1,zdt2,zdt3,mlp]
//        [--optuna-results FILE.jsonl[,FILE…] | --no-optuna] [--optuna-samplers nsga2,tpe[,motpe]]
//        [--optuna-script PATH] [--python /usr/bin/python3] [--lockstep-results FILE.json]
//        [--mlp-dataset builtin:seattle-weather] [--mlp-epochs 5] [--mlp-trials 100] [--mlp-seeds 5]
//        [--mlp-population 20]
// --optuna-results reuses the JSON lines of an earlier run of the reference script instead of running Optuna
// (the table says so; runs whose dims, trials or seed do not match are left out). --lockstep-results reuses
// lockstep's side from the JSON line of an earlier run of this benchmark with the same settings (lockstep's runs
// are deterministic: a run gives the same hypervolumes every time), so that the table can be rebuilt when Optuna's
// runs finish. Prints a table to stderr and one JSON line to stdout. Optuna's TPE is slow on 30 dimensions (~90 s of CPU per 200-trial run in 3.1, which
// recomputes its split and weights for every parameter): the default run takes ~1 h on 2 loaded cores, most of
// it Optuna's TPE (one Python process per ZDT problem, started first, in parallel with lockstep's runs).
//
// lockstep's samplers are called in-process, sequentially (the lag rule with P = 0: trial i sees trials 0 … i−1),
// each trial's params decoded from the shared codec and its two objective values computed by src/bench/zdt.ts.
// Reference points: (11, 11), the one the comparison uses: every point of every run lies inside it (f1 ≤ 1,
// f2 ≤ g ≤ 10), so every run is ranked; and (1.1, 1.1), the usual one for a front normalised to [0, 1] (the true
// front's hypervolume is 1.21 − 1/3 for ZDT1, 1.21 − 2/3 for ZDT2), shown too: in 30 dimensions no sampler
// reaches f2 < 1.1 in 200 trials (g stays above ~1.5), so it is 0 for every run and is not tested.
// Each seed of lockstep and of Optuna is an independent run with its own generator, so the samples are not
// paired: the test is the one-sided Mann–Whitney U both ways.
//
// The MLP problem: the mlp-default space with epochs fixed (--mlp-epochs), trial i of seed k trained with the
// seed a study with root seed k gives it; the hypervolume against (accuracy 0, the space's largest parameter
// count), divided by that count (so it is in accuracy units, at most 1), and the same with log10 of the count
// against (0, log10 of the largest), divided by the log10 range of the space's counts: on the raw count a front's
// small models all look alike (165 or 5,000 of 134,149), on log10 each factor of 10 counts the same.
// NSGA-II's population is --mlp-population
// (its default 50 would leave a 100-trial run two generations); MOTPE and random with their defaults.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { studyHypervolume } from '../dist/bench/hypervolume.js';
import { mlpTradeoff } from '../dist/bench/mlp-tradeoff.js';
import { mannWhitneyU, mean } from '../dist/bench/stats.js';
import { zdt1, zdt2, zdt3 } from '../dist/bench/zdt.js';
import { MotpeSampler, Nsga2Sampler, RandomSampler } from '../dist/samplers/index.js';
import { initBackend } from '../dist/train/backend.js';

const { values: args } = parseArgs({
  options: {
    seeds: { type: 'string', default: '10' },
    trials: { type: 'string', default: '200' },
    dims: { type: 'string', default: '30' },
    problems: { type: 'string', default: 'zdt1,zdt2,zdt3,mlp' },
    'optuna-results': { type: 'string' },
    'lockstep-results': { type: 'string' },
    'no-optuna': { type: 'boolean', default: false },
    'optuna-samplers': { type: 'string', default: 'nsga2,tpe' },
    'optuna-script': { type: 'string' },
    python: { type: 'string', default: '/usr/bin/python3' },
    'mlp-dataset': { type: 'string', default: 'builtin:seattle-weather' },
    'mlp-epochs': { type: 'string', default: '5' },
    'mlp-trials': { type: 'string', default: '100' },
    'mlp-seeds': { type: 'string', default: '5' },
    'mlp-population': { type: 'string', default: '20' },
  },
});

/** A bad flag: one line naming it, exit code 2. */
function refuse(message) {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}
function positiveInt(flag, min = 1) {
  const v = Number(args[flag]);
  if (!(Number.isInteger(v) && v >= min))
    refuse(`--${flag}: expected an integer >= ${min}, but got '${args[flag]}'`);
  return v;
}
const seeds = positiveInt('seeds');
const trials = positiveInt('trials');
const dims = positiveInt('dims', 2);
const mlpEpochs = positiveInt('mlp-epochs');
const mlpTrials = positiveInt('mlp-trials');
const mlpSeeds = positiveInt('mlp-seeds');
const mlpPopulation = positiveInt('mlp-population', 2);
const ZDT = { zdt1, zdt2, zdt3 };
const KNOWN = [...Object.keys(ZDT), 'mlp'];
const requested = args.problems.split(',').filter((p) => p !== '');
for (const p of requested)
  if (!KNOWN.includes(p)) refuse(`--problems: unknown problem '${p}' (known: ${KNOWN.join(', ')})`);
const problems = requested.filter((p) => p in ZDT);
const runMlp = requested.includes('mlp');
const optunaSamplers = args['optuna-samplers'].split(',').filter((s) => s !== '');
for (const s of optunaSamplers)
  if (!['nsga2', 'tpe', 'motpe'].includes(s))
    refuse(`--optuna-samplers: unknown sampler '${s}' (known: nsga2, tpe, motpe)`);
const REFERENCES = [
  [11, 11],
  [1.1, 1.1],
];
const DIRECTIONS = ['minimize', 'minimize'];
const script =
  args['optuna-script'] ??
  process.env.LOCKSTEP_OPTUNA_SCRIPT ??
  fileURLToPath(new URL('./reference/optuna_multiobjective.py', import.meta.url));

/** Runs the reference script on one problem; resolves to its runs, or { error }. */
function optunaProcess(problem) {
  return new Promise((resolve) => {
    const child = spawn(
      args.python,
      [
        script,
        '--problems',
        problem,
        '--samplers',
        optunaSamplers.join(','),
        '--seeds',
        String(seeds),
        '--trials',
        String(trials),
        '--dims',
        String(dims),
        '--references',
        REFERENCES.map((r) => r.join(',')).join(':'),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('error', (e) => resolve({ error: e.message }));
    child.on('close', (code) => {
      if (code !== 0)
        resolve({ error: `${args.python} exited with ${code}: ${err.trim().split('\n').at(-1)}` });
      else
        resolve(
          out
            .split('\n')
            .filter((l) => l.trim() !== '')
            .map((l) => JSON.parse(l)),
        );
    });
  });
}

/** Optuna's runs: from a file, or from the reference script started now (one process per problem, in parallel). */
function optunaRuns() {
  if (args['no-optuna'] || problems.length === 0)
    return { source: 'not run (--no-optuna)', runs: Promise.resolve([]) };
  if (args['optuna-results'] !== undefined) {
    const lines = args['optuna-results']
      .split(',')
      .flatMap((f) => {
        if (!existsSync(f)) refuse(`--optuna-results: ${f} does not exist`);
        return readFileSync(f, 'utf8').split('\n');
      })
      .filter((l) => l.trim() !== '');
    return {
      source: `read from ${args['optuna-results']} (an earlier run of the reference script)`,
      runs: Promise.resolve(lines.map((l) => JSON.parse(l))),
    };
  }
  if (!existsSync(script)) return { source: `not run: ${script} is missing`, runs: Promise.resolve([]) };
  const runs = Promise.all(problems.map(optunaProcess)).then((parts) => {
    const errors = parts.filter((p) => !Array.isArray(p)).map((p) => p.error);
    if (errors.length > 0) process.stderr.write(`Optuna reference failed: ${errors.join('; ')}\n`);
    return parts.filter(Array.isArray).flat();
  });
  return { source: `run now: ${args.python} ${script}`, runs };
}

/** One lockstep run on a ZDT problem: the objective values of every trial, in trial order. */
function lockstepRun(problem, makeSampler, seed) {
  const sampler = makeSampler();
  const history = [];
  for (let i = 0; i < trials; i++) {
    const ctx = { seed, index: i, direction: 'minimize', directions: DIRECTIONS };
    const params = sampler.sample(problem.space, history, ctx);
    const values = problem.f(problem.pointOf(params));
    history.push({ index: i, params, state: 'complete', value: undefined, intermediate: [], values });
  }
  return history;
}

/** One lockstep run on the MLP problem; a trial whose training diverges is failed (no values). */
async function mlpRun(problem, makeSampler, seed) {
  const sampler = makeSampler();
  const history = [];
  let failed = 0;
  for (let i = 0; i < mlpTrials; i++) {
    const ctx = { seed, index: i, direction: 'maximize', directions: problem.directions };
    const params = sampler.sample(problem.space, history, ctx);
    try {
      const values = await problem.evaluate(params, seed, i);
      history.push({ index: i, params, state: 'complete', value: values[0], intermediate: [], values });
    } catch {
      failed++;
      history.push({ index: i, params, state: 'failed', value: undefined, intermediate: [] });
    }
  }
  return { history, failed };
}

const asTrials = (values) =>
  values.map((v, i) => ({
    index: i,
    params: {},
    state: 'complete',
    value: undefined,
    intermediate: [],
    values: v,
  }));

const SAMPLERS = [
  ['lockstep nsga2', () => new Nsga2Sampler()],
  ['lockstep motpe', () => new MotpeSampler()],
  ['lockstep random', () => new RandomSampler()],
];
const MLP_SAMPLERS = [
  [
    `lockstep nsga2 (population ${mlpPopulation})`,
    () => new Nsga2Sampler({ population_size: mlpPopulation }),
  ],
  ['lockstep motpe', () => new MotpeSampler()],
  ['lockstep random', () => new RandomSampler()],
];

/** The JSON line of an earlier run whose lockstep results are reused, checked against this run's settings. */
function readEarlier(file) {
  if (!existsSync(file)) refuse(`--lockstep-results: ${file} does not exist`);
  let j;
  try {
    j = JSON.parse(
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .at(-1),
    );
  } catch {
    j = undefined;
  }
  if (j?.benchmark !== 'multiobjective')
    refuse(`--lockstep-results: ${file} is not the JSON line of a run of this benchmark`);
  const mine = { dims, trials, seeds, references: REFERENCES };
  for (const [k, v] of Object.entries(mine))
    if (JSON.stringify(j[k]) !== JSON.stringify(v))
      refuse(
        `--lockstep-results: ${file} ran ${k} ${JSON.stringify(j[k])}, this run asks ${JSON.stringify(v)}`,
      );
  if (runMlp) {
    const want = {
      dataset: args['mlp-dataset'],
      epochs: mlpEpochs,
      trials: mlpTrials,
      seeds: mlpSeeds,
      population: mlpPopulation,
    };
    if (JSON.stringify(j.mlp) !== JSON.stringify(want))
      refuse(
        `--lockstep-results: ${file} ran the MLP problem with ${JSON.stringify(j.mlp)}, this run asks ${JSON.stringify(want)}`,
      );
  }
  return j;
}
/** Lockstep's results for (problem, sampler) in the earlier run; refused when it did not run them. */
function earlierResult(problem, label) {
  const e = earlier.results[problem]?.[label];
  if (e === undefined)
    refuse(`--lockstep-results: ${args['lockstep-results']} has no ${problem} run of ${label}`);
  return e;
}
const earlier = args['lockstep-results'] === undefined ? undefined : readEarlier(args['lockstep-results']);
const lockstepSource =
  earlier === undefined
    ? 'run now'
    : `read from ${args['lockstep-results']} (an earlier run of this benchmark)`;

/** The MLP problem, loaded first: a bad --mlp-dataset is refused before anything runs. */
let mlpProblem;
if (runMlp) {
  await initBackend('wasm');
  try {
    mlpProblem = await mlpTradeoff({ dataset: args['mlp-dataset'], epochs: mlpEpochs });
  } catch (e) {
    refuse(`--mlp-dataset: ${e.message}`);
  }
}

const t0 = performance.now();
const optuna = optunaRuns();
/** results[problem][sampler] = { hv: [per reference: per seed], seconds: [per seed] } */
const results = {};
for (const name of problems) {
  const problem = ZDT[name](dims);
  results[name] = {};
  for (const [label, make] of SAMPLERS) {
    if (earlier !== undefined) {
      const e = earlierResult(name, label);
      results[name][label] = { hv: e.hypervolume.map((h) => h.runs), seconds: [e.secondsPerRun] };
      continue;
    }
    const r = { hv: REFERENCES.map(() => []), seconds: [] };
    for (let k = 0; k < seeds; k++) {
      const s0 = performance.now();
      const history = lockstepRun(problem, make, k);
      r.seconds.push((performance.now() - s0) / 1000);
      REFERENCES.forEach((ref, j) => {
        r.hv[j].push(studyHypervolume(history, DIRECTIONS, ref));
      });
    }
    results[name][label] = r;
    process.stderr.write(`  ${name} ${label}: ${r.seconds.reduce((a, b) => a + b, 0).toFixed(1)} s\n`);
  }
}

/** The MLP problem: mlp.results[sampler] = { hv: [per seed], front: [per seed], failed, seconds }. */
let mlp;
if (mlpProblem !== undefined) {
  const problem = mlpProblem;
  mlp = { problem, results: {} };
  for (const [label, make] of MLP_SAMPLERS) {
    if (earlier !== undefined) {
      const e = earlierResult(problem.name, label);
      mlp.results[label] = {
        hv: e.hypervolume[0].runs,
        hvLog: e.hypervolume[1].runs,
        front: e.frontSize,
        bestAccuracy: e.bestAccuracy,
        failed: e.failedTrials,
        seconds: [e.secondsPerRun],
      };
      continue;
    }
    const r = { hv: [], hvLog: [], front: [], bestAccuracy: [], failed: 0, seconds: [] };
    for (let k = 0; k < mlpSeeds; k++) {
      const s0 = performance.now();
      const { history, failed } = await mlpRun(problem, make, k);
      r.seconds.push((performance.now() - s0) / 1000);
      r.failed += failed;
      r.hv.push(studyHypervolume(history, problem.directions, problem.reference) / problem.reference[1]);
      const done = history.filter((t) => t.state === 'complete');
      const logged = done.map((t) => ({ ...t, values: [t.values[0], Math.log10(t.values[1])] }));
      const [lo, hi] = problem.paramRange.map(Math.log10);
      r.hvLog.push(studyHypervolume(logged, problem.directions, [0, hi]) / (hi - lo));
      r.bestAccuracy.push(Math.max(...done.map((t) => t.values[0])));
      // The front: complete trials no other complete trial dominates (accuracy up, parameters down).
      const dominated = (a, b) =>
        b.values[0] >= a.values[0] &&
        b.values[1] <= a.values[1] &&
        (b.values[0] > a.values[0] || b.values[1] < a.values[1]);
      r.front.push(done.filter((a) => !done.some((b) => dominated(a, b))).length);
    }
    mlp.results[label] = r;
    process.stderr.write(
      `  ${problem.name} ${label}: ${r.seconds.reduce((a, b) => a + b, 0).toFixed(1)} s (${r.failed} failed trials)\n`,
    );
  }
}

const optunaResults = await optuna.runs;
let optunaVersion;
/** Optuna's own hypervolume (WFG on its front) against ours for the same runs' values. */
const hvCheck = { compared: 0, maxAbsDiff: 0, maxRelDiff: 0 };
let skipped = 0;
/** (problem, sampler, seed) already counted: a seed given twice (files of split runs) counts once. */
const seen = new Set();
for (const run of optunaResults) {
  const key = `${run.problem}/${run.sampler}/${run.seed}`;
  if (
    seen.has(key) ||
    !(run.problem in results) ||
    run.values.length !== trials ||
    run.seed >= seeds ||
    (run.dims !== undefined && run.dims !== dims) ||
    !optunaSamplers.includes(run.sampler)
  ) {
    skipped++;
    continue;
  }
  seen.add(key);
  optunaVersion = run.optuna;
  const label = `optuna ${run.sampler}`;
  results[run.problem][label] ??= { hv: REFERENCES.map(() => []), seconds: [] };
  const r = results[run.problem][label];
  r.seconds.push(run.seconds);
  REFERENCES.forEach((ref, j) => {
    const ours = studyHypervolume(asTrials(run.values), DIRECTIONS, ref);
    r.hv[j].push(ours);
    const theirs = (run.hypervolume ?? []).find((h) => h.reference.join() === ref.join());
    if (theirs !== undefined) {
      const d = Math.abs(ours - theirs.value);
      hvCheck.compared++;
      hvCheck.maxAbsDiff = Math.max(hvCheck.maxAbsDiff, d);
      if (ours !== 0 || theirs.value !== 0)
        hvCheck.maxRelDiff = Math.max(
          hvCheck.maxRelDiff,
          d / Math.max(Math.abs(ours), Math.abs(theirs.value)),
        );
    }
  });
}

// Optuna's labels in --optuna-samplers order (runs arrive in the order of the files or processes).
for (const name of problems) {
  const entries = Object.entries(results[name]);
  const rank = ([label]) =>
    label.startsWith('optuna ') ? SAMPLERS.length + optunaSamplers.indexOf(label.slice(7)) : 0;
  results[name] = Object.fromEntries(entries.sort((a, b) => rank(a) - rank(b)));
}

const sd = (xs) => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) * (x - m), 0) / Math.max(1, xs.length - 1));
};
const neg = (xs) => xs.map((x) => -x);
/** One-sided Mann–Whitney: p that a's hypervolumes are stochastically larger than b's (small p: a better). */
const better = (a, b) => mannWhitneyU(neg(a), neg(b));

const PAIRS = [
  ['lockstep nsga2', 'optuna nsga2'],
  ['lockstep motpe', 'optuna tpe'],
  ['lockstep motpe', 'optuna motpe'],
];
const tests = [];
for (const name of problems) {
  for (const [a, b] of PAIRS) {
    if (results[name][b] === undefined) continue;
    REFERENCES.forEach((ref, j) => {
      const x = results[name][a].hv[j];
      const y = results[name][b].hv[j];
      if ([...x, ...y].every((v) => v === 0)) return; // no information: every run's hypervolume is 0
      const ab = better(x, y);
      const ba = better(y, x);
      tests.push({
        problem: name,
        reference: ref,
        a,
        b,
        meanA: mean(x),
        meanB: mean(y),
        pLockstepBetter: ab.p,
        pOptunaBetter: ba.p,
        method: ab.method,
      });
    });
  }
}
const mlpTests = [];
if (mlp !== undefined) {
  const labels = Object.keys(mlp.results);
  const random = labels.find((l) => l.includes('random'));
  for (const a of labels.filter((l) => l !== random)) {
    for (const indicator of ['hv', 'hvLog']) {
      const x = mlp.results[a][indicator];
      const y = mlp.results[random][indicator];
      mlpTests.push({
        indicator,
        a,
        b: random,
        pABetter: better(x, y).p,
        pBBetter: better(y, x).p,
        method: better(x, y).method,
      });
    }
  }
}

const fmt = (x, d = 4) => (Number.isFinite(x) ? x.toFixed(d) : String(x));
const pad = (s, w) => String(s).padEnd(w);
const lines = [];
if (problems.length > 0) {
  lines.push(
    `Multi-objective samplers: ${problems.join(', ')} (${dims} dims), ${trials} trials, ${seeds} seeds; mean (± sd) final hypervolume, higher is better`,
  );
  lines.push(
    `${pad('problem', 8)}${pad('sampler', 18)}${REFERENCES.map((r) => pad(`HV ref (${r.join(', ')})`, 24)).join('')}${pad('s/run', 8)}runs`,
  );
  for (const name of problems) {
    for (const [label, r] of Object.entries(results[name])) {
      const cells = REFERENCES.map((_, j) => pad(`${fmt(mean(r.hv[j]))} ± ${fmt(sd(r.hv[j]))}`, 24)).join('');
      lines.push(
        `${pad(name, 8)}${pad(label, 18)}${cells}${pad(fmt(mean(r.seconds), 2), 8)}${r.hv[0].length}`,
      );
    }
    const truth = ZDT[name](dims).frontHypervolume;
    if (truth !== undefined)
      lines.push(
        `${pad(name, 8)}${pad('(true front)', 18)}${REFERENCES.map((r) => pad(fmt(truth(r)), 24)).join('')}`,
      );
  }
  lines.push('');
  lines.push(
    'One-sided Mann–Whitney U on the final hypervolumes (unpaired: n = the runs column): p(lockstep > Optuna), p(Optuna > lockstep); a reference where every run is 0 is not tested',
  );
  for (const t of tests) {
    lines.push(
      `${pad(t.problem, 8)}${pad(`${t.a} vs ${t.b}`, 34)}${pad(`ref (${t.reference.join(', ')})`, 16)}p = ${fmt(t.pLockstepBetter, 4)}   p = ${fmt(t.pOptunaBetter, 4)}   (${t.method})`,
    );
  }
  lines.push('');
  lines.push(
    hvCheck.compared === 0
      ? 'Hypervolume check: no Optuna hypervolumes to compare'
      : `Hypervolume check: Optuna's own (WFG on its front) vs src/bench/hypervolume.ts on the same values, ${hvCheck.compared} (run, reference) pairs: max |difference| ${hvCheck.maxAbsDiff.toExponential(2)}, max relative ${hvCheck.maxRelDiff.toExponential(2)}`,
  );
  lines.push(
    `Optuna: ${optuna.source}${optunaVersion === undefined ? '' : `, optuna ${optunaVersion}`}${skipped > 0 ? ` (${skipped} runs of other settings or repeated seeds left out)` : ''}`,
  );
  lines.push(
    `lockstep: ${lockstepSource}, in-process, P = 0, seeds 0 … ${seeds - 1}; Optuna: sampler seed 0 … ${seeds - 1}.`,
  );
}
if (mlp !== undefined) {
  const { problem } = mlp;
  lines.push('');
  lines.push(
    `${problem.name}: validation accuracy (max) vs parameter count (min), ${problem.nFeatures} features, ${problem.nOutputs} classes, mlp-default space with ${mlpEpochs} epochs (${problem.paramRange.join(' … ')} parameters), ${mlpTrials} trials, ${mlpSeeds} seeds; mean (± sd) hypervolume against (accuracy 0, ${problem.reference[1]} parameters); lockstep ${lockstepSource}`,
  );
  lines.push(
    `${pad('sampler', 32)}${pad(`HV / ${problem.reference[1]}`, 20)}${pad('HV log10 params', 20)}${pad('best accuracy', 16)}${pad('front size', 12)}${pad('s/run', 8)}`,
  );
  for (const [label, r] of Object.entries(mlp.results)) {
    lines.push(
      `${pad(label, 32)}${pad(`${fmt(mean(r.hv))} ± ${fmt(sd(r.hv))}`, 20)}${pad(`${fmt(mean(r.hvLog))} ± ${fmt(sd(r.hvLog))}`, 20)}${pad(fmt(mean(r.bestAccuracy)), 16)}${pad(fmt(mean(r.front), 1), 12)}${pad(fmt(mean(r.seconds), 1), 8)}`,
    );
  }
  for (const t of mlpTests)
    lines.push(
      `Mann–Whitney (unpaired), ${t.indicator === 'hv' ? 'HV' : 'HV log10'}: ${t.a} vs ${t.b}: p(${t.a} better) = ${fmt(t.pABetter)}, p(${t.b} better) = ${fmt(t.pBBetter)} (${t.method})`,
    );
}
lines.push(
  `${cpus().length} CPUs, load average ${loadavg()[0].toFixed(2)}, ${((performance.now() - t0) / 1000).toFixed(0)} s in all`,
);
process.stderr.write(`${lines.join('\n')}\n`);

const summary = {};
for (const name of problems) {
  summary[name] = {};
  for (const [label, r] of Object.entries(results[name])) {
    summary[name][label] = {
      hypervolume: REFERENCES.map((ref, j) => ({
        reference: ref,
        mean: mean(r.hv[j]),
        sd: sd(r.hv[j]),
        runs: r.hv[j],
      })),
      secondsPerRun: mean(r.seconds),
    };
  }
}
if (mlp !== undefined) {
  summary[mlp.problem.name] = {};
  for (const [label, r] of Object.entries(mlp.results)) {
    summary[mlp.problem.name][label] = {
      hypervolume: [
        {
          reference: mlp.problem.reference,
          normalisedBy: mlp.problem.reference[1],
          mean: mean(r.hv),
          sd: sd(r.hv),
          runs: r.hv,
        },
        {
          scale: 'log10 parameters',
          reference: [0, Math.log10(mlp.problem.reference[1])],
          normalisedBy: Math.log10(mlp.problem.paramRange[1]) - Math.log10(mlp.problem.paramRange[0]),
          mean: mean(r.hvLog),
          sd: sd(r.hvLog),
          runs: r.hvLog,
        },
      ],
      bestAccuracy: r.bestAccuracy,
      frontSize: r.front,
      failedTrials: r.failed,
      secondsPerRun: mean(r.seconds),
    };
  }
}
process.stdout.write(
  `${JSON.stringify({
    benchmark: 'multiobjective',
    node: process.version,
    optuna: optunaVersion ?? null,
    optunaSource: optuna.source,
    lockstepSource,
    problems: requested,
    dims,
    trials,
    seeds,
    references: REFERENCES,
    mlp:
      mlp === undefined
        ? null
        : {
            dataset: args['mlp-dataset'],
            epochs: mlpEpochs,
            trials: mlpTrials,
            seeds: mlpSeeds,
            population: mlpPopulation,
          },
    results: summary,
    tests,
    mlpTests,
    hypervolumeCheck: hvCheck,
  })}\n`,
);
