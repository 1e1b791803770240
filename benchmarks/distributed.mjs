// Distributed throughput: trials per second through the PostgreSQL ledger with a trivial module objective
// (one epoch, no work), run by 1, 2 and 4 `lockstep worker` processes, against one `lockstep search`
// process on a file ledger (the reference, measured in the same run); and the claim latency (median, p95),
// alone and with 4 claimers at once. Every run is a whole process (start-up included, the same for all).
// Usage: node benchmarks/distributed.mjs [--trials 300] [--url postgres://postgres@127.0.0.1:5432/test]
// Prints a table on stderr and one JSON line on stdout.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { PgLedger } from '../dist/ledger/postgres.js';

const { values } = parseArgs({ options: { trials: { type: 'string' }, url: { type: 'string' } } });
const trials = Number(values.trials ?? 300);
const url = values.url ?? process.env.LOCKSTEP_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const BIN = resolve(import.meta.dirname, '../bin/lockstep.js');
const dir = mkdtempSync(join(tmpdir(), 'lockstep-distributed-'));
// One schema per run: the same study (same config, same key) in each.
const schemaOf = (processes) => `lst_bench_${process.pid}_${processes}`;
const urlOf = (processes) => `${url}?schema=${schemaOf(processes)}`;

writeFileSync(
  join(dir, 'obj.mjs'),
  'export function objective(p, c) { const v = (p.x - 0.3) ** 2; c.report(1, { value: v }); return v; }\n',
);
const config = (name) => {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(
    path,
    `name: ${name}\nseed: 1\nobjective: { module: ./obj.mjs }\ndirection: minimize\nspace:\n  x: { type: float, low: 0, high: 1 }\nsampler: random\nparallelism: 16\nbudget: { trials: ${trials} }\n`,
  );
  return path;
};

function run(args) {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolveRun(JSON.parse(out.trim().split('\n').at(-1)))
        : reject(new Error(`exit ${code}: ${err}`)),
    );
  });
}

async function timed(fn) {
  const t0 = performance.now();
  const out = await fn();
  return { ms: performance.now() - t0, out };
}

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

const admin = new pg.Client({ connectionString: url });
await admin.connect();
const rows = [];
let claim;
try {
  // The reference: one process on a file ledger.
  const cfg = config('dist');
  const file = await timed(() =>
    run(['search', cfg, '--workers', '1', '--out', join(dir, 'runs'), '--json']),
  );
  rows.push({ storage: 'file', processes: 1, trials, ms: file.ms, digest: file.out.digest });

  for (const processes of [1, 2, 4]) {
    const r = await timed(() =>
      Promise.all(
        Array.from({ length: processes }, () => run(['worker', cfg, '--ledger', urlOf(processes), '--json'])),
      ),
    );
    const digests = new Set(r.out.map((o) => o.digest));
    if (digests.size !== 1 || !digests.has(file.out.digest)) {
      throw new Error(`digests differ: file ${file.out.digest}, postgres ${[...digests].join(', ')}`);
    }
    rows.push({ storage: 'postgres', processes, trials, ms: r.ms, digest: [...digests][0] });
  }

  // Claim latency: one claimer, then 4 claimers at once (each its own connection pool).
  const ledgerUrl = urlOf(1);
  const schema = schemaOf(1);
  const lister = new PgLedger(ledgerUrl);
  const study = (await lister.studies())[0];
  await lister.close();
  const measure = async (claimers, n) => {
    const ledgers = [];
    for (let k = 0; k < claimers; k++) {
      const l = new PgLedger(`${ledgerUrl}&study=${study.key}`, { connections: 1 });
      await l.open();
      ledgers.push(l);
    }
    await admin.query(`UPDATE ${schema}.studies SET trials = trials + $2 WHERE study_key = $1`, [
      study.key,
      claimers * n,
    ]);
    const times = [];
    await Promise.all(
      ledgers.map(async (l, k) => {
        for (let i = 0; i < n; i++) {
          const t0 = performance.now();
          const idx = await l.claim(`bench/${k}`, 60_000);
          times.push(performance.now() - t0);
          if (idx === null) throw new Error('no index to claim');
        }
      }),
    );
    for (const l of ledgers) await l.close();
    return { claimers, claims: times.length, median: quantile(times, 0.5), p95: quantile(times, 0.95) };
  };
  claim = [await measure(1, 300), await measure(4, 100)];
} finally {
  for (const p of [1, 2, 4]) await admin.query(`DROP SCHEMA IF EXISTS ${schemaOf(p)} CASCADE`);
  await admin.end();
  rmSync(dir, { recursive: true, force: true });
}

const fileRate = trials / (rows[0].ms / 1000);
const lines = [
  `distributed: ${trials} trials, trivial module objective (1 epoch), random sampler, parallelism 16`,
  'storage   processes   wall s   trials/s   vs file',
  ...rows.map((r) => {
    const rate = trials / (r.ms / 1000);
    return `${r.storage.padEnd(9)} ${String(r.processes).padStart(9)}   ${(r.ms / 1000).toFixed(2).padStart(6)}   ${rate.toFixed(1).padStart(8)}   ${(rate / fileRate).toFixed(2).padStart(6)}x`;
  }),
  'claim latency (ms)   claims   median    p95',
  ...claim.map(
    (c) =>
      `${`${c.claimers} claimer${c.claimers > 1 ? 's' : ''}`.padEnd(18)} ${String(c.claims).padStart(8)}   ${c.median.toFixed(2).padStart(6)}   ${c.p95.toFixed(2).padStart(5)}`,
  ),
  `every run's digest: ${rows[0].digest}`,
];
process.stderr.write(`${lines.join('\n')}\n`);
process.stdout.write(
  `${JSON.stringify({
    benchmark: 'distributed',
    trials,
    runs: rows.map((r) => ({
      storage: r.storage,
      processes: r.processes,
      wallMs: Math.round(r.ms),
      trialsPerSecond: trials / (r.ms / 1000),
    })),
    claimLatencyMs: claim,
    digest: rows[0].digest,
  })}\n`,
);
