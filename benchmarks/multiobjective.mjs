// Multi-objective samplers on ZDT1 and ZDT2 (30 dims, 200 trials, 10 seeds): lockstep's NSGA-II and MOTPE (and
// random search as a floor) against Optuna 3.1's NSGAIISampler and TPESampler, run in the same benchmark by
// Debian's /usr/bin/python3 (python3-optuna) through /work/shared/reference/optuna_multiobjective.py (or
// LOCKSTEP_OPTUNA_SCRIPT). Every hypervolume is computed here, by the same code, from each run's objective values.
//
// `npm run bench:multiobjective` (builds first), or after `npm run build`:
//   node benchmarks/multiobjective.mjs [--seeds 10] [--trials 200] [--dims 30] [--problems zdt1,zdt2]
//                                      [--optuna-results FILE.jsonl | --no-optuna] [--python /usr/bin/python3]
// --optuna-results reuses the JSON lines of an earlier run of the reference script instead of running Optuna
// (the table says so). Prints a table to stderr and one JSON line to stdout.
//
// lockstep's samplers are called in-process, sequentially (the lag rule with P = 0: trial i sees trials 0 … i−1),
// each trial's params decoded from the shared codec and its two objective values computed by src/bench/zdt.ts.
// Reference points: (11, 11), the one the comparison uses: every point of every run lies inside it (f1 ≤ 1,
// f2 ≤ g ≤ 10), so every run is ranked; and (1.1, 1.1), the usual one for a front normalised to [0, 1] (the true
// front's hypervolume is 1.21 − 1/3 for ZDT1, 1.21 − 2/3 for ZDT2), shown too: in 30 dimensions no sampler
// reaches f2 < 1.1 in 200 trials (g stays above ~1.5), so it is 0 for every run and is not tested.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { studyHypervolume } from '../dist/bench/hypervolume.js';
import { mannWhitneyU, mean } from '../dist/bench/stats.js';
import { zdt1, zdt2, zdt3 } from '../dist/bench/zdt.js';
import { MotpeSampler, Nsga2Sampler, RandomSampler } from '../dist/samplers/index.js';

const { values: args } = parseArgs({
  options: {
    seeds: { type: 'string', default: '10' },
    trials: { type: 'string', default: '200' },
    dims: { type: 'string', default: '30' },
    problems: { type: 'string', default: 'zdt1,zdt2' },
    'optuna-results': { type: 'string' },
    'no-optuna': { type: 'boolean', default: false },
    python: { type: 'string', default: '/usr/bin/python3' },
  },
});
const seeds = Number(args.seeds);
const trials = Number(args.trials);
const dims = Number(args.dims);
const problems = args.problems.split(',');
const PROBLEMS = { zdt1, zdt2, zdt3 };
for (const p of problems)
  if (!(p in PROBLEMS)) throw new Error(`--problems: unknown problem '${p}' (known: zdt1, zdt2, zdt3)`);
const REFERENCES = [
  [11, 11],
  [1.1, 1.1],
];
const DIRECTIONS = ['minimize', 'minimize'];
const script = process.env.LOCKSTEP_OPTUNA_SCRIPT ?? '/work/shared/reference/optuna_multiobjective.py';

