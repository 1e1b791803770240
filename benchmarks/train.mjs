// Training-speed benchmark: lockstep's trainer on the standard workload of
// /work/shared/reference/torch_mlp.py (copied rule: 5000 training + 1000 validation rows × 20
// uniform(-1, 1) features, target = [x · w > 0] with w_j = (j mod 3) − 1; MLP 20-64-64-1 relu,
// dropout 0.1, Adam lr 0.01, batch 64, 10 epochs, validation after every epoch).
// One warm-up trial, then the median of RUNS trials; PyTorch (one thread) in the same run when
// it can be imported. Prints a table to stderr and one JSON line to stdout.
//
// Usage: node benchmarks/train.mjs [--runs N] [--backend wasm|cpu]   (after npm run build)
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Stream } from '../dist/rng/index.js';
import { environment, initBackend } from '../dist/train/backend.js';
import { trainMlp } from '../dist/train/loop.js';
import { resolveMlpParams } from '../dist/train/params.js';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const RUNS = Number(flag('runs', '5'));
const BACKEND = flag('backend', 'wasm');
const REFERENCE = fileURLToPath(new URL('../../shared/reference/torch_mlp.py', import.meta.url));
const REFERENCE_FALLBACK = '/work/shared/reference/torch_mlp.py';

function workload() {
  const n = 5000;
  const nVal = 1000;
  const d = 20;
  const s = Stream.of(0, 'bench', 'train');
  const w = Array.from({ length: d }, (_, j) => (j % 3) - 1);
  const part = (rows) => {
    const x = new Float32Array(rows * d);
    const y = new Float32Array(rows);
    for (let i = 0; i < rows; i++) {
      let z = 0;
      for (let j = 0; j < d; j++) {
        const v = Math.fround(2 * s.float() - 1);
        x[i * d + j] = v;
        z += v * w[j];
      }
      y[i] = z > 0 ? 1 : 0;
    }
    return { x, y, n: rows };
  };
  const train = part(n);
  const validation = part(nVal);
  return {
    task: 'binary',
    nFeatures: d,
    nOutputs: 1,
    train,
    validation,
    test: { x: new Float32Array(0), y: new Float32Array(0), n: 0 },
    datasetHash: 'bench-train-5000x20',
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function lockstep() {
  await initBackend(BACKEND);
  const data = workload();
  const params = resolveMlpParams({
    layers: 2,
    units: 64,
    activation: 'relu',
    dropout: 0.1,
    optimizer: 'adam',
    learning_rate: 0.01,
    batch_size: 64,
    epochs: 10,
  });
  await trainMlp(data, params, { seed: 0 }); // warm-up
  const times = [];
  const cpu = [];
  let last;
  for (let r = 1; r <= RUNS; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    last = await trainMlp(data, params, { seed: r });
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  times.sort((a, b) => a - b);
  return {
    cpu_ms_median: median(cpu),
    name: `lockstep (tfjs ${BACKEND})`,
    ms_per_trial_median: median(times),
    ms_min: times[0],
    ms_max: times[times.length - 1],
    val_accuracy_last: last.metrics.accuracy,
  };
}

function pytorch() {
  const script = existsSync(REFERENCE) ? REFERENCE : REFERENCE_FALLBACK;
  if (!existsSync(script)) return { skipped: `reference script not found (${script})` };
  // Debian's python3-torch lives under /usr/bin/python3, which a pyenv shim may hide.
  for (const py of ['/usr/bin/python3', 'python3']) {
    try {
      execFileSync(py, ['-c', 'import torch, numpy'], { stdio: 'ignore' });
    } catch {
      continue;
    }
    const out = execFileSync(py, [script, String(RUNS)], { encoding: 'utf8', timeout: 30 * 60_000 });
    const r = JSON.parse(out.trim().split('\n').at(-1));
    // The same script again with its clock swapped for process CPU time: on a loaded machine the
    // CPU milliseconds compare better than wall time.
    const cpuOut = execFileSync(
      py,
      [
        '-c',
        'import sys, time, runpy; time.perf_counter = time.process_time; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name="__main__")',
        script,
        String(RUNS),
      ],
      { encoding: 'utf8', timeout: 30 * 60_000 },
    );
    const c = JSON.parse(cpuOut.trim().split('\n').at(-1));
    return { name: `pytorch ${r.torch} (1 thread)`, ...r, cpu_ms_median: c.ms_per_trial_median };
  }
  return { skipped: 'python3 cannot import torch (Debian: apt-get install python3-torch)' };
}

const ours = await lockstep();
const ref = pytorch();
const ratio = ref.ms_per_trial_median ? ours.ms_per_trial_median / ref.ms_per_trial_median : null;
const cpuRatio = ref.cpu_ms_median ? ours.cpu_ms_median / ref.cpu_ms_median : null;

const fmt = (v) => (typeof v === 'number' ? v.toFixed(1) : String(v ?? ''));
const rows = [['implementation', 'median ms/trial', 'min', 'max', 'CPU ms/trial', 'val acc']];
for (const r of [ours, ref]) {
  if (r.skipped) rows.push([`pytorch: skipped (${r.skipped})`, '', '', '', '', '']);
  else
    rows.push([
      r.name,
      fmt(r.ms_per_trial_median),
      fmt(r.ms_min),
      fmt(r.ms_max),
      fmt(r.cpu_ms_median),
      r.val_accuracy_last.toFixed(3),
    ]);
}
const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
const line = (r) =>
  r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
process.stderr.write(
  `\nStandard workload: 5000x20 binary, MLP 20-64-64-1 relu, dropout 0.1, adam 0.01, batch 64, 10 epochs; ${RUNS} runs after 1 warm-up\n\n`,
);
process.stderr.write(`${line(rows[0])}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
for (const r of rows.slice(1)) process.stderr.write(`${line(r)}\n`);
if (ratio !== null) process.stderr.write(`\nlockstep / pytorch: ${ratio.toFixed(2)}x the time\n`);
if (cpuRatio !== null) process.stderr.write(`lockstep / pytorch, CPU time: ${cpuRatio.toFixed(2)}x\n`);
process.stderr.write('\n');

const env = environment();
process.stdout.write(
  `${JSON.stringify({
    benchmark: 'train',
    runs: RUNS,
    backend: env.backend,
    backendVersion: env.backendVersion,
    node: env.node,
    cpu: env.cpu || os.cpus()[0]?.model,
    lockstep: {
      ms_per_trial_median: round(ours.ms_per_trial_median),
      ms_min: round(ours.ms_min),
      ms_max: round(ours.ms_max),
      cpu_ms_median: round(ours.cpu_ms_median),
      val_accuracy_last: ours.val_accuracy_last,
    },
    pytorch: ref.skipped
      ? { skipped: ref.skipped }
      : {
          torch: ref.torch,
          ms_per_trial_median: ref.ms_per_trial_median,
          ms_min: ref.ms_min,
          ms_max: ref.ms_max,
          cpu_ms_median: ref.cpu_ms_median,
          val_accuracy_last: ref.val_accuracy_last,
        },
    ratio: ratio === null ? null : round(ratio, 3),
    cpuRatio: cpuRatio === null ? null : round(cpuRatio, 3),
  })}\n`,
);

function round(v, digits = 1) {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
