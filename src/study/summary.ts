import type { StudyState } from '../ledger/index.js';
import { foldLedger, readLedger } from '../ledger/index.js';
import type { Direction } from '../train/types.js';
import { parseStudyConfig } from './config.js';
import { type BestTrial, bestTrial, objectiveOf } from './search.js';

export interface TrialRow {
  index: number;
  id: string;
  state: string;
  score: number | null;
  epochs: number;
  error: string | null;
  params: Record<string, string | number | boolean>;
}

export interface StudySummary {
  ledger: string;
  study: string;
  key: string;
  metric: string;
  direction: Direction;
  trials: TrialRow[];
  best: BestTrial | null;
  epochs: number;
  state: StudyState;
  warnings: string[];
}

/** Reads a ledger (no lock) and folds it into what `show`, `export` and reports print. */
export function summarize(ledger: string): StudySummary {
  const read = readLedger(ledger);
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
    state,
    warnings: read.warnings,
  };
}
