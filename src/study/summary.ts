import type { StudyState } from '../ledger/index.js';
import { foldLedger, readLedger } from '../ledger/index.js';
import { type LedgerRead, readLedgerAny } from '../ledger/url.js';
import type { Params } from '../space/types.js';
import type { Direction } from '../types.js';
import { parseStudyConfig } from './config.js';
import { objectiveOf } from './objective.js';
import { type ConstraintSpec, isFeasible, judgedObjectives, type ObjectiveSpec } from './objectives.js';
import { type FrontTrial, paretoFrontOf, refitChoice } from './result.js';
import type { BestTrial } from './types.js';

export interface TrialRow {
  index: number;
  id: string;
  state: string;
  score: number | null;
  epochs: number;
  error: string | null;
  params: Params;
  /** A study with several objectives or constraints: the trial's objective values (null until it ends). */
  values?: number[] | null;
  /** A study with constraints: whether the trial's constraints hold (null until it ends). */
  feasible?: boolean | null;
}

/** What a study with several objectives or constraints was judged by, and what it found. */
export interface JudgedSummary {
  /** The objectives' names and directions, in the config's order. */
  objectives: ObjectiveSpec[];
  constraints: ConstraintSpec[];
  /** The Pareto front (see paretoFrontOf): complete, feasible, non-dominated trials in index order. */
  front: FrontTrial[];
  /** Complete trials whose constraints hold (all of them when there are no constraints). */
  feasible: number;
}

export interface StudySummary {
  ledger: string;
  study: string;
  key: string;
  metric: string;
  direction: Direction;
  trials: TrialRow[];
  /** The best trial; with several objectives or constraints the one a refit takes (see refitChoice). */
  best: BestTrial | null;
  /** Null for a study with one objective and no constraints. */
  judged: JudgedSummary | null;
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
  return summarizeState(ledger, foldLedger(read.records), read.warnings);
}

/**
 * {@link summarize} of a study state already folded: a search's own (finalStateOf), which its summary needs
 * without reading the ledger again. `warnings` are the reading's.
 */
export function summarizeState(ledger: string, state: StudyState, warnings: string[]): StudySummary {
  const config = parseStudyConfig(
    { ...state.study.config, budget: { trials: 1 } },
    `${ledger}: study config`,
  );
  const task = (state.study.dataset?.schema as { task?: string } | undefined)?.task;
  const { metric, direction } = objectiveOf(config, task);
  const judgedBy = judgedObjectives(state);
  const trials: TrialRow[] = state.trials.map((t) => ({
    index: t.index,
    id: t.id,
    state: t.state === 'failed' && t.cause !== 'trial' ? `failed (${t.cause ?? 'environment'})` : t.state,
    score: t.score,
    epochs: t.epochs ?? t.progress.length,
    error: t.error,
    params: t.params,
    // Only for a judged study, so that a single-objective study's rows (and `--json`) keep their fields.
    ...(judgedBy === undefined
      ? {}
      : {
          values: t.values,
          ...(judgedBy.constraints.length > 0
            ? { feasible: t.values === null ? null : isFeasible(t.constraints) }
            : {}),
        }),
  }));
  const judged: JudgedSummary | null =
    judgedBy === undefined
      ? null
      : {
          objectives: judgedBy.objectives,
          constraints: judgedBy.constraints,
          front: paretoFrontOf(state) ?? [],
          feasible: state.trials.filter((t) => t.state === 'complete' && isFeasible(t.constraints)).length,
        };
  return {
    ledger,
    study: state.study.name,
    key: state.study.key,
    metric,
    direction,
    trials,
    best: refitChoice(state, direction),
    judged,
    epochs: trials.reduce((a, t) => a + t.epochs, 0),
    counts: {
      complete: state.trials.filter((t) => t.state === 'complete').length,
      pruned: state.trials.filter((t) => t.state === 'pruned').length,
      failed: state.trials.filter((t) => t.state === 'failed').length,
      running: state.trials.filter((t) => t.state === 'running').length,
    },
    pruner: typeof config.pruner === 'string' ? config.pruner : config.pruner.name,
    state,
    warnings,
  };
}

/** {@link summarize} for a ledger in either storage: a file path or a `postgres://` URL. */
export async function summarizeAny(ledger: string): Promise<StudySummary> {
  return summarize(ledger, await readLedgerAny(ledger));
}
