#!/usr/bin/env node
// The tamper suite: seeded rewrites of real ledgers, each with its hash chain recomputed as a
// forger would, checked by `verify` (its library function, in this process, with its default replay count).
// Usage: node scripts/tamper.mjs [--rewrites N] [--seed S] [--keep]   (needs npm run build)
//
// A rewrite "changes a result" when no honest run of the ledger's own recorded config gives its content: the
// reference is the original study (or, when the rewrite edited the config, a real run of the edited config),
// and the rewritten ledger changes a result unless every trial and refit it records for good is the
// reference's (then it says nothing false: it is the same study, or the same study stopped earlier, with
// trials lost to the environment or not yet run). Every rewrite that changes a result must be caught.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = resolve(import.meta.dirname, '..');
const dist = (p) => import(join(ROOT, 'dist', p));
const { verifyStudy, createVerifyCache } = await dist('study/verify.js');
const { readLedger, digestContent, canonicalJson } = await dist('ledger/index.js');
const { replayContext, replayTask } = await dist('study/replay.js');
const { runTrialTask } = await dist('pool/run.js');
const { trialSeed } = await dist('study/controller.js');
const { studyKey, trialId } = await dist('study/ids.js');
const { refitSeed } = await dist('study/refit.js');
const { parseStudyConfig, canonicalConfig, configHash } = await dist('study/config.js');
const { search } = await dist('study/search.js');
const { createSampler } = await dist('samplers/index.js');
const { parseSpace } = await dist('space/index.js');
const { LockstepError } = await dist('errors.js');

const { values } = parseArgs({
  options: {
    rewrites: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '1' },
    keep: { type: 'boolean', default: false },
    replay: { type: 'string' }, // default: verify's own default (every trial)
  },
});
const REWRITES = Number(values.rewrites);
const SEED = Number(values.seed);
const REPLAY =
  values.replay === undefined ? undefined : values.replay === 'all' ? 'all' : Number(values.replay);
const work = mkdtempSync(join(tmpdir(), 'lockstep-tamper-'));
const t0 = performance.now();

// --- a seeded generator for the rewrites (xorshift32; the suite's own, not lockstep's) -------------------
let state = SEED >>> 0 || 1;
const u32 = () => {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return state >>> 0;
};
const rand = () => u32() / 4294967296;
const pick = (xs) => xs[Math.floor(rand() * xs.length)];

// --- three small real studies, made with the CLI ----------------------------------------------------------
function csv(rows, seed, regression) {
  let s = seed;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) % 100000) / 100000;
  };
  const lines = ['a,b,c,color,label'];
  for (let i = 0; i < rows; i++) {
    const [a, b, c] = [next() * 2 - 1, next() * 2 - 1, next() * 2 - 1];
    const color = ['red', 'green', 'blue'][Math.floor(next() * 3)];
    const y = a + 0.5 * b - 0.3 * c + (color === 'red' ? 0.4 : 0);
    const label = regression ? (y + 0.1 * next()).toFixed(4) : y > 0 ? 'yes' : 'no';
    lines.push(`${a.toFixed(4)},${b.toFixed(4)},${c.toFixed(4)},${color},${label}`);
  }
  return `${lines.join('\n')}\n`;
}

