#!/usr/bin/env node
// Kill -9 soak: runs a small MLP study through the CLI, SIGKILLs it at random moments — at a random ledger
// append (whole or half written, through the test-only LOCKSTEP_TEST_KILL_AT hook) or at a random time from
// outside (inside a trial, between trials, during the refit) — resumes each time, and checks that every
// finished study has the uninterrupted run's digest and each trial finished exactly once.
// Usage: npm run build && node scripts/soak-kill.mjs [--kills 50] [--seed 1]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { kills: { type: 'string', default: '50' }, seed: { type: 'string', default: '1' } },
});
const KILLS = Number(values.kills);
const BIN = resolve(import.meta.dirname, '../bin/lockstep.js');
const TRIALS = 6;

// The harness's own seeded choices (xorshift32), so that a soak can be rerun with the same kill plan.
let s = Number(values.seed) >>> 0 || 1;
const rand = () => {
  s ^= s << 13;
  s ^= s >>> 17;
  s ^= s << 5;
  return (s >>> 0) / 2 ** 32;
};
const pick = (xs) => xs[Math.floor(rand() * xs.length)];

const dir = mkdtempSync(join(tmpdir(), 'lockstep-soak-'));
const rows = ['a,b,label'];
for (let i = 0; i < 90; i++) {
  const a = rand() * 2 - 1;
  const b = rand() * 2 - 1;
  rows.push(`${a.toFixed(3)},${b.toFixed(3)},${a + 0.5 * b > 0 ? 'yes' : 'no'}`);
}
writeFileSync(join(dir, 'data.csv'), `${rows.join('\n')}\n`);
const cfg = join(dir, 'soak.yaml');
writeFileSync(
  cfg,
  `name: soak\nseed: 5\ndataset: data.csv\ntarget: label\nsampler: random\nparallelism: 2\nbudget: { trials: ${TRIALS} }
space:\n  units_1: { type: int, low: 2, high: 8 }\n  learning_rate: { type: float, low: 0.01, high: 0.1, log: true }\n  batch_size: 32\n  epochs: 3\n`,
);

function run(out, env = {}, killAfterMs) {
  return new Promise((done) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [BIN, 'search', cfg, '--workers', '2', '--out', out, '--json'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer =
      killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stdout, stderr, ms: performance.now() - t0 });
    });
  });
}

function ledgerProblems(path) {
  const counts = new Map();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.endsWith('}')) continue;
    const r = JSON.parse(line);
    if (r.type === 'trial.finished' && r.cause !== 'environment')
      counts.set(r.index, (counts.get(r.index) ?? 0) + 1);
  }
  const problems = [];
  for (let i = 0; i < TRIALS; i++)
    if ((counts.get(i) ?? 0) !== 1) problems.push(`trial ${i}: ${counts.get(i) ?? 0} finished`);
  return problems;
}

const ref = await run(join(dir, 'ref'));
if (ref.code !== 0) throw new Error(ref.stderr);
const refDigest = JSON.parse(ref.stdout.trim().split('\n').at(-1)).digest;
console.error(`reference: ${refDigest.slice(0, 16)}… in ${Math.round(ref.ms)} ms`);

const HOOKS = [
  ['study', 1],
  ['trial.started', TRIALS],
  ['trial.progress', TRIALS * 3],
  ['trial.finished', TRIALS],
  ['trial.meta', TRIALS],
  ['study.note', 1],
  ['refit', 1],
];
const byKind = new Map();
let kills = 0;
let chains = 0;
let survived = 0;
const failures = [];
while (kills < KILLS) {
  chains++;
  const out = join(dir, `chain-${chains}`);
  for (let attempt = 0; ; attempt++) {
    let kind;
    let r;
    if (kills >= KILLS || attempt > 12) {
      kind = 'none';
      r = await run(out);
    } else if (rand() < 0.5) {
      const [type, max] = pick(HOOKS);
      const torn = rand() < 0.5;
      kind = `hook ${type}${torn ? ' torn' : ''}`;
      r = await run(out, {
        LOCKSTEP_TEST_KILL_AT: `${type}:${1 + Math.floor(rand() * max)}${torn ? ':torn' : ''}`,
      });
    } else {
      kind = 'timed';
      r = await run(out, {}, Math.round(rand() * ref.ms));
    }
    if (r.signal === 'SIGKILL') {
      kills++;
      byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
      continue;
    }
    if (r.code !== 0) {
      failures.push(`chain ${chains}: exit ${r.code}: ${r.stderr.trim().split('\n').at(-1)}`);
      break;
    }
    const digest = JSON.parse(r.stdout.trim().split('\n').at(-1)).digest;
    const problems = ledgerProblems(join(out, 'soak', 'ledger.jsonl'));
    if (digest !== refDigest) failures.push(`chain ${chains}: digest ${digest.slice(0, 16)}… differs`);
    else if (problems.length > 0) failures.push(`chain ${chains}: ${problems.join('; ')}`);
    else survived++;
    break;
  }
  console.error(`chain ${chains}: ${kills}/${KILLS} kills so far, ${failures.length} failures`);
}
console.log('| kill kind | kills |\n| --- | ---: |');
for (const [k, n] of [...byKind].sort()) console.log(`| ${k} | ${n} |`);
console.log(
  `\n${kills} kills over ${chains} studies; ${survived} studies finished with the reference digest and every trial once; ${failures.length} failures`,
);
for (const f of failures) console.log(`  ${f}`);
console.log(
  JSON.stringify({
    kills,
    studies: chains,
    survived,
    failures: failures.length,
    byKind: Object.fromEntries(byKind),
  }),
);
process.exitCode = failures.length === 0 ? 0 : 1;
