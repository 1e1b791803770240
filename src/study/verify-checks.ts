import { createHash } from 'node:crypto';
import { LockstepError } from '../errors.js';
import { canonicalJson } from '../ledger/canonical.js';
import type { LedgerRecord, StudyState, TrialView } from '../ledger/index.js';
import { encodeNumber, StudyFold } from '../ledger/index.js';
import { curveOfProgress, isSampledEpoch, recordedEpochs } from '../ledger/progress.js';
import { createPruner } from '../pruners/index.js';
import type { Pruner } from '../pruners/types.js';
import { createSampler } from '../samplers/index.js';
import type { FinishedTrial, Sampler } from '../samplers/types.js';
import { parseSpace } from '../space/index.js';
import type { SearchSpace } from '../space/types.js';
import { resolveMlpParams } from '../train/params.js';
import type { Direction } from '../types.js';
import { parseStudyConfig, type StudyConfig, trialEpochs } from './config.js';
import { enqueuedParams } from './enqueue.js';
import { studyKey, trialId } from './ids.js';
import { visibleCount } from './lag.js';
import { objectiveOf } from './objective.js';
import { type StudyObjectives, studyObjectives, trialValues } from './objectives.js';
import { refitSeed } from './refit.js';
import { refitChoice } from './result.js';
import { toFinishedTrial, trialSeed } from './trial.js';
import type { BestTrial } from './types.js';
import { loadWarmStart } from './warm.js';

/**
 * What `verify` proves without training anything: that a ledger is the record a lockstep run of its own
 * recorded config would write. Given the chain is intact (checked before), a forger who recomputed it
 * still has to keep every one of these consistent:
 *
 * - the study's identity: the config hashes to `configHash`, which with the dataset hash gives the key,
 *   which gives every trial's ID; the seed gives every trial's seed and the refit's;
 * - the lag rule, in line order: trial i was started only after every trial below i − P had finished for
 *   good (not lost to the environment), and the trial indices have no gap;
 * - every trial's params, re-derived with the recorded sampler from exactly the history the lag rule let it
 *   see (the controller's own `visibleCount` and `toFinishedTrial`), in index order;
 * - every pruner decision: a pruned trial's stop re-decided from its recorded curve and the same history,
 *   and no earlier stop that the pruner would have made for a trial that went on;
 * - each finished trial's own numbers: its progress records are the epochs ledger/progress.ts records for its
 *   epoch count, the final metrics = the last epoch's,
 *   the score = the metric's value (built-in MLP), a complete trial trained its full epochs;
 * - the refit: recorded only once every started trial had finished for good, of the best complete trial
 *   at that point, with that trial's params and the refit seed.
 *
 * Pure: records and state in, problems out.
 */
export interface RecordCheck {
  problems: string[];
  warnings: string[];
  /** The trials whose last attempt failed for the environment: not in the digest; a resume runs them again. */
  environmentFailures: { index: number; id: string; error: string | null }[];
  /** The best complete trial, recomputed from the fold. */
  best: BestTrial | null;
  /** Trials whose params were re-derived (and found equal up to the first that differs). */
  paramsChecked: number;
  /** Pruner decisions re-decided. */
  decisionsChecked: number;
  /** The study's parsed config, metric and direction; null when the recorded config is unusable. */
  study: { config: StudyConfig; metric: string; direction: Direction; pruner: string } | null;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const same = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);
const finishedForGood = (t: { state: string; cause: string | null }) =>
  t.state !== 'running' && !(t.state === 'failed' && t.cause !== 'trial');

/** At most this many problems of one kind are listed; the rest are counted. */
const MAX_LISTED = 5;

