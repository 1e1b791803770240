import type { StudyState } from '../ledger/index.js';
import { foldLedger, readLedger } from '../ledger/index.js';
import { type LedgerRead, readLedgerAny } from '../ledger/url.js';
import type { Params } from '../space/types.js';
import type { Direction } from '../types.js';
import { parseStudyConfig } from './config.js';
import { objectiveOf } from './objective.js';
import { bestTrial } from './result.js';
import type { BestTrial } from './types.js';

export interface TrialRow {
  index: number;
  id: string;
  state: string;
  score: number | null;
  epochs: number;
  error: string | null;
  params: Params;
}

export interface StudySummary {
  ledger: string;
  study: string;
  key: string;
  metric: string;
  direction: Direction;
  trials: TrialRow[];
  best: BestTrial | null;
  /** Epochs trained by all trials (a pruned trial counts the epochs it ran). */
  epochs: number;
  /** Trials by state: a pruned trial was stopped by the study's pruner. */
  counts: { complete: number; pruned: number; failed: number; running: number };
  /** The study's pruner, by name ('none' when it has none). */
  pruner: string;
  state: StudyState;
  warnings: string[];
}

/** Reads a ledger (no lock) and folds it into what `show`, `export` and reports print. */
export function summarize(ledger: string, read: LedgerRead = readLedger(ledger)): StudySummary {
  const state = foldLedger(read.records);
  const config = parseStudyConfig(
    { ...state.study.config, budget: { trials: 1 } },
    `${ledger}: study config`,
  );
  const task = (state.study.dataset?.schema as { task?: string } | undefined)?.task;
  const { metric, direction } = objectiveOf(config, task);
  const trials = state.trials.map((t) => ({
    index: t.index,
    id: t.id,
    state: t.state === 'failed' && t.cause !== 'trial' ? `failed (${t.cause ?? 'environment'})` : t.state,
    score: t.score,
    epochs: t.epochs ?? t.progress.length,
    error: t.error,
    params: t.params,
  }));
  return {
    ledger,
    study: state.study.name,
    key: state.study.key,
    metric,
    direction,
    trials,
    best: bestTrial(state, direction),
    epochs: trials.reduce((a, t) => a + t.epochs, 0),
    counts: {
      complete: state.trials.filter((t) => t.state === 'complete').length,
      pruned: state.trials.filter((t) => t.state === 'pruned').length,
      failed: state.trials.filter((t) => t.state === 'failed').length,
      running: state.trials.filter((t) => t.state === 'running').length,
    },
    pruner: typeof config.pruner === 'string' ? config.pruner : config.pruner.name,
    state,
    warnings: read.warnings,
  };
}

/** {@link summarize} for a ledger in either storage: a file path or a `postgres://` URL. */
export async function summarizeAny(ledger: string): Promise<StudySummary> {
  return summarize(ledger, await readLedgerAny(ledger));
}
