import { ConfigError, LockstepError } from '../errors.js';
import { canonicalJson, readLedger, studyDigest } from '../ledger/index.js';
import type { FinishedTrial } from '../samplers/types.js';
import type { StudyConfig } from './config.js';
import { finishedTrials } from './trial.js';

/** A warm start: the other study, by reference, and the finished trials its samplers see first. */
export interface WarmStart {
  ref: { ledger: string; digest: string; trials: number };
  /** In the other study's index order, re-indexed −n … −1 so that they come before this study's trial 0. */
  trials: FinishedTrial[];
}

/**
 * Reads `warm_start`: the finished trials of another study on the same space, dataset and objectives.
 * Trials that failed for their environment (never finished for good) are left out, as a resume would.
 *
 * @throws ConfigError naming the field when the ledger cannot be read or is another kind of study.
 */
export function loadWarmStart(
  config: StudyConfig,
  path: string,
  datasetHash: string | null,
  metric: string,
): WarmStart {
  let state: ReturnType<typeof readLedger>['state'];
  try {
    state = readLedger(path).state;
  } catch (e) {
    const why = e instanceof LockstepError || e instanceof Error ? e.message : String(e);
    throw new ConfigError(`config: warm_start: cannot read the ledger ${path}: ${why}`);
  }
  const other = state.study.config as Record<string, unknown>;
  const differs = (field: string, mine: unknown): boolean =>
    canonicalJson(other[field] ?? null) !== canonicalJson(mine ?? null);
  for (const [field, mine] of [
    ['space', config.space],
    ['objectives', config.objectives],
    ['constraints', config.constraints],
  ] as const) {
    if (differs(field, mine)) {
      throw new ConfigError(
        `config: warm_start: ${path} is a study with another ${field}; a warm start needs the same ${field}`,
      );
    }
  }
  if ((state.study.dataset?.hash ?? null) !== datasetHash) {
    throw new ConfigError(
      `config: warm_start: ${path} was run on another dataset (hash ${(state.study.dataset?.hash ?? 'none').slice(0, 12)}…); a warm start needs the same data`,
    );
  }
  const otherMetric = typeof other.metric === 'string' ? other.metric : undefined;
  if (otherMetric !== undefined && config.metric !== undefined && otherMetric !== config.metric) {
    throw new ConfigError(
      `config: warm_start: ${path} scores trials by ${otherMetric}, this study by ${config.metric}`,
    );
  }
  const finished = [...finishedTrials(state, metric).values()];
  const n = finished.length;
  return {
    ref: { ledger: path, digest: studyDigest(state), trials: n },
    trials: finished.map((t, k) => ({ ...t, index: k - n })),
  };
}