export function checkRecords(records: readonly LedgerRecord[], state: StudyState): RecordCheck {
  const out: RecordCheck = {
    problems: [],
    warnings: [],
    environmentFailures: [],
    best: null,
    paramsChecked: 0,
    decisionsChecked: 0,
    study: null,
  };
  const problem = (s: string) => out.problems.push(s);
  const study = state.study;

  // The study's identity. The recorded config is the canonical form that was hashed, so its own canonical
  // JSON must hash to configHash (whatever version of lockstep wrote it).
  const recordedHash = sha256(canonicalJson(study.config));
  if (recordedHash !== study.configHash) {
    problem(
      `study: the recorded config hashes to ${recordedHash.slice(0, 12)}…, but its config hash says ${study.configHash.slice(0, 12)}…: the config was edited`,
    );
  }
  const key = studyKey(study.configHash, study.dataset?.hash ?? 'no-dataset');
  if (key !== study.key) {
    problem(
      `study: key ${study.key} is not the one its config hash and dataset hash give (${key}): the study's identity was edited`,
    );
  }
  let config: StudyConfig;
  let metric: string;
  let direction: Direction;
  let space: SearchSpace;
  let sampler: Sampler;
  let pruner: Pruner;
  try {
    config = parseStudyConfig({ ...study.config }, 'study: recorded config');
    const task = (study.dataset?.schema as { task?: string } | null | undefined)?.task;
    ({ metric, direction } = objectiveOf(config, task));
    space = parseSpace(config.space, 'space');
    sampler = createSampler(config.sampler);
    pruner = createPruner(config.pruner, { epochs: trialEpochs(space) });
  } catch (e) {
    if (!(e instanceof LockstepError)) throw e;
    problem(`study: the recorded config is not a valid study config (${e.message})`);
    return out;
  }
  out.study = { config, metric, direction, pruner: pruner.name };
  if (config.seed !== study.seed)
    problem(`study: seed ${study.seed} is not the config's seed ${config.seed}`);
  if (config.name !== study.name)
    problem(`study: name ${study.name} is not the config's name ${config.name}`);
  const mlp = config.objective === 'mlp';
  const P = config.parallelism;

  // In line order: the lag rule at every start, and the refit's moment, choice, params and seed.
  const listed = new Map<string, number>();
  const once = (kind: string, s: string) => {
    const n = (listed.get(kind) ?? 0) + 1;
    listed.set(kind, n);
    if (n <= MAX_LISTED) problem(s);
  };
  const fold = new StudyFold('ledger');
  const done = new Set<number>();
  /** For each trial that had not finished for good, the trials started while it had not. */
  const startedEarly = new Map<number, string[]>();
  for (const r of records) {
    fold.apply(r);
    const line = r.seq + 1;
    if (r.type === 'trial.started') {
      if (r.id !== trialId(study.key, r.index))
        once(
          'id',
          `trial ${r.id} (index ${r.index}, line ${line}): its ID is not the study key's (${trialId(study.key, r.index)})`,
        );
      if (r.seed !== trialSeed(study.seed, r.index))
        once(
          'seed',
          `trial ${r.id} (line ${line}): seed ${r.seed} is not the one the study seed gives (${trialSeed(study.seed, r.index)})`,
        );
      for (let j = 0; j < visibleCount(r.index, P); j++) {
        if (!done.has(j)) {
          const early = startedEarly.get(j) ?? [];
          early.push(`${r.id} (line ${line})`);
          startedEarly.set(j, early);
          break;
        }
      }
    } else if (r.type === 'trial.finished') {
      if (finishedForGood(r)) done.add(r.index);
    } else if (r.type === 'refit') {
      const now = fold.state();
      const pending = now.trials.find((t) => !finishedForGood(t));
      if (pending) {
        once(
          'refit',
          `refit (line ${line}): recorded while trial ${pending.id} had not finished for good (${pending.state}${pending.cause ? `, ${pending.cause}` : ''}); a study refits only once every trial has`,
        );
      }
      const best = refitChoice(now, direction);
      if (best === null || best.index !== r.index) {
        once(
          'refit',
          `refit (line ${line}): retrained trial ${r.index}, but the best complete trial at that point is ${best ? `${best.id} (${metric} ${best.score})` : 'none'}`,
        );
      }
      const t = now.trials.find((x) => x.index === r.index);
      if (t && !same(t.params, r.params))
        once('refit', `refit (line ${line}): its params are not trial ${t.id}'s`);
      if (r.seed !== refitSeed(study.seed))
        once(
          'refit',
          `refit (line ${line}): seed ${r.seed} is not the study's refit seed ${refitSeed(study.seed)}`,
        );
      if (!config.refit) once('refit', `refit (line ${line}): the study's config says refit: false`);
    }
  }
  for (const [j, early] of startedEarly) {
    const t = state.trials.find((x) => x.index === j);
    const what =
      t === undefined
        ? 'never started'
        : finishedForGood(t)
          ? `its ${t.state} record comes after theirs`
          : `recorded ${t.state}${t.cause ? `, ${t.cause}` : ''}`;
    once(
      'lag',
      `trial ${t?.id ?? j} had not finished for good (${what}) when trial ${early.slice(0, 3).join(', ')}${early.length > 3 ? ` and ${early.length - 3} more` : ''} started, which the lag rule (parallelism ${P}) forbids: its recorded outcome is not the one they saw`,
    );
  }
  for (const [kind, n] of listed)
    if (n > MAX_LISTED) problem(`… and ${n - MAX_LISTED} more ${kind} problems`);

  const trials = state.trials;
  const gap = trials.findIndex((t, k) => t.index !== k);
  if (gap >= 0)
    problem(
      `trial ${gap} is missing: trials are started in index order, and trial ${trials[gap]!.index} was`,
    );

  // Every trial's own numbers.
  const errors = new Map<number, string>();
  for (const t of trials) {
    const e = trialProblem(t, { mlp, metric });
    if (e !== null) {
      errors.set(t.index, e);
      once('trial', `trial ${t.id}: ${e}`);
    }
    if (t.state === 'failed' && t.cause === 'environment')
      out.environmentFailures.push({ index: t.index, id: t.id, error: t.error });
  }

  // The sampler and the pruner, replayed over the visible history (no training).
  const seen = new Map<number, FinishedTrial>();
  for (const t of trials) {
    if (!finishedForGood(t)) continue;
    const curve = curveOfProgress(t.progress, t.epochs, metric);
    seen.set(t.index, toFinishedTrial(t, t.state as FinishedTrial['state'], t.score, curve, t));
  }
  // What else decided the params: several objectives' directions, the enqueued sets, a warm start's trials.
  const task = (study.dataset?.schema as { task?: string } | null | undefined)?.task;
  const judged = studyObjectives(config, task);
  const directions = judged?.objectives.map((o) => o.direction);
  const enqueued = config.enqueue === undefined ? [] : enqueuedParams(space, config.enqueue);
  let warm: FinishedTrial[] = [];
  if (study.warmStart !== undefined) {
    try {
      const w = loadWarmStart(config, study.warmStart.ledger, study.dataset?.hash ?? null, metric);
      if (w.ref.digest !== study.warmStart.digest)
        throw new Error(`its digest is now ${w.ref.digest.slice(0, 12)}…`);
      warm = w.trials;
    } catch (e) {
      out.warnings.push(
        `the warm-start ledger ${study.warmStart.ledger} is not the study this one saw (${e instanceof Error ? e.message : String(e)}): params not re-derived`,
      );
      enqueued.length = 0;
      warm = [];
    }
  }
  const warmMissing = study.warmStart !== undefined && warm.length === 0 && study.warmStart.trials > 0;
  if (judged !== undefined) {
    for (const t of trials) {
      if (t.state !== 'complete' && t.state !== 'pruned') continue;
      const problem = valuesProblem(t, judged);
      if (problem !== null) once('values', `trial ${t.id}: ${problem}`);
    }
  }
  const history = (index: number): FinishedTrial[] | null => {
    const h: FinishedTrial[] = [];
    for (let j = 0; j < visibleCount(index, P); j++) {
      const f = seen.get(j);
      if (f === undefined) return null;
      h.push(f);
    }
    return h;
  };
  let firstParams: string | null = null;
  let laterParams = 0;
  for (const t of warmMissing ? [] : trials) {
    const h = history(t.index);
    if (h === null) continue; // a lag problem, listed above
    let proposed: Record<string, unknown>;
    try {
      proposed =
        enqueued[t.index] ??
        sampler.sample(space, warm.length > 0 ? [...warm, ...h] : h, {
          seed: study.seed,
          index: t.index,
          direction,
          ...(directions === undefined ? {} : { directions }),
        });
    } catch (e) {
      if (!(e instanceof Error)) throw e;
      firstParams ??= `trial ${t.id}: the sampler (${sampler.name}) cannot propose its params from the trials it could see (${e.message})`;
      break;
    }
    if (same(proposed, t.params)) {
      if (firstParams === null) out.paramsChecked++;
    } else if (firstParams === null) {
      firstParams = `trial ${t.id}: its recorded params differ from what the sampler (${sampler.name}) proposes from the trials it could see (${seenOf(t.index, P)}, parallelism ${P}): recorded ${canonicalJson(t.params)}, proposed ${canonicalJson(proposed)}`;
    } else laterParams++;
  }
  if (firstParams !== null)
    problem(
      laterParams > 0 ? `${firstParams} (and ${laterParams} later trials' params differ too)` : firstParams,
    );

  for (const t of trials) {
    if (!finishedForGood(t) || errors.has(t.index)) continue;
    const h = history(t.index);
    if (h === null) continue;
    let d: { checked: number; problem: string | null };
    try {
      d = prunerProblem(t, pruner, h, { seed: study.seed, direction, metric, mlp });
    } catch (e) {
      if (!(e instanceof Error)) throw e;
      d = {
        checked: 0,
        problem: `the pruner (${pruner.name}) cannot judge its recorded curve (${e.message})`,
      };
    }
    out.decisionsChecked += d.checked;
    if (d.problem !== null) once('pruner', `trial ${t.id}: ${d.problem}`);
  }

  out.best = refitChoice(state, direction);
  if (out.environmentFailures.length > 0) {
    out.warnings.push(
      `${out.environmentFailures.length} trial(s) failed for the environment (${out.environmentFailures.map((f) => f.id).join(', ')}): they are not part of the digest, and a resume runs them again`,
    );
  }
  if (config.refit && mlp && state.refit === null && out.best !== null && trials.every(finishedForGood)) {
    out.warnings.push(
      'no refit is recorded: the study was stopped (or crashed) before it; a resume of the study runs it',
    );
  }
  if (state.refit !== null && out.best !== null && state.refit.index !== out.best.index) {
    out.warnings.push(
      `the refit is of trial ${state.refit.index}, but the best trial is now ${out.best.id}: trials were added after the refit, and the study was stopped before it could refit again`,
    );
  }
  return out;
}

