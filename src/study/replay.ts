import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DataError, NotFoundError } from '../errors.js';
import { canonicalJson } from '../ledger/canonical.js';
import type { StudyState, TrialView } from '../ledger/index.js';
import { foldLedger, readLedger } from '../ledger/index.js';
import { readLedgerAny } from '../ledger/url.js';
import type { TrialResult, TrialTask } from '../pool/index.js';
import { TrainerPool, toShared } from '../pool/index.js';
import { environment, initBackend } from '../train/backend.js';
import type { BackendName, EpochMetrics, MetricName } from '../train/types.js';
import { parseStudyConfig } from './config.js';
import { prepareStudyData } from './data.js';
import { parseTrialId } from './ids.js';
import { objectiveOf } from './search.js';

export type Verdict = 'exact' | 'close' | 'diverged';

export interface ReplayResult {
  id: string;
  ledger: string;
  verdict: Verdict;
  /** What differed first, for `close` and `diverged`. */
  difference: { where: string; recorded: unknown; replayed: unknown } | null;
  /** Environment fields that differ between the recording and this machine. */
  environmentDiff: { field: string; recorded: unknown; now: unknown }[];
  /** Relative tolerance used for `close`. */
  tolerance: number;
  recorded: { state: string; score: number | null; weightsHash: string | null; epochs: number };
  replayed: { state: string; score: number | null; weightsHash: string | null; epochs: number };
}

export interface ReplayOptions {
  id: string;
  /** The ledger; default: searched for under `runs/`. */
  ledger?: string;
  /** Where to find the dataset when it has moved since the study was recorded. */
  dataset?: string;
  runs?: string;
  tolerance?: number;
}

/** Finds the ledger that holds a trial ID by reading the first line of each `runs/<study>/ledger.jsonl`. */
export function findLedger(id: string, runs = 'runs'): string {
  const parsed = parseTrialId(id);
  if (!parsed) throw new NotFoundError(`trial ID '${id}' is not of the form <8 hex digits>-<index>`);
  const root = resolve(runs);
  if (existsSync(root)) {
    for (const name of readdirSync(root).sort()) {
      const path = join(root, name, 'ledger.jsonl');
      if (!existsSync(path)) continue;
      try {
        const records = readLedger(path).records;
        const first = records[0];
        if (first?.type === 'study' && first.study.key.startsWith(parsed.keyPrefix)) return path;
      } catch {
        // a damaged ledger elsewhere does not stop the search for this one
      }
    }
  }
  throw new NotFoundError(`trial ${id}: no ledger under ${runs}/ holds it (give --ledger PATH)`);
}

export function findTrial(state: StudyState, id: string, ledger: string): TrialView {
  const parsed = parseTrialId(id);
  const t = parsed ? state.trials.find((x) => x.index === parsed.index && x.id === id) : undefined;
  if (!t) throw new NotFoundError(`trial ${id} is not in ledger ${ledger}`);
  return t;
}

const sameNumber = (a: unknown, b: unknown) =>
  Object.is(a, b) || (a === null && typeof b === 'number' && !Number.isFinite(b));

function relClose(a: unknown, b: unknown, tol: number): boolean {
  if (sameNumber(a, b)) return true;
  if (typeof a !== 'number' || typeof b !== 'number') return false;
  return Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));
}

/** Compares recorded and replayed metrics: the first difference, judged exactly or within tolerance. */
function firstDifference(
  recorded: EpochMetrics[],
  replayed: EpochMetrics[],
  eq: (a: unknown, b: unknown) => boolean,
): { where: string; recorded: unknown; replayed: unknown } | null {
  const n = Math.max(recorded.length, replayed.length);
  for (let e = 0; e < n; e++) {
    const r = recorded[e];
    const p = replayed[e];
    if (!r || !p) return { where: `epoch ${e + 1}`, recorded: r ?? null, replayed: p ?? null };
    for (const k of Object.keys(r).sort()) {
      if (!eq(r[k], p[k])) return { where: `epoch ${e + 1} ${k}`, recorded: r[k], replayed: p[k] ?? null };
    }
  }
  return null;
}

/**
 * Retrains one recorded trial with its recorded seed and parameters, on the dataset whose hash the
 * study recorded, with the preprocessing rebuilt, and compares every recorded number and the weights hash.
 */