const MLP_SPACE = `space:
  layers: 1
  units_1: { type: int, low: 2, high: 8 }
  activation: [relu, tanh]
  learning_rate: { type: float, low: 0.005, high: 0.2, log: true }
  batch_size: 16
  epochs: 3
`;
const STUDIES = [
  {
    name: 'binary',
    metric: 'log_loss',
    files: { 'data.csv': csv(100, 3, false) },
    config: `name: binary\nseed: 21\ndataset: data.csv\ntarget: label\nmetric: log_loss\nsampler: { name: tpe, n_startup_trials: 3 }\npruner: { name: median, n_startup_trials: 2, n_warmup_steps: 0 }\nparallelism: 1\nbudget: { trials: 10 }\n${MLP_SPACE}`,
  },
  {
    name: 'regression',
    metric: 'rmse',
    files: { 'data.csv': csv(100, 7, true) },
    config: `name: regression\nseed: 22\ndataset: data.csv\ntarget: label\nmetric: rmse\nsampler: random\npruner: { name: successive_halving, min_epochs: 1, eta: 2 }\nparallelism: 2\nbudget: { trials: 10 }\n${MLP_SPACE}`,
  },
  {
    name: 'module',
    metric: 'value',
    files: {
      'objective.mjs': `export async function objective(params, context) {
  let value = 0;
  for (let epoch = 1; epoch <= 4; epoch++) {
    value = (params.x - 0.3) * (params.x - 0.3) + (params.y + 0.1) * (params.y + 0.1) + (params.kind === 'a' ? 0.05 : 0) + 1 / epoch;
    if (context.report(epoch, { value, aux: value * 2 }) === 'stop') break;
  }
  return { score: value, metrics: { value, aux: value * 2 } };
}
`,
    },
    config: `name: module\nseed: 23\nobjective: { module: ./objective.mjs }\ndirection: minimize\nsampler: { name: cmaes, popsize: 4 }\npruner: { name: percentile, percentile: 40, n_startup_trials: 3 }\nparallelism: 2\nbudget: { trials: 16 }\nrefit: false\nspace:\n  x: { type: float, low: -1, high: 1 }\n  y: { type: float, low: -1, high: 1 }\n  kind: [a, b]\n`,
  },
];