/** The trials the lag rule lets trial `index` see, for messages. */
function seenOf(index: number, parallelism: number): string {
  const n = visibleCount(index, parallelism);
  return n === 0 ? 'none' : n === 1 ? 'trial 0' : `trials 0 … ${n - 1}`;
}

/** What is wrong with one trial's own recorded numbers, or null. */
function trialProblem(t: TrialView, o: { mlp: boolean; metric: string }): string | null {
  if (t.state === 'running') return null;
  const n = t.progress.length;
  // Every epoch up to 100, then one in ten per decade, and the last (ledger/progress.ts); a ledger written
  // before that rule has every epoch.
  const dense = isDense(t);
  const environment = t.state === 'failed' && t.cause === 'environment';
  const expected = dense ? [] : environment ? sampledPrefix(n) : recordedEpochs(t.epochs);
  for (let e = 0; e < n && !dense; e++) {
    if (t.progress[e]!.epoch !== expected[e])
      return `progress record ${e + 1} is for epoch ${t.progress[e]!.epoch}, where epoch ${expected[e] ?? 'none'} was expected`;
  }
  /** The progress records a trial of t.epochs epochs writes. */
  const records = dense ? t.epochs : recordedEpochs(t.epochs).length;
  /** The last epoch it recorded. */
  const reached = t.progress.at(-1)?.epoch ?? 0;
  if (t.state === 'failed') {
    if (t.score !== null || t.weightsHash !== null) return 'failed, yet it has a score or a weights hash';
    if (t.cause === 'environment') {
      if (records > n) return `failed after ${t.epochs} epochs, but ${n} were reported`;
      if (o.mlp) {
        const full = fullEpochs(t);
        if (full !== null && reached >= full)
          return `recorded as failed for the environment after it reported its last epoch (${reached} of ${full}): a completed result may be hidden (a resume runs it again)`;
      }
      return null;
    }
    return records !== n ? `failed after ${t.epochs} epochs, but ${n} progress records were written` : null;
  }
  if (records !== n) return `${t.state} after ${t.epochs} epochs, but ${n} progress records were written`;
  if (t.score === null) return `${t.state} without a score`;
  if (!o.mlp)
    return t.weightsHash === null
      ? null
      : 'a module objective trains no weights, yet a weights hash is recorded';
  if (t.weightsHash === null) return `${t.state} without a weights hash`;
  const last = t.progress[n - 1]?.metrics ?? {};
  const keys = [...new Set([...Object.keys(last), ...Object.keys(t.metrics)])].sort();
  for (const k of keys) {
    if (!Object.is(last[k], t.metrics[k]))
      return `its final metrics say ${k} ${t.metrics[k]}, but its last epoch's progress says ${last[k]}`;
  }
  if (!Object.is(t.score, t.metrics[o.metric]))
    return `its score ${t.score} is not its final ${o.metric} ${t.metrics[o.metric]}`;
  const full = fullEpochs(t);
  if (full === null) return 'complete, but its params are not valid MLP params';
  if (t.state === 'complete' && t.epochs !== full)
    return `complete after ${t.epochs} epochs, but its params train ${full}`;
  if (t.state === 'pruned' && t.epochs >= full)
    return `pruned after ${t.epochs} epochs, but its params train ${full}: a trial that reaches its last epoch is complete`;
  return null;
}

