// Engine overhead: milliseconds per trial spent outside the objective (sampling, ledger append with fsync,
// dispatch to a worker thread) with a trivial objective, at 100, 1,000 and 5,000 trials, for random and TPE,
// on a 5-parameter space (two floats, one log float, one log int, one categorical).
// Two configurations: parallelism 0 with 1 worker (every trial's sampling, dispatch and ledger append in series:
// the target, TPE <= 1 ms/trial at 1,000, is judged on this row), and the default parallelism 4 with
// 2 workers (sampling overlaps the other trials' round trips to their workers).
// Usage: node benchmarks/engine.mjs [--sizes 100,1000,5000] [--samplers random,tpe] [--configs 0x1,4x2]
// Prints a table on stderr and one JSON line on stdout.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseStudyConfig } from '../dist/study/config.js';
import { search } from '../dist/study/search.js';

const { values } = parseArgs({
  options: { sizes: { type: 'string' }, samplers: { type: 'string' }, configs: { type: 'string' } },
});
const sizes = (values.sizes ?? '100,1000,5000').split(',').map(Number);
const samplers = (values.samplers ?? 'random,tpe').split(',');
const configs = (values.configs ?? '0x1,4x2').split(',').map((c) => {
  const [parallelism, workers] = c.split('x').map(Number);
  return { parallelism, workers };
});

const dir = mkdtempSync(join(tmpdir(), 'lockstep-engine-'));
const objective = join(dir, 'objective.mjs');
writeFileSync(
  objective,
  `export function objective(p) { return (p.x - 0.3) ** 2 + (p.y + 1) ** 2 + Math.log10(p.lr) ** 2 / 10 + Math.log2(p.n) / 10 + (p.c === 'b' ? 0 : 0.5); }\n`,
);
const space = {
  x: { type: 'float', low: -2, high: 2 },
  y: { type: 'float', low: -2, high: 2 },
  lr: { type: 'float', low: 1e-5, high: 1, log: true },
  n: { type: 'int', low: 1, high: 1024, log: true },
  c: ['a', 'b', 'c', 'd'],
};

const rows = [];
for (const { parallelism, workers } of configs) {
  for (const sampler of samplers) {
    for (const trials of sizes) {
      const config = parseStudyConfig({
        name: `engine-${sampler}-${trials}-p${parallelism}w${workers}`,
        seed: 1,
        objective: { module: objective },
        direction: 'minimize',
        space,
        sampler,
        parallelism,
        budget: { trials },
        refit: false,
      });
      const marks = [];
      const t0 = performance.now();
      await search({
        config,
        out: join(dir, 'runs'),
        workers,
        onTrial: (e) => marks.push([e.done, performance.now()]),
      });
      const total = performance.now() - t0;
      const at = (k) => marks.find(([d]) => d >= k)?.[1] ?? Number.NaN;
      const half = Math.floor(trials / 2);
      const marginal = (at(trials) - at(half)) / (trials - half);
      rows.push({
        parallelism,
        workers,
        sampler,
        trials,
        msPerTrial: +(total / trials).toFixed(3),
        msPerTrialSecondHalf: +marginal.toFixed(3),
      });
    }
  }
}
rmSync(dir, { recursive: true, force: true });

const pad = (s, n) => String(s).padEnd(n);
process.stderr.write(
  `${pad('parallelism', 12)} ${pad('workers', 8)} ${pad('sampler', 8)} ${pad('trials', 7)} ${pad('ms/trial', 10)} ms/trial (second half)\n`,
);
for (const r of rows)
  process.stderr.write(
    `${pad(r.parallelism, 12)} ${pad(r.workers, 8)} ${pad(r.sampler, 8)} ${pad(r.trials, 7)} ${pad(r.msPerTrial, 10)} ${r.msPerTrialSecondHalf}\n`,
  );
process.stderr.write(
  'Reference (Optuna 3.1, this machine, per the issue): TPE 38 ms/trial between trials 500 and 1,000; random 0.25 ms.\n',
);
process.stdout.write(`${JSON.stringify({ benchmark: 'engine', rows })}\n`);