const tStudies = performance.now();
for (const s of STUDIES) {
  s.dir = join(work, s.name);
  mkdirSync(s.dir, { recursive: true });
  for (const [f, text] of Object.entries(s.files)) writeFileSync(join(s.dir, f), text);
  writeFileSync(join(s.dir, `${s.name}.yaml`), s.config);
  const r = spawnSync(
    process.execPath,
    [
      join(ROOT, 'bin/lockstep.js'),
      'search',
      join(s.dir, `${s.name}.yaml`),
      '--workers',
      '2',
      '--out',
      join(s.dir, 'out'),
      '--json',
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`search ${s.name} failed: ${r.stderr}`);
  s.ledger = JSON.parse(r.stdout.trim().split('\n').at(-1)).ledger;
  s.lines = readFileSync(s.ledger, 'utf8').trimEnd().split('\n');
  s.records = s.lines.map((l) => JSON.parse(l));
  s.state = readLedger(s.ledger).state;
  s.content = digestContent(s.state);
  s.trials = s.state.trials.length;
}
const studiesSeconds = (performance.now() - tStudies) / 1000;

const cache = createVerifyCache();
const tHonest = performance.now();
for (const s of STUDIES) {
  const v = await verifyStudy({ ledger: s.ledger, cache, seed: 1 });
  if (!v.ok) throw new Error(`the honest ${s.name} ledger does not verify: ${v.problems.join('; ')}`);
}
const honestSeconds = (performance.now() - tHonest) / 1000;

// --- rewriting ----------------------------------------------------------------------------------------------
const sha256 = (s) => createHash('sha256').update(s).digest('hex');
function writeRechained(file, records) {
  let prev = '0'.repeat(64);
  const lines = records.map((r, seq) => {
    const text = JSON.stringify({ ...r, seq, prev });
    prev = sha256(text);
    return text;
  });
  writeFileSync(file, `${lines.join('\n')}\n`);
}

const clone = (x) => structuredClone(x);
const of = (rs, type, i) => rs.filter((r) => r.type === type && r.index === i);
const fin = (rs, i) => of(rs, 'trial.finished', i).at(-1);
const start = (rs, i) => of(rs, 'trial.started', i).at(-1);
const refitOf = (rs) => rs.find((r) => r.type === 'refit');
const trialsIn = (rs, pred = () => true) => [
  ...new Set(rs.filter((r) => r.type === 'trial.finished' && pred(r)).map((r) => r.index)),
];
const isMlp = (s) => s.name !== 'module';

/** Another number: a relative change of up to 20 %, or the next double up or down (a 1-ulp edit). */
function bump(x) {
  if (typeof x !== 'number') return 0.5;
  if (rand() < 0.5) {
    const f = new Float64Array([x]);
    const b = new BigInt64Array(f.buffer);
    b[0] += x === 0 ? 1n : rand() < 0.5 ? 1n : -1n;
    return f[0];
  }
  const y = x * (1 + (rand() < 0.5 ? -1 : 1) * (1e-6 + rand() * 0.2));
  return y === x ? x + 1e-9 : y;
}
const randomHex = () => Array.from({ length: 64 }, () => '0123456789abcdef'[u32() % 16]).join('');

/** The config edits a rewrite may make (a finite set, so that each edited config's honest run is made once). */
const CONFIG_EDITS = {
  sampler: (c) => {
    c.sampler = { name: c.sampler.name === 'random' ? 'sobol' : 'random' };
  },
  range: (c) => {
    const [k, d] = Object.entries(c.space).find(
      ([, d]) => typeof d === 'object' && d.type !== 'categorical' && !Array.isArray(d),
    );
    if (d.type === 'int') d.high -= 1;
    else d.high = d.low + (d.high - d.low) / 2;
    c.space[k] = d;
  },
  parallelism: (c) => {
    c.parallelism = c.parallelism === 1 ? 2 : 1;
  },
  seed: (c) => {
    c.seed += 1;
  },
  pruner: (c) => {
    c.pruner = c.pruner.name === 'median' ? { ...c.pruner, n_startup_trials: 4 } : { name: 'none' };
  },
  metric: (c) => {
    if (c.objective === 'mlp') c.metric = c.metric === 'log_loss' ? 'accuracy' : 'mae';
    else c.direction = 'maximize';
  },
};

/** The identity a forger recomputes after editing the config: hash, key, trial IDs and seeds, refit seed. */
function reidentify(rs, depth) {
  const study = rs[0].study;
  let parsed;
  try {
    parsed = parseStudyConfig({ ...study.config });
  } catch {
    return;
  }
  study.config = canonicalConfig(parsed);
  study.configHash = configHash(parsed);
  if (depth < 2) return;
  study.key = studyKey(study.configHash, study.dataset?.hash ?? 'no-dataset');
  study.seed = parsed.seed;
  for (const r of rs) {
    if (r.type === 'trial.started') {
      r.id = trialId(study.key, r.index);
      r.seed = trialSeed(study.seed, r.index);
    }
    if (r.type === 'refit') r.seed = refitSeed(study.seed);
  }
}

/** A real run of `params` in trial `i`'s place, for a forgery that replays exact. */
async function realRun(s, _rs, i, params) {
  s.ctx ??= await replayContext(s.state, s.ledger);
  const trial = { ...s.state.trials.find((t) => t.index === i), params, state: 'complete' };
  return runTrialTask(replayTask(s.ctx, trial));
}

const OPS = {
  params: {
    one: (_s, rs) => {
      const i = pick(trialsIn(rs));
      const p = start(rs, i).params;
      const k = pick(Object.keys(p));
      p[k] =
        typeof p[k] === 'number'
          ? Number.isInteger(p[k])
            ? p[k] + (rand() < 0.5 ? 1 : -1)
            : bump(p[k])
          : p[k] === 'relu'
            ? 'tanh'
            : p[k] === 'a'
              ? 'b'
              : 'a';
      return rs;
    },
    swap: (_s, rs) => {
      const ids = trialsIn(rs);
      const i = pick(ids);
      const j = pick(
        ids.filter((x) => canonicalJson(start(rs, x).params) !== canonicalJson(start(rs, i).params)),
      );
      if (j === undefined) return null;
      [start(rs, i).params, start(rs, j).params] = [start(rs, j).params, start(rs, i).params];
      return rs;
    },
    'real-run': async (s, rs) => {
      const i = pick(trialsIn(rs));
      const space = parseSpace(rs[0].study.config.space);
      const params = createSampler('random').sample(space, [], {
        seed: SEED + u32(),
        index: i,
        direction: 'minimize',
      });
      const r = await realRun(s, rs, i, params);
      if (r.state !== 'complete') return null;
      start(rs, i).params = params;
      const kept = rs.filter((x) => !(x.type === 'trial.progress' && x.index === i));
      const at = kept.indexOf(start(kept, i)) + 1;
      kept.splice(
        at,
        0,
        ...r.history.map((metrics, e) => ({
          v: 1,
          seq: 0,
          prev: '',
          type: 'trial.progress',
          index: i,
          epoch: e + 1,
          metrics,
        })),
      );
      Object.assign(fin(kept, i), {
        state: r.stopped ? 'pruned' : 'complete',
        score: r.score,
        metrics: r.metrics,
        epochs: r.epochs,
        weightsHash: r.weightsHash,
        error: null,
        cause: null,
      });
      const refit = refitOf(kept);
      if (refit && refit.index === i) refit.params = params;
      return kept;
    },
  },
  config: Object.fromEntries(
    [0, 1, 2].map((depth) => [
      ['edited, hash kept', 'edited, hash recomputed', 'edited, identity recomputed'][depth],
      (_s, rs) => {
        const name = pick(Object.keys(CONFIG_EDITS));
        CONFIG_EDITS[name](rs[0].study.config);
        reidentify(rs, depth);
        return rs;
      },
    ]),
  ),
  scores: {
    score: (_s, rs) => {
      const f = fin(rs, pick(trialsIn(rs, (r) => r.score !== null)));
      f.score = bump(f.score);
      return rs;
    },
    'score+metric+last epoch': (s, rs) => {
      const i = pick(trialsIn(rs, (r) => r.score !== null));
      const f = fin(rs, i);
      const v = bump(f.score);
      f.score = v;
      f.metrics[s.metric] = v;
      const last = of(rs, 'trial.progress', i).at(-1);
      if (last) last.metrics[s.metric] = v;
      return rs;
    },
    'whole curve': (s, rs) => {
      const i = pick(trialsIn(rs, (r) => r.score !== null));
      const factor = 1 + (rand() < 0.5 ? -1 : 1) * (1e-6 + rand() * 0.1);
      for (const p of of(rs, 'trial.progress', i)) p.metrics[s.metric] *= factor;
      const f = fin(rs, i);
      f.metrics[s.metric] *= factor;
      f.score = f.metrics[s.metric];
      return rs;
    },
  },
  metrics: {
    'final metric': (s, rs) => {
      const f = fin(rs, pick(trialsIn(rs, (r) => Object.keys(r.metrics).length > 1)));
      const k = pick(Object.keys(f.metrics).filter((k) => k !== s.metric));
      f.metrics[k] = bump(f.metrics[k]);
      return rs;
    },
    'epoch metric': (_s, rs) => {
      const p = pick(rs.filter((r) => r.type === 'trial.progress'));
      const k = pick(Object.keys(p.metrics));
      p.metrics[k] = bump(p.metrics[k]);
      return rs;
    },
    'final+last epoch metric': (s, rs) => {
      const i = pick(trialsIn(rs, (r) => Object.keys(r.metrics).length > 1));
      const f = fin(rs, i);
      const k = pick(Object.keys(f.metrics).filter((k) => k !== s.metric));
      const v = bump(f.metrics[k]);
      f.metrics[k] = v;
      const last = of(rs, 'trial.progress', i).at(-1);
      if (last) last.metrics[k] = v;
      return rs;
    },
    'weights hash': (_s, rs) => {
      const f = fin(rs, pick(trialsIn(rs, (r) => r.state !== 'failed')));
      f.weightsHash = randomHex();
      return rs;
    },
  },
  states: {
    'complete → lost (environment)': (_s, rs) => {
      const i = pick(trialsIn(rs, (r) => r.state === 'complete'));
      if (i === undefined) return null;
      Object.assign(fin(rs, i), {
        state: 'failed',
        score: null,
        metrics: {},
        epochs: 0,
        weightsHash: null,
        error: 'timed out after 600 s (trial_timeout_s); its worker was replaced',
        cause: 'environment',
      });
      const dropProgress = rand() < 0.5;
      return rs.filter(
        (r) =>
          !(r.type === 'refit' && r.index === i) &&
          !(dropProgress && r.type === 'trial.progress' && r.index === i),
      );
    },
    'complete → failed (trial)': (_s, rs) => {
      const i = pick(trialsIn(rs, (r) => r.state === 'complete'));
      if (i === undefined) return null;
      const progress = of(rs, 'trial.progress', i);
      Object.assign(fin(rs, i), {
        state: 'failed',
        score: null,
        metrics: progress.at(-1)?.metrics ?? {},
        epochs: progress.length,
        weightsHash: null,
        error: `training diverged: loss is NaN at epoch ${progress.length + 1}`,
        cause: 'trial',
      });
      return rs.filter((r) => !(r.type === 'refit' && r.index === i));
    },
    'complete → pruned earlier': (s, rs) => {
      const i = pick(trialsIn(rs, (r) => r.state === 'complete' && r.epochs > 1));
      if (i === undefined) return null;
      const f = fin(rs, i);
      const stop = 1 + Math.floor(rand() * (f.epochs - 1));
      const kept = rs.filter((r) => !(r.type === 'trial.progress' && r.index === i && r.epoch > stop));
      const last = of(kept, 'trial.progress', i).at(-1);
      Object.assign(f, {
        state: 'pruned',
        epochs: stop,
        metrics: last.metrics,
        score: last.metrics[s.metric],
      });
      return kept.filter((r) => !(r.type === 'refit' && r.index === i));
    },
    'pruned → complete': (_s, rs) => {
      const i = pick(trialsIn(rs, (r) => r.state === 'pruned'));
      if (i === undefined) return null;
      fin(rs, i).state = 'complete';
      return rs;
    },
    'trial deleted': (_s, rs) => {
      const i = pick(trialsIn(rs));
      return rs.filter((r) => r.index !== i || r.type === 'study' || r.type === 'study.note');
    },
    'last trial lost, refit dropped': (_s, rs) => {
      const i = Math.max(...trialsIn(rs));
      Object.assign(fin(rs, i), {
        state: 'failed',
        score: null,
        metrics: {},
        epochs: 0,
        weightsHash: null,
        error: 'aborted',
        cause: 'environment',
      });
      return rs.filter((r) => r.type !== 'refit' && !(r.type === 'trial.progress' && r.index === i));
    },
  },
  refit: {
    'test score': (s, rs) => {
      const r = refitOf(rs);
      if (!r) return null;
      r.testScore = bump(r.testScore);
      if (rand() < 0.5) r.testMetrics[s.metric] = r.testScore;
      return rs;
    },
    'test metric': (_s, rs) => {
      const r = refitOf(rs);
      if (!r) return null;
      const k = pick(Object.keys(r.testMetrics));
      r.testMetrics[k] = bump(r.testMetrics[k]);
      return rs;
    },
    'weights hash': (_s, rs) => {
      const r = refitOf(rs);
      if (!r) return null;
      r.weightsHash = randomHex();
      return rs;
    },
    'another trial': (_s, rs) => {
      const r = refitOf(rs);
      const other = r && pick(trialsIn(rs, (x) => x.state === 'complete' && x.index !== r.index));
      if (other === undefined) return null;
      r.index = other;
      r.params = clone(start(rs, other).params);
      return rs;
    },
    seed: (_s, rs) => {
      const r = refitOf(rs);
      if (!r) return null;
      r.seed += 1;
      return rs;
    },
    dropped: (_s, rs) => (refitOf(rs) ? rs.filter((r) => r.type !== 'refit') : null),
  },
  harmless: {
    'wall time': (_s, rs) => {
      const m = pick(rs.filter((r) => r.type === 'trial.meta'));
      m.wallMs += 1 + (u32() % 1000);
      return rs;
    },
    'environment cpu': (_s, rs) => {
      rs[0].study.environment.cpu = 'Another CPU @ 3.0GHz';
      return rs;
    },
    note: (_s, rs) => {
      rs.splice(1 + (u32() % (rs.length - 1)), 0, {
        v: 1,
        seq: 0,
        prev: '',
        type: 'study.note',
        message: 'a note',
        data: null,
      });
      return rs;
    },
  },
};
const CATEGORIES = ['params', 'config', 'scores', 'metrics', 'states', 'refit'];

// --- the oracle: does the rewritten ledger say anything an honest run of its own config would not? ----------
const honestRuns = new Map();
async function referenceFor(s, recordedConfig) {
  if (canonicalJson(recordedConfig) === canonicalJson(s.records[0].study.config)) return s.content;
  let parsed;
  try {
    parsed = parseStudyConfig({ ...recordedConfig, budget: { trials: s.trials } });
  } catch {
    return null; // no honest run has an invalid config
  }
  const key = `${s.name}:${configHash(parsed)}`;
  if (!honestRuns.has(key)) {
    const out = join(work, 'honest', String(honestRuns.size));
    const r = await search({ config: parsed, base: s.dir, out, inline: true });
    honestRuns.set(key, digestContent(readLedger(r.ledger).state));
  }
  return honestRuns.get(key);
}

/** 'same' | 'withheld' (a subset of the reference's results, nothing false) | 'changed'. */
async function relation(s, file) {
  let state;
  try {
    state = readLedger(file).state;
  } catch {
    return 'changed'; // it does not even fold: no run writes it
  }
  const ref = await referenceFor(s, state.study.config);
  if (ref === null) return 'changed';
  const mine = digestContent(state);
  if (canonicalJson(mine.study) !== canonicalJson(ref.study)) return 'changed';
  const theirs = new Map(ref.trials.map((t) => [t.index, canonicalJson(t)]));
  for (const t of mine.trials) if (theirs.get(t.index) !== canonicalJson(t)) return 'changed';
  if (mine.refit !== null && canonicalJson(mine.refit) !== canonicalJson(ref.refit)) return 'changed';
  return mine.trials.length === ref.trials.length && canonicalJson(mine.refit) === canonicalJson(ref.refit)
    ? 'same'
    : 'withheld';
}

// --- the run --------------------------------------------------------------------------------------------------
const COLUMNS = [
  'rewrites',
  'changed',
  'caught',
  'byReplay',
  'withheld',
  'withheldFlagged',
  'same',
  'sameFlagged',
  'crashed',
];
const emptyRow = () => Object.fromEntries(COLUMNS.map((c) => [c, 0]));
const rows = new Map();
const row = (k) => {
  if (!rows.has(k)) rows.set(k, emptyRow());
  return rows.get(k);
};
const missed = [];
const falseAlarms = [];
const crashes = [];
let verifyMs = 0;
let oracleMs = 0;
for (let n = 0; n < REWRITES; n++) {
  const harmless = n % 20 === 19; // every 20th rewrite changes nothing that matters: verify must pass it
  const category = harmless ? 'harmless' : CATEGORIES[n % CATEGORIES.length];
  let s;
  let op;
  let rs;
  for (let attempt = 0; rs == null; attempt++) {
    if (attempt > 50) throw new Error(`no applicable ${category} rewrite`);
    s = pick(STUDIES);
    if (category === 'refit' && !isMlp(s)) continue; // a module objective has no refit
    op = pick(Object.keys(OPS[category]));
    rs = await OPS[category][op](s, clone(s.records));
  }
  const file = join(work, `${s.name}-rewritten.jsonl`);
  writeRechained(file, rs);
  const to = performance.now();
  const rel = await relation(s, file);
  oracleMs += performance.now() - to;
  const tv = performance.now();
  let flagged;
  let byReplay = false;
  let why = '';
  try {
    const v = await verifyStudy({
      ledger: file,
      cache,
      seed: n,
      ...(REPLAY === undefined ? {} : { replay: REPLAY }),
    });
    flagged = !v.ok;
    byReplay = flagged && v.skipped === null;
    why = v.problems[0] ?? '';
  } catch (e) {
    if (!(e instanceof LockstepError)) {
      crashes.push(`${n} ${s.name} ${category}/${op}: ${e.stack}`);
      row(category).crashed++;
      continue;
    }
    flagged = true; // the CLI exits 2 with one line: caught, as bad input
    why = e.message;
  }
  verifyMs += performance.now() - tv;
  const r = row(category);
  const rOp = row(`${category}: ${op}`);
  for (const x of [r, rOp]) {
    x.rewrites++;
    if (rel === 'changed') {
      x.changed++;
      if (flagged) x.caught++;
      if (byReplay) x.byReplay++;
    } else if (rel === 'withheld') {
      x.withheld++;
      if (flagged) x.withheldFlagged++;
    } else {
      x.same++;
      if (flagged) x.sameFlagged++;
    }
  }
  if (rel === 'changed' && !flagged) {
    missed.push(`#${n} ${s.name} ${category}/${op}`);
    if (values.keep) writeFileSync(join(work, `missed-${n}.jsonl`), readFileSync(file));
  }
  // A ledger that says nothing false must pass. (A rewritten config whose honest run gives the same results may
  // still be flagged: its line order can be one that config never writes, e.g. parallelism 1 with trial 2
  // started before trial 0 finished. That is a true finding, not a false alarm.)
  const configRewritten = canonicalJson(rs[0].study.config) !== canonicalJson(s.records[0].study.config);
  if (rel === 'same' && flagged && !configRewritten)
    falseAlarms.push(`#${n} ${s.name} ${category}/${op}: ${why}`);
}

// --- the report ------------------------------------------------------------------------------------------------
const total = emptyRow();
const cols = COLUMNS;
const head = [
  'rewrite',
  'n',
  'changed a result',
  'caught',
  '(by a replay)',
  'withheld only',
  '(flagged)',
  'nothing false',
  '(flagged)',
  'crashed',
];
const table = [head];
for (const [k, r] of [...rows].sort(([a], [b]) => a.localeCompare(b))) {
  table.push([k.includes(':') ? `  ${k.split(': ')[1]}` : k, ...cols.map((c) => String(r[c]))]);
  if (!k.includes(':')) for (const c of cols) total[c] += r[c];
}
table.push(['total', ...cols.map((c) => String(total[c]))]);
const widths = head.map((_, j) => Math.max(...table.map((r) => r[j].length)));
for (const r of table)
  console.log(r.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('  '));
for (const m of missed) console.log(`MISSED ${m}`);
for (const f of falseAlarms) console.log(`FALSE ALARM ${f}`);
for (const c of crashes) console.log(`CRASH ${c}`);
const seconds = (performance.now() - t0) / 1000;
console.log(
  `\n${total.rewrites} rewrites of ${STUDIES.length} real studies: ${total.changed} changed a result, verify caught ${total.caught} (${total.byReplay} of them only by a replay); ` +
    `${total.withheld} only withheld results (flagged ${total.withheldFlagged}); ${total.same} said nothing false about any result (flagged ${total.sameFlagged}, false alarms ${falseAlarms.length}). ` +
    `studies ${studiesSeconds.toFixed(1)} s, honest runs of edited configs ${honestRuns.size}, verify ${(verifyMs / 1000).toFixed(1)} s (${(verifyMs / Math.max(1, total.rewrites)).toFixed(1)} ms each), total ${seconds.toFixed(1)} s`,
);
console.log(
  JSON.stringify({
    tamper: 'verify',
    seed: SEED,
    rewrites: total.rewrites,
    changed: total.changed,
    caught: total.caught,
    caughtByReplay: total.byReplay,
    replay: REPLAY ?? 'default (all)',
    missed: missed.length,
    withheld: total.withheld,
    withheldFlagged: total.withheldFlagged,
    unchanged: total.same,
    falseAlarms: falseAlarms.length,
    crashed: crashes.length,
    studies: STUDIES.length,
    honestRunsOfEditedConfigs: honestRuns.size,
    verifySeconds: Math.round(verifyMs / 100) / 10,
    msPerVerify: Math.round((verifyMs / Math.max(1, total.rewrites)) * 10) / 10,
    oracleSeconds: Math.round(oracleMs / 100) / 10,
    honestVerifySeconds: Math.round(honestSeconds * 10) / 10,
    seconds: Math.round(seconds * 10) / 10,
  }),
);
if (!values.keep) rmSync(work, { recursive: true, force: true });
else console.log(`kept ${work}`);
process.exitCode = missed.length > 0 || falseAlarms.length > 0 || crashes.length > 0 ? 1 : 0;