/** Whether a trial's progress records are epochs 1, 2, 3 … (a ledger from before the sampling rule, or ≤ 100). */
function isDense(t: TrialView): boolean {
  return t.progress.every((p, e) => p.epoch === e + 1);
}

/** The first n epochs the sampling rule records while a trial runs (its last one aside). */
function sampledPrefix(n: number): number[] {
  const out: number[] = [];
  for (let k = 1; out.length < n; k++) if (isSampledEpoch(k)) out.push(k);
  return out;
}

/** The epochs an MLP trial trains when nothing stops it; null for invalid params. */
function fullEpochs(t: TrialView): number | null {
  try {
    return resolveMlpParams(t.params).epochs;
  } catch {
    return null;
  }
}

/**
 * Re-decides the pruner's answers after each epoch of a finished trial, with the history it saw. The
 * trainer asks after every epoch; a 'stop' before the MLP's last epoch prunes it (at its last, it changes
 * nothing); a module objective is pruned by a 'stop' at any report.
 */
function prunerProblem(
  t: TrialView,
  pruner: Pruner,
  history: readonly FinishedTrial[],
  o: { seed: number; direction: Direction; metric: string; mlp: boolean },
): { checked: number; problem: string | null } {
  // Past epoch 100 the pruner was asked at the recorded epochs only, with the recorded values (NaN at the
  // others: ledger/progress.ts); a ledger from before that rule recorded, and asked at, every epoch.
  const dense = isDense(t);
  const curve = curveOfProgress(t.progress, t.epochs, o.metric);
  const n = curve.length;
  const ctx = { index: t.index, seed: o.seed, direction: o.direction };
  if (pruner.name === 'none')
    return { checked: 0, problem: t.state === 'pruned' ? 'pruned, but the study has no pruner' : null };
  // The epochs after which the trial went on: the pruner must have said continue there.
  const last = t.state === 'complete' && !o.mlp ? n : n - 1;
  let checked = 0;
  for (let e = 1; e <= last; e++) {
    if (!dense && !isSampledEpoch(e)) continue;
    checked++;
    if (pruner.shouldPrune(history, curve.slice(0, e), ctx))
      return {
        checked,
        problem: `went on after epoch ${e} (to ${t.state === 'pruned' ? `a stop at epoch ${n}` : `epoch ${n}, ${t.state}`}), but the pruner (${pruner.name}) stops it at epoch ${e}`,
      };
  }
  if (t.state === 'pruned') {
    checked++;
    if (!pruner.shouldPrune(history, curve, ctx))
      return {
        checked,
        problem: `recorded as pruned at epoch ${n}, but the pruner (${pruner.name}) keeps it there`,
      };
  }
  return { checked, problem: null };
}

