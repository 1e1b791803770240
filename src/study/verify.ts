import { createHash, randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { canonicalJson } from '../ledger/canonical.js';
import type { RefitState, TrialView } from '../ledger/index.js';
import { readLedgerAny, verifyLedgerAny } from '../ledger/url.js';
import type { TrialResult } from '../pool/index.js';
import { runTrialTask } from '../pool/run.js';
import { Stream } from '../rng/index.js';
import { trainMlp } from '../train/loop.js';
import { resolveMlpParams } from '../train/params.js';
import type { EpochMetrics, MetricName } from '../train/types.js';
import type { StudyConfig } from './config.js';
import { prepareStudyData, refitData, type StudyData } from './data.js';
import {
  type Difference,
  type EnvironmentDifference,
  isReplayable,
  judgeReplay,
  metricsDifference,
  type ReplayContext,
  replayContext,
  replayTask,
  sameNumber,
  type Verdict,
} from './replay.js';
import type { BestTrial } from './types.js';
import { checkRecords } from './verify-checks.js';

export interface VerifyStudyOptions {
  /** A ledger file or a `postgres://` URL. */
  ledger: string;
  /**
   * How many trials to replay besides the best trial and the refit (always replayed): a number, or
   * `'all'` (the default), which replays every trial that finished for good.
   */
  replay?: number | 'all';
  /** Seeds the choice of the other replays; default a fresh one from the OS (reported, to repeat the choice). */
  seed?: number;
  /** Where to find the dataset when it has moved since the study was recorded. */
  dataset?: string;
  /** Relative tolerance for `close` (a replay is still only ok when `exact`). */
  tolerance?: number;
  /**
   * Replays already computed, reused when a trial's inputs (prepared data, params, seed, stop) are the same:
   * for callers that verify many versions of one study (the tamper suite). The recorded numbers are always
   * compared with the replayed ones; only the training is saved. Assumes the dataset files do not change.
   */
  cache?: VerifyCache;
}

export interface TrialReplay {
  index: number;
  id: string;
  /** Why it was replayed: the study's best trial, the refit's trial, or the seeded choice. */
  reason: 'best' | 'refit' | 'sampled';
  verdict: Verdict;
  difference: Difference | null;
}

export interface RefitReplay {
  index: number;
  verdict: Verdict;
  difference: Difference | null;
}

export interface StudyVerifyResult {
  ok: boolean;
  ledger: string;
  lines: number;
  trials: number;
  digest: string | null;
  problems: string[];
  warnings: string[];
  /** The seed that chose the sampled replays (`--seed` repeats the choice). */
  seed: number;
  /** The replay count asked for. */
  replay: number | 'all';
  /** The study's metric (the score) and its pruner, by name; null when the recorded config is unusable. */
  metric: string | null;
  pruner: string | null;
  /** The best complete trial, recomputed from the fold. */
  best: BestTrial | null;
  environmentFailures: { index: number; id: string; error: string | null }[];
  /** Trials whose params were re-derived from their visible history, and pruner decisions re-decided. */
  paramsChecked: number;
  decisionsChecked: number;
  replays: TrialReplay[];
  /** The refit retrained and compared; null when the study has none (or replays were not run). */
  refit: RefitReplay | null;
  environmentDiff: EnvironmentDifference[];
  /** Why no replay was run, when none was. */
  skipped: string | null;
}

export interface VerifyCache {
  data: Map<string, Promise<StudyData>>;
  trials: Map<string, TrialResult>;
  refits: Map<string, RefitOutcome>;
}

interface RefitOutcome {
  metrics: EpochMetrics;
  score: number;
  weightsHash: string;
}

export function createVerifyCache(): VerifyCache {
  return { data: new Map(), trials: new Map(), refits: new Map() };
}

/** 2^47: crypto.randomInt's range is below 2^48. */
const SEED_LIMIT = 140_737_488_355_328;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * Verifies a study's ledger: the hash chain and the fold; then that it is what a lockstep run of its own
 * recorded config writes (see {@link checkRecords}: config hash, identity, lag rule, every trial's params
 * re-derived, pruner decisions, each trial's own numbers, the refit's choice); then, when all that holds,
 * replays the best trial, the refit and the other trials asked for, comparing every recorded number.
 * Damage is reported in `problems`; bad input (a missing ledger or dataset) is thrown.
 */
export async function verifyStudy(o: VerifyStudyOptions): Promise<StudyVerifyResult> {
  const replay = o.replay ?? 'all';
  const seed = o.seed ?? randomInt(0, SEED_LIMIT);
  const v = await verifyLedgerAny(o.ledger);
  const result: StudyVerifyResult = {
    ok: false,
    ledger: o.ledger,
    lines: v.lines,
    trials: v.trials,
    digest: v.digest,
    problems: [...v.problems],
    warnings: [...v.warnings],
    seed,
    replay,
    metric: null,
    pruner: null,
    best: null,
    environmentFailures: [],
    paramsChecked: 0,
    decisionsChecked: 0,
    replays: [],
    refit: null,
    environmentDiff: [],
    skipped: null,
  };
  if (!v.ok) {
    result.skipped = 'the ledger is damaged';
    return result;
  }
  const { records, state } = await readLedgerAny(o.ledger);
  const check = checkRecords(records, state);
  result.problems.push(...check.problems);
  result.warnings.push(...check.warnings);
  result.best = check.best;
  result.metric = check.study?.metric ?? null;
  result.pruner = check.study?.pruner ?? null;
  result.environmentFailures = check.environmentFailures;
  result.paramsChecked = check.paramsChecked;
  result.decisionsChecked = check.decisionsChecked;
  if (result.problems.length > 0 || check.study === null) {
    result.skipped = 'the ledger already fails the checks that need no training';
    return result;
  }

  const cache = o.cache ?? createVerifyCache();
  const ctx = await replayContext(state, o.ledger, {
    dataset: o.dataset,
    prepare: (config, source) => cachedData(cache, config, source),
  });
  result.environmentDiff = ctx.environmentDiff;
  if (ctx.mismatches.length > 0) {
    result.problems.push(...ctx.mismatches);
    result.skipped = 'the rebuilt dataset is not the recorded one';
    return result;
  }
  const tolerance = o.tolerance ?? 1e-3;
  const numerics = ctx.environmentDiff.filter((d) =>
    ['numeric', 'backend', 'backendVersion'].includes(d.field),
  );
  const numericNote =
    numerics.length === 0
      ? ''
      : ` (the study was recorded with ${numerics.map((d) => `${d.field} ${String(d.recorded)}`).join(', ')}, this engine has ${numerics.map((d) => `${d.field} ${String(d.now)}`).join(', ')}: its replays here cannot be exact)`;

  for (const { trial, reason } of chooseReplays(state.trials, check.best, state.refit, replay, seed)) {
    const r = await cachedTrial(cache, ctx, trial);
    const judged = judgeReplay(trial, r, ctx.environmentDiff, tolerance, ctx.judged);
    result.replays.push({
      index: trial.index,
      id: trial.id,
      reason,
      verdict: judged.verdict,
      difference: judged.difference,
    });
    if (judged.verdict !== 'exact')
      result.problems.push(
        `trial ${trial.id} (${reason}) replays ${judged.verdict}: ${describe(judged.difference)}${numericNote}`,
      );
  }
  if (state.refit !== null && ctx.data !== null) {
    const judged = judgeRefit(state.refit, await cachedRefit(cache, ctx, state.refit));
    result.refit = { index: state.refit.index, ...judged };
    if (judged.verdict !== 'exact')
      result.problems.push(
        `refit of trial ${state.refit.index} replays ${judged.verdict}: ${describe(judged.difference)}${numericNote}`,
      );
  }
  result.ok = result.problems.length === 0;
  return result;
}

function describe(d: Difference | null): string {
  return d === null
    ? 'no difference'
    : `${d.where}: recorded ${JSON.stringify(d.recorded)}, replayed ${JSON.stringify(d.replayed)}`;
}

/**
 * The trials to replay, in index order: the best and the refit's trial always; then every other trial that
 * finished for good (`'all'`), or `n` of them drawn with `seed` (the same seed, the same choice).
 */
export function chooseReplays(
  trials: readonly TrialView[],
  best: BestTrial | null,
  refit: RefitState | null,
  replay: number | 'all',
  seed: number,
): { trial: TrialView; reason: TrialReplay['reason'] }[] {
  const chosen = new Map<number, TrialReplay['reason']>();
  if (best !== null) chosen.set(best.index, 'best');
  if (refit !== null && !chosen.has(refit.index)) chosen.set(refit.index, 'refit');
  const rest = trials.filter((t) => isReplayable(t) && !chosen.has(t.index));
  if (replay === 'all') for (const t of rest) chosen.set(t.index, 'sampled');
  else {
    // A partial Fisher–Yates shuffle: the first `replay` of a seeded permutation.
    const order = rest.map((t) => t.index);
    const rng = Stream.of(seed, 'verify', 'replays');
    const k = Math.min(replay, order.length);
    for (let i = 0; i < k; i++) {
      const j = rng.int(i, order.length - 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
      chosen.set(order[i]!, 'sampled');
    }
  }
  return trials
    .filter((t) => chosen.has(t.index) && isReplayable(t))
    .map((t) => ({ trial: t, reason: chosen.get(t.index)! }));
}

function cachedData(cache: VerifyCache, config: StudyConfig, source: string): Promise<StudyData> {
  const key = canonicalJson({
    source,
    target: config.target,
    task: config.task,
    columns: config.columns,
    exclude: config.exclude,
    split: config.split,
    seed: config.seed,
  });
  let p = cache.data.get(key);
  if (p === undefined) {
    p = prepareStudyData(config, source);
    p.catch(() => cache.data.delete(key));
    cache.data.set(key, p);
  }
  return p;
}

/** What a trial's training depends on besides its params, seed and stop: the prepared data (or module) and the metric. */
function inputsKey(ctx: ReplayContext): unknown {
  return {
    backend: ctx.backend,
    data: ctx.shared?.key ?? null,
    module: ctx.module === null ? null : { path: ctx.module, sha256: fileHash(ctx.module) },
    metric: ctx.metric,
  };
}

function fileHash(path: string): string | null {
  try {
    return createHash('sha256').update(readFileSync(path)).digest('hex');
  } catch {
    return null;
  }
}

async function cachedTrial(cache: VerifyCache, ctx: ReplayContext, trial: TrialView): Promise<TrialResult> {
  const task = replayTask(ctx, trial);
  const key = sha256(
    canonicalJson({
      inputs: inputsKey(ctx),
      params: trial.params,
      seed: trial.seed,
      index: trial.index,
      stop: task.stopAtEpoch ?? null,
    }),
  );
  let r = cache.trials.get(key);
  if (r === undefined) {
    // In this thread: the worker's own body, without a worker (the same bits, as `search --inline` shows).
    r = await runTrialTask(task);
    cache.trials.set(key, r);
  }
  return r;
}

/** Retrains the refit as the study did: the refit's params and seed, on train + validation, scored on test. */
async function cachedRefit(cache: VerifyCache, ctx: ReplayContext, refit: RefitState): Promise<RefitOutcome> {
  const key = sha256(canonicalJson({ inputs: inputsKey(ctx), params: refit.params, seed: refit.seed }));
  let r = cache.refits.get(key);
  if (r === undefined) {
    const out = await trainMlp(refitData(ctx.data!.data), resolveMlpParams(refit.params), {
      seed: refit.seed,
      metric: ctx.metric as MetricName,
    });
    r = { metrics: out.metrics, score: out.score, weightsHash: out.weightsHash };
    cache.refits.set(key, r);
  }
  return r;
}

function judgeRefit(refit: RefitState, r: RefitOutcome): { verdict: Verdict; difference: Difference | null } {
  const difference =
    metricsDifference(refit.testMetrics, r.metrics, 'testMetrics ') ??
    (!sameNumber(refit.testScore, r.score)
      ? { where: 'testScore', recorded: refit.testScore, replayed: r.score }
      : null) ??
    (refit.weightsHash !== r.weightsHash
      ? { where: 'weightsHash', recorded: refit.weightsHash, replayed: r.weightsHash }
      : null);
  return { verdict: difference === null ? 'exact' : 'diverged', difference };
}
