// The strategy benchmark on the test functions (npm run bench:strategies): runs benchmarks/synthetic.yaml,
// prints the mean regret at 25, 50 and 100 trials beside Optuna 3.1's (measured on this machine, 20 seeds,
// quoted in issue 5), then one JSON line. Usage: node benchmarks/strategies.mjs [--workers N] [--out DIR]
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { bench, loadSuite } = await import(join(root, 'dist/bench/index.js'));

const { values } = parseArgs({ options: { workers: { type: 'string' }, out: { type: 'string' } } });
const workers = values.workers === undefined ? Math.min(2, availableParallelism()) : Number(values.workers);
const out = values.out ?? join(root, 'runs', 'bench-synthetic');

// Optuna 3.1, 20 seeds, mean regret (issue 5). Keys: problem → strategy → budget.
const OPTUNA = {
  branin: { tpe: { 50: 0.192, 100: 0.0255 }, random: { 100: 0.481 }, cmaes: { 100: 0.12 } },
  hartmann6: {
    tpe: { 100: 0.286 },
    'tpe-multivariate': { 50: 0.377, 100: 0.213 },
    cmaes: { 100: 0.303 },
    random: { 100: 1.17 },
  },
  rosenbrock4: {
    tpe: { 100: 171 },
    'tpe-multivariate': { 100: 74.0 },
    cmaes: { 50: 183, 100: 72.0 },
    random: { 100: 1480 },
  },
};

const suite = loadSuite(join(root, 'benchmarks', 'synthetic.yaml'));
const r = await bench(suite, { workers, out });
const { stats } = r.results;
const fmt = (x) => (x === undefined ? '—' : Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3));
const rows = [];
const verdicts = {};
for (const p of stats.problems) {
  const ref = OPTUNA[p.label];
  for (const s of suite.strategies.map((x) => x.label)) {
    const a = p.strategies[s].atBudget;
    rows.push([
      p.label,
      `lockstep ${s}`,
      fmt(a[25]?.meanRegret),
      fmt(a[50]?.meanRegret),
      fmt(a[100]?.meanRegret),
    ]);
  }
  if (ref) {
    for (const [s, v] of Object.entries(ref))
      rows.push([p.label, `optuna ${s}`, '—', fmt(v[50]), fmt(v[100])]);
    const check = {};
    for (const b of [50, 100]) {
      const ours = Math.min(...suite.strategies.map((x) => p.strategies[x.label].atBudget[b].meanRegret));
      const theirs = Math.min(...Object.values(ref).map((v) => v[b] ?? Number.POSITIVE_INFINITY));
      check[b] = {
        lockstep: ours,
        optuna: Number.isFinite(theirs) ? theirs : null,
        met: Number.isFinite(theirs) ? ours <= theirs : null,
      };
    }
    verdicts[p.label] = check;
  }
}
const widths = [12, 26, 10, 10, 10];
const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join(' ');
console.log(line(['problem', 'strategy', '@25', '@50', '@100']));
for (const row of rows) console.log(line(row));
console.log(
  `wall time ${(r.results.timings.wallMs / 1000).toFixed(1)} s on ${workers} worker(s); summary ${r.files.summary}`,
);
console.log(
  JSON.stringify({
    bench: 'strategies',
    suite: suite.name,
    workers,
    wallMs: Math.round(r.results.timings.wallMs),
    target: verdicts,
    msPerSuggestion: Object.fromEntries(
      Object.entries(r.results.timings.perStrategy).map(([k, v]) => [k, v.msPerSuggestion]),
    ),
  }),
);