export async function replay(o: ReplayOptions): Promise<ReplayResult> {
  const ledger = o.ledger ?? findLedger(o.id, o.runs);
  const state = foldLedger((await readLedgerAny(ledger)).records);
  const trial = findTrial(state, o.id, ledger);
  if (trial.state === 'running' || (trial.state === 'failed' && trial.cause !== 'trial')) {
    throw new NotFoundError(
      `trial ${o.id} did not finish (${trial.state === 'running' ? 'still running or lost' : `failed: ${trial.error}`}); there is nothing to replay`,
    );
  }
  const study = state.study;
  const config = parseStudyConfig({ ...study.config, budget: { trials: 1 } }, `${ledger}: study config`);
  const tolerance = o.tolerance ?? 1e-3;
  await initBackend(study.environment.backend as BackendName);
  const env = environment();
  const environmentDiff = (
    ['lockstep', 'numeric', 'backend', 'backendVersion', 'tfjs', 'node', 'platform', 'arch', 'cpu'] as const
  )
    .filter((f) => String(study.environment[f]) !== String(env[f]))
    .map((f) => ({ field: f, recorded: study.environment[f], now: env[f] }));

  let task: TrialTask;
  let metric = 'value';
  if (config.objective === 'mlp') {
    const source = o.dataset ?? study.dataset?.source;
    if (source === undefined) throw new DataError(`${ledger}: the study records no dataset`);
    const data = await prepareStudyData(config, source);
    if (data.hash !== study.dataset?.hash) {
      throw new DataError(
        `${source}: dataset hash ${data.hash.slice(0, 16)}… differs from the recorded ${study.dataset?.hash.slice(0, 16)}…; replay needs the same bytes`,
      );
    }
    if (canonicalJson(data.pipeline) !== canonicalJson(study.preprocessing)) {
      throw new DataError(
        `${source}: the rebuilt preprocessing differs from the recorded one (engine change?)`,
      );
    }
    metric = objectiveOf(config, data.schema.task).metric;
    task = {
      kind: 'mlp' as const,
      data: toShared(data.data),
      params: trial.params,
      seed: trial.seed,
      metric: metric as MetricName,
    };
  } else {
    const mod =
      typeof study.config.objective === 'object' ? (study.config.objective as { module: string }).module : '';
    task = {
      kind: 'module' as const,
      // Where the study found it; else the config's path taken from here (ledgers older than that field).
      module: study.module != null && existsSync(study.module) ? study.module : resolve(mod),
      params: trial.params,
      seed: trial.seed,
      index: trial.index,
    };
  }

  const stopAt = trial.state === 'pruned' ? trial.epochs : undefined;
  const pool = new TrainerPool({ workers: 1, backend: study.environment.backend as BackendName });
  let r: TrialResult;
  try {
    r = await pool.run(stopAt === undefined ? task : { ...task, stopAtEpoch: stopAt });
  } finally {
    await pool.close();
  }
  const replayedState = r.state === 'failed' ? 'failed' : r.stopped ? 'pruned' : 'complete';
  const replayed = {
    state: replayedState,
    score: r.state === 'failed' ? null : r.score,
    weightsHash: r.state === 'failed' ? null : (r.weightsHash ?? null),
    epochs: r.epochs,
  };
  const recordedSummary = {
    state: trial.state,
    score: trial.score,
    weightsHash: trial.weightsHash,
    epochs: trial.epochs ?? 0,
  };
  const recordedHistory = trial.progress.map((p) => p.metrics as EpochMetrics);
  const replayedHistory = r.history;

  const compare = (eq: (a: unknown, b: unknown) => boolean) =>
    recordedSummary.state !== replayed.state
      ? { where: 'state', recorded: recordedSummary.state, replayed: replayed.state }
      : (firstDifference(recordedHistory, replayedHistory, eq) ??
        (!eq(recordedSummary.score, replayed.score)
          ? { where: 'score', recorded: recordedSummary.score, replayed: replayed.score }
          : null));

  let verdict: Verdict;
  let difference = compare(sameNumber);
  // A trial that failed for a reason of its own must fail again for the same reason.
  const replayedError = r.state === 'failed' ? r.error : null;
  if (difference === null && recordedSummary.state === 'failed' && trial.error !== replayedError) {
    difference = { where: 'error', recorded: trial.error, replayed: replayedError };
  }
  if (difference === null && recordedSummary.weightsHash !== replayed.weightsHash) {
    difference = {
      where: 'weightsHash',
      recorded: recordedSummary.weightsHash,
      replayed: replayed.weightsHash,
    };
  }
  if (difference === null) verdict = 'exact';
  else if (environmentDiff.length > 0 && compare((a, b) => relClose(a, b, tolerance)) === null)
    verdict = 'close';
  else verdict = 'diverged';
  return {
    id: o.id,
    ledger,
    verdict,
    difference,
    environmentDiff,
    tolerance,
    recorded: recordedSummary,
    replayed,
  };
}