/**
 * Whether a judged trial's recorded values are what its metrics give: every objective and constraint that
 * is a metric is recomputed (the model measures need the data's shape, which replay checks).
 */
function valuesProblem(
  t: Pick<TrialView, 'values' | 'constraints' | 'metrics' | 'params'>,
  judged: StudyObjectives,
): string | null {
  if (t.values === null)
    return 'no objective values recorded, but the study has several objectives or constraints';
  if (t.values.length !== judged.objectives.length)
    return `${t.values.length} objective values recorded, the study has ${judged.objectives.length}`;
  if ((t.constraints?.length ?? 0) !== judged.constraints.length)
    return `${t.constraints?.length ?? 0} constraint values recorded, the study has ${judged.constraints.length}`;
  const metricOnly: StudyObjectives = {
    objectives: judged.objectives.filter((o) => o.name in t.metrics),
    constraints: judged.constraints.filter((c) => c.name in t.metrics),
  };
  const again = trialValues(metricOnly, { params: t.params, metrics: t.metrics }, undefined);
  const recordedValues = judged.objectives.flatMap((o, k) => (o.name in t.metrics ? [t.values![k]!] : []));
  const recordedConstraints = judged.constraints.flatMap((c, k) =>
    c.name in t.metrics ? [t.constraints![k]!] : [],
  );
  if (!same(again.values.map(encodeNumber), recordedValues.map(encodeNumber)))
    return `its objective values ${canonicalJson(recordedValues.map(encodeNumber))} are not its metrics' ${canonicalJson(again.values.map(encodeNumber))}`;
  if (!same((again.constraints ?? []).map(encodeNumber), recordedConstraints.map(encodeNumber)))
    return `its constraint values are not what its metrics give`;
  return null;
}
