// Report size and time to render: a synthetic study written with the ledger API (the mlp-default space, 11
// parameters, 3 conditional; 10 epochs of progress per trial; ~80% complete, 15% pruned, 5% failed), at 100 and
// 1,000 trials. Times: reading and folding the ledger (the reference: what `show` does), the model with fANOVA,
// the vega-lite SVG charts, the whole page, and loading the page in headless Chromium (when /usr/bin/chromium exists).
// Usage: node benchmarks/report.mjs [--sizes 100,1000] [--keep DIR]
// Prints a table on stderr and one JSON line on stdout.
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createLedger } from '../dist/ledger/index.js';
import { reportCharts } from '../dist/report/charts.js';
import { reportHtml } from '../dist/report/html.js';
import { modelOf } from '../dist/report/model.js';
import { Stream } from '../dist/rng/index.js';
import { summarize } from '../dist/study/summary.js';

const { values } = parseArgs({ options: { sizes: { type: 'string' }, keep: { type: 'string' } } });
const sizes = (values.sizes ?? '100,1000').split(',').map(Number);
const dir = values.keep ?? mkdtempSync(join(tmpdir(), 'lockstep-report-bench-'));
mkdirSync(dir, { recursive: true });

function study(trials) {
  return {
    name: `bench-${trials}`,
    key: '00000000000000aa',
    seed: 11,
    config: {
      name: `bench-${trials}`,
      seed: 11,
      dataset: 'builtin:penguins',
      target: 'Species',
      metric: 'accuracy',
      space: 'mlp-default',
      sampler: 'random',
      budget: { trials },
    },
    configHash: 'c'.repeat(64),
    dataset: { source: 'builtin:penguins', hash: 'd'.repeat(64), rows: 344, schema: { task: 'multiclass' } },
    preprocessing: {},
    environment: {
      lockstep: '0.1.0',
      numeric: 1,
      node: '20.20.2',
      tfjs: '4.22.0',
      backend: 'wasm',
      backendVersion: '4.22.0',
      platform: 'linux',
      arch: 'x64',
      cpu: 'bench',
    },
  };
}

function writeStudy(path, n) {
  const ledger = createLedger(path, study(n), { durability: 'group' });
  for (let i = 0; i < n; i++) {
    const s = Stream.of(11, 'bench', i);
    const layers = s.int(1, 3);
    const optimizer = ['adam', 'sgd', 'rmsprop'][s.int(0, 2)];
    const lr = 10 ** (-4 + 3 * s.float());
    const params = {
      layers,
      units_1: s.int(16, 256),
      activation: ['relu', 'tanh', 'elu'][s.int(0, 2)],
      dropout: 0.5 * s.float(),
      optimizer,
      learning_rate: lr,
      batch_size: [32, 64, 128, 256][s.int(0, 3)],
      l2: 10 ** (-6 + 4 * s.float()),
      epochs: 10,
    };
    if (layers >= 2) params.units_2 = s.int(16, 256);
    if (layers >= 3) params.units_3 = s.int(16, 256);
    if (optimizer === 'sgd') params.momentum = 0.9 * s.float();
    const u = s.float();
    const fate = u < 0.05 ? 'failed' : u < 0.2 ? 'pruned' : 'complete';
    const final = 0.5 + 0.4 * Math.exp(-((Math.log10(lr) + 2.5) ** 2)) + 0.05 * s.float();
    const epochs = fate === 'complete' ? 10 : fate === 'pruned' ? 3 : 2;
    ledger.append({ type: 'trial.started', index: i, id: `00000000-${i}`, seed: i, params });
    let last = 0;
    for (let e = 1; e <= epochs; e++) {
      last = final * (1 - 0.6 / (e + 1));
      ledger.append({
        type: 'trial.progress',
        index: i,
        epoch: e,
        metrics: { accuracy: last, train_loss: 1 - last },
      });
    }
    const score = fate === 'complete' ? final : fate === 'pruned' ? last : null;
    ledger.append({
      type: 'trial.finished',
      index: i,
      state: fate,
      score,
      metrics: score === null ? {} : { accuracy: score },
      epochs,
      weightsHash: fate === 'complete' ? 'a'.repeat(64) : null,
      error: fate === 'failed' ? 'loss became NaN' : null,
      cause: fate === 'failed' ? 'trial' : null,
    });
    ledger.append({
      type: 'trial.meta',
      index: i,
      wallMs: 1000 + i,
      worker: i % 4,
      startedAt: '2024-01-01T00:00:00.000Z',
      finishedAt: '2024-01-01T00:00:01.000Z',
    });
  }
  ledger.close();
}

const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

let browser = null;
if (existsSync('/usr/bin/chromium')) {
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

// warm-up: module loading (vega, vega-lite) is paid once per process, measured apart
const warm = join(dir, 'warm.jsonl');
writeStudy(warm, 5);
let t = process.hrtime.bigint();
await reportHtml(modelOf(summarize(warm)));
const firstPageMs = ms(t);

const rows = [];
for (const n of sizes) {
  const ledger = join(dir, `study-${n}.jsonl`);
  if (existsSync(ledger)) rmSync(ledger);
  writeStudy(ledger, n);
  t = process.hrtime.bigint();
  const summary = summarize(ledger);
  const foldMs = ms(t);
  t = process.hrtime.bigint();
  const model = modelOf(summary);
  const modelMs = ms(t);
  t = process.hrtime.bigint();
  await reportCharts(model);
  const chartsMs = ms(t);
  t = process.hrtime.bigint();
  const html = await reportHtml(modelOf(summarize(ledger)));
  const pageMs = ms(t);
  const out = join(dir, `report-${n}.html`);
  writeFileSync(out, html);
  let browserMs = null;
  if (browser) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    t = process.hrtime.bigint();
    await page.goto(pathToFileURL(out).href, { waitUntil: 'load' });
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(null))));
    browserMs = ms(t);
    await page.close();
  }
  rows.push({
    trials: n,
    ledgerBytes: statSync(ledger).size,
    reportBytes: Buffer.byteLength(html),
    foldMs: Math.round(foldMs),
    modelMs: Math.round(modelMs),
    chartsMs: Math.round(chartsMs),
    pageMs: Math.round(pageMs),
    browserLoadMs: browserMs === null ? null : Math.round(browserMs),
  });
}
await browser?.close();

const kib = (b) => `${(b / 1024).toFixed(0)} KiB`;
process.stderr.write(`first page in this process (module loading): ${firstPageMs.toFixed(0)} ms\n`);
process.stderr.write(
  '| trials | ledger | report | read + fold (ref) | model + fANOVA | charts (SVG) | whole page | Chromium load |\n|---|---|---|---|---|---|---|---|\n',
);
for (const r of rows) {
  process.stderr.write(
    `| ${r.trials} | ${kib(r.ledgerBytes)} | ${kib(r.reportBytes)} | ${r.foldMs} ms | ${r.modelMs} ms | ${r.chartsMs} ms | ${r.pageMs} ms | ${r.browserLoadMs ?? '—'} ms |\n`,
  );
}
process.stdout.write(
  `${JSON.stringify({ benchmark: 'report', firstPageMs: Math.round(firstPageMs), rows })}\n`,
);
if (values.keep === undefined) rmSync(dir, { recursive: true, force: true });