/** Optuna's runs: from a file, or from the reference script started now (one process per problem, in parallel). */
function optunaRuns() {
  if (args['no-optuna']) return { source: 'not run (--no-optuna)', runs: Promise.resolve([]) };
  if (args['optuna-results'] !== undefined) {
    const lines = args['optuna-results']
      .split(',')
      .flatMap((f) => readFileSync(f, 'utf8').split('\n'))
      .filter((l) => l.trim() !== '');
    return {
      source: `read from ${args['optuna-results']} (an earlier run)`,
      runs: Promise.resolve(lines.map((l) => JSON.parse(l))),
    };
  }
  if (!existsSync(script)) return { source: `not run: ${script} is missing`, runs: Promise.resolve([]) };
  const runs = Promise.all(
    problems.map(
      (problem) =>
        new Promise((resolve) => {
          const child = spawn(
            args.python,
            [
              script,
              '--problems',
              problem,
              '--samplers',
              'nsga2,tpe',
              '--seeds',
              String(seeds),
              '--trials',
              String(trials),
              '--dims',
              String(dims),
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
        }),
    ),
  ).then((parts) => {
    const errors = parts.filter((p) => !Array.isArray(p)).map((p) => p.error);
    if (errors.length > 0) process.stderr.write(`Optuna reference failed: ${errors.join('; ')}\n`);
    return parts.filter(Array.isArray).flat();
  });
  return { source: `run now: ${args.python} ${script}`, runs };
}

/** One lockstep run: the objective values of every trial, in trial order. */
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

const t0 = performance.now();
const optuna = optunaRuns();
/** results[problem][sampler] = { hv: [per reference: per seed], seconds: [per seed] } */
const results = {};
for (const name of problems) {
  const problem = PROBLEMS[name](dims);
  results[name] = {};
  for (const [label, make] of SAMPLERS) {
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
const optunaResults = await optuna.runs;
let optunaVersion;
for (const run of optunaResults) {
  if (!(run.problem in results) || run.values.length !== trials || run.seed >= seeds) continue;
  optunaVersion = run.optuna;
  const label = `optuna ${run.sampler}`;
  results[run.problem][label] ??= { hv: REFERENCES.map(() => []), seconds: [] };
  const r = results[run.problem][label];
  r.seconds.push(run.seconds);
  REFERENCES.forEach((ref, j) => {
    r.hv[j].push(studyHypervolume(asTrials(run.values), DIRECTIONS, ref));
  });
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
        pLockstepBetter: ab.p,
        pOptunaBetter: ba.p,
        method: ab.method,
      });
    });
  }
}

const fmt = (x, d = 4) => (Number.isFinite(x) ? x.toFixed(d) : String(x));
const pad = (s, w) => String(s).padEnd(w);
const lines = [];
lines.push(
  `Multi-objective samplers: ${problems.join(', ')} (${dims} dims), ${trials} trials, ${seeds} seeds; mean (± sd) final hypervolume, higher is better`,
);
lines.push(
  `${pad('problem', 8)}${pad('sampler', 18)}${REFERENCES.map((r) => pad(`HV ref (${r.join(', ')})`, 24)).join('')}${pad('s/run', 8)}`,
);
for (const name of problems) {
  for (const [label, r] of Object.entries(results[name])) {
    const cells = REFERENCES.map((_, j) => pad(`${fmt(mean(r.hv[j]))} ± ${fmt(sd(r.hv[j]))}`, 24)).join('');
    lines.push(`${pad(name, 8)}${pad(label, 18)}${cells}${pad(fmt(mean(r.seconds), 2), 8)}`);
  }
  const truth = PROBLEMS[name](dims).frontHypervolume;
  if (truth !== undefined)
    lines.push(
      `${pad(name, 8)}${pad('(true front)', 18)}${REFERENCES.map((r) => pad(fmt(truth(r)), 24)).join('')}`,
    );
}
lines.push('');
lines.push(
  'One-sided Mann–Whitney U on the final hypervolumes (n = seeds per side): p(lockstep > Optuna), p(Optuna > lockstep); a reference where every run is 0 is not tested',
);
for (const t of tests) {
  lines.push(
    `${pad(t.problem, 8)}${pad(`${t.a} vs ${t.b}`, 34)}${pad(`ref (${t.reference.join(', ')})`, 16)}p = ${fmt(t.pLockstepBetter, 4)}   p = ${fmt(t.pOptunaBetter, 4)}   (${t.method})`,
  );
}
lines.push('');
lines.push(`Optuna: ${optuna.source}${optunaVersion === undefined ? '' : `, optuna ${optunaVersion}`}`);
lines.push(
  `lockstep: in-process, P = 0, seeds 0 … ${seeds - 1}; Optuna: sampler seed 0 … ${seeds - 1}. ${cpus().length} CPUs, load average ${loadavg()[0].toFixed(2)}, ${((performance.now() - t0) / 1000).toFixed(0)} s in all`,
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
process.stdout.write(
  `${JSON.stringify({
    benchmark: 'multiobjective',
    node: process.version,
    optuna: optunaVersion ?? null,
    optunaSource: optuna.source,
    problems,
    dims,
    trials,
    seeds,
    references: REFERENCES,
    results: summary,
    tests,
  })}\n`,
);
