// Sampler speed: ms per `sample` call for random, TPE, multivariate TPE, CMA-ES and GP at several history
// sizes, on a 5-parameter space. Run after `npm run build`: `node benchmarks/sampler.mjs`.
// Prints a table to stderr and one JSON line to stdout. Random sampling is the in-run reference.
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { CmaEsSampler, GpSampler, RandomSampler, TpeSampler } from '../dist/samplers/index.js';
import { parseSpace } from '../dist/space/index.js';

const space = parseSpace({
  x: { type: 'float', low: -5, high: 5 },
  y: { type: 'float', low: 0, high: 1 },
  lr: { type: 'float', low: 1e-5, high: 1e-1, log: true },
  units: { type: 'int', low: 8, high: 512, log: true },
  act: ['relu', 'tanh', 'elu', 'selu'],
});

/** A synthetic objective with an optimum inside the box. */
function objective(p) {
  return (
    (p.x - 1.5) ** 2 +
    (p.y - 0.3) ** 2 +
    (Math.log10(p.lr) + 3) ** 2 +
    (Math.log2(p.units) - 6) ** 2 / 4 +
    (p.act === 'tanh' ? 0 : 0.5)
  );
}

function history(n) {
  const random = new RandomSampler();
  const out = [];
  for (let i = 0; i < n; i++) {
    const params = random.sample(space, [], { seed: 1, index: i, direction: 'minimize' });
    const failed = i % 50 === 49;
    out.push({
      index: i,
      params,
      state: failed ? 'failed' : 'complete',
      value: failed ? undefined : objective(params),
      intermediate: [],
    });
  }
  return out;
}

/**
 * ms per call, wall clock and CPU time of this process (the latter is less disturbed by other
 * processes on a shared machine): the best of 5 rounds of >= 100 ms each.
 */
function measure(sampler, hist, rounds = 5, minMs = 100, minCalls = 10) {
  let index = hist.length;
  for (let i = 0; i < Math.min(20, minCalls); i++)
    sampler.sample(space, hist, { seed: 7, index: index++, direction: 'minimize' }); // warm-up
  let wall = Number.POSITIVE_INFINITY;
  let cpu = Number.POSITIVE_INFINITY;
  for (let r = 0; r < rounds; r++) {
    let calls = 0;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < minMs || calls < minCalls) {
      sampler.sample(space, hist, { seed: 7, index: index++, direction: 'minimize' });
      calls++;
      t = performance.now();
    }
    const c = process.cpuUsage(c0);
    wall = Math.min(wall, (t - t0) / calls);
    cpu = Math.min(cpu, (c.user + c.system) / 1000 / calls);
  }
  return { wall, cpu };
}

const samplers = [
  ['random', new RandomSampler()],
  ['tpe', new TpeSampler()],
  ['tpe-multivariate', new TpeSampler({ multivariate: true })],
  ['cmaes', new CmaEsSampler()],
  // The GP refits its hyperparameters on every call (at most 200 trials): a few calls suffice.
  ['gp', new GpSampler(), { rounds: 2, minCalls: 3 }],
];
const sizes = [100, 1000, 5000];
const results = [];
for (const n of sizes) {
  const hist = history(n);
  for (const [name, sampler, opts] of samplers) {
    const { wall, cpu } = measure(sampler, hist, opts?.rounds ?? 5, 100, opts?.minCalls ?? 10);
    results.push({ sampler: name, history: n, msPerSample: wall, cpuMsPerSample: cpu });
  }
}

const cell = (s, w) => String(s).padStart(w);
const find = (name, n) => results.find((r) => r.sampler === name && r.history === n);
process.stderr.write(
  `${'ms per sample call'.padEnd(20)}${sizes.map((n) => cell(`n=${n} wall`, 14) + cell('cpu', 9)).join('')}\n`,
);
for (const [name] of samplers) {
  const row = sizes.map(
    (n) => cell(find(name, n).msPerSample.toFixed(3), 14) + cell(find(name, n).cpuMsPerSample.toFixed(3), 9),
  );
  process.stderr.write(`${name.padEnd(20)}${row.join('')}\n`);
}
const load = loadavg()[0];
process.stderr.write(`(best of 5 rounds, gp 2; ${cpus().length} CPUs, load average ${load.toFixed(2)})\n`);
process.stdout.write(
  `${JSON.stringify({ benchmark: 'sampler', node: process.version, cpus: cpus().length, loadavg: load, params: 5, results })}\n`,
);
