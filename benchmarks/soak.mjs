// Soak benchmark: 500 MLP trials (synthetic data of 2,000 training rows, 5 epochs, random shapes and
// optimizers from a seeded stream) through one TrainerPool of 2 workers — the path a study's trials take.
// After a warm-up of 100 trials and at the end, each worker is probed (benchmarks/fixtures/probe.mjs, a module
// task that runs a full GC first) for the process RSS, tf.memory().numTensors, wasm memory and JS heap.
// Target: growth after warm-up < 5%. Prints a table to stderr and one JSON line to stdout.
// (Trials of 200 rows × 2 epochs now take ~2 ms: 500 of them last about a second, too short for V8's heap
// sizing to settle after 50; hence trials of a realistic size by default.)
//
// Usage: node benchmarks/soak.mjs [--trials N] [--warmup N] [--rows N] [--epochs N] [--every N]
//   (after npm run build; --every N probes every N trials and prints the RSS curve)
import { fileURLToPath } from 'node:url';
import { TrainerPool } from '../dist/pool/index.js';
import { Stream } from '../dist/rng/index.js';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const TRIALS = Number(flag('trials', '500'));
const WARMUP = Number(flag('warmup', '100'));
const ROWS = Number(flag('rows', '2000'));
const EPOCHS = Number(flag('epochs', '5'));
const WORKERS = 2;
const PROBE = fileURLToPath(new URL('./fixtures/probe.mjs', import.meta.url));

// Data: ROWS training + 100 validation rows × 8 features, binary; the pool shares it once (SharedArrayBuffer).
const s = Stream.of(0, 'bench', 'soak');
const part = (rows) => {
  const x = new Float32Array(rows * 8);
  const y = new Float32Array(rows);
  for (let i = 0; i < rows; i++) {
    let z = 0;
    for (let j = 0; j < 8; j++) {
      const v = Math.fround(2 * s.float() - 1);
      x[i * 8 + j] = v;
      z += (j % 2 ? 1 : -1) * v;
    }
    y[i] = z > 0 ? 1 : 0;
  }
  return { x, y, n: rows };
};
const data = {
  task: 'binary',
  nFeatures: 8,
  nOutputs: 1,
  train: part(ROWS),
  validation: part(100),
  test: part(0),
  datasetHash: 'bench-soak-300x8',
};

const pool = new TrainerPool({ workers: WORKERS, backend: 'wasm' });

function params(i) {
  const p = Stream.of(0, 'soak', i);
  return {
    layers: p.int(1, 3),
    units: p.int(4, 48),
    activation: p.choice(['relu', 'tanh', 'elu', 'sigmoid', 'selu']),
    dropout: p.float() * 0.3,
    l2: p.float() < 0.5 ? 0 : 0.001,
    optimizer: p.choice(['adam', 'sgd', 'rmsprop']),
    momentum: p.float() * 0.9,
    learning_rate: 0.001 + p.float() * 0.05,
    batch_size: p.choice([16, 32, 64]),
    epochs: EPOCHS,
  };
}

/** Probes every worker: WORKERS probe tasks at once, each holding its worker briefly. */
async function probe() {
  const seen = new Map();
  for (let attempt = 0; attempt < 10 && seen.size < WORKERS; attempt++) {
    const rs = await Promise.all(
      Array.from({ length: WORKERS }, () => pool.run({ kind: 'module', module: PROBE, params: {}, seed: 0 })),
    );
    for (const r of rs) if (r.state === 'complete') seen.set(r.metrics.thread, r.metrics);
  }
  return [...seen.values()].sort((a, b) => a.thread - b.thread);
}

async function trials(from, to) {
  let next = from;
  let failed = 0;
  const lane = async () => {
    while (next < to) {
      const i = next++;
      const r = await pool.run({ kind: 'mlp', data, params: params(i), seed: i });
      if (r.state !== 'complete') failed++;
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, lane));
  return failed;
}

const t0 = performance.now();
let failed = await trials(0, WARMUP);
const before = await probe();
const curve = [[WARMUP, before]];
const step = Number(flag('every', '0'));
for (let at = WARMUP; at < TRIALS; ) {
  const to = step > 0 ? Math.min(TRIALS, at + step) : TRIALS;
  failed += await trials(at, to);
  if (to < TRIALS) curve.push([to, await probe()]);
  at = to;
}
const after = await probe();
curve.push([TRIALS, after]);
if (step > 0) {
  for (const [at, ps] of curve) {
    process.stderr.write(
      `after ${at}: RSS ${(ps[0].rss / 2 ** 20).toFixed(1)} MB, JS heap ${ps.map((p) => (p.heapUsed / 2 ** 20).toFixed(1)).join(' / ')} MB\n`,
    );
  }
}
const seconds = (performance.now() - t0) / 1000;
await pool.close();

const rows = before.map((b) => {
  const a = after.find((x) => x.thread === b.thread) ?? b;
  return {
    thread: b.thread,
    rssBefore: b.rss,
    rssAfter: a.rss,
    rssGrowth: a.rss / b.rss - 1,
    tensorsBefore: b.numTensors,
    tensorsAfter: a.numTensors,
    tensorGrowth: b.numTensors === 0 ? a.numTensors : a.numTensors / b.numTensors - 1,
    wasmBefore: b.wasmBytes,
    wasmAfter: a.wasmBytes,
    heapBefore: b.heapUsed,
    heapAfter: a.heapUsed,
  };
});
const mb = (v) => (v / 2 ** 20).toFixed(1);
const pct = (v) => `${(100 * v).toFixed(2)}%`;
process.stderr.write(
  `\nSoak: ${TRIALS} trials (${failed} failed) on ${WORKERS} workers in ${seconds.toFixed(1)} s; probes after ${WARMUP} and after ${TRIALS}\n\n`,
);
process.stderr.write(
  'worker  RSS MB before  after  growth  tensors before  after  growth  wasm MB before  after  JS heap MB before  after\n',
);
for (const r of rows) {
  process.stderr.write(
    `${String(r.thread).padStart(6)}  ${mb(r.rssBefore).padStart(13)}  ${mb(r.rssAfter).padStart(5)}  ${pct(r.rssGrowth).padStart(6)}  ${String(r.tensorsBefore).padStart(14)}  ${String(r.tensorsAfter).padStart(5)}  ${pct(r.tensorGrowth).padStart(6)}  ${mb(r.wasmBefore).padStart(14)}  ${mb(r.wasmAfter).padStart(5)}  ${mb(r.heapBefore).padStart(17)}  ${mb(r.heapAfter).padStart(5)}\n`,
  );
}
const ok =
  rows.length === WORKERS && rows.every((r) => r.rssGrowth < 0.05 && r.tensorGrowth < 0.05) && failed === 0;
process.stderr.write(`\nRSS and tensor growth < 5% on every worker: ${ok}\n\n`);
process.stdout.write(
  `${JSON.stringify({ benchmark: 'soak', trials: TRIALS, warmup: WARMUP, failed, seconds, workers: rows, ok })}\n`,
);
