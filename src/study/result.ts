import { join } from 'node:path';
import type { StudyState } from '../ledger/index.js';
import type { Direction } from '../types.js';
import { failureCounts } from './failures.js';
import type { BestTrial, SearchResult } from './types.js';

/** The best complete trial: highest or lowest score by direction, ties to the lower index. */
export function bestTrial(state: StudyState, direction: Direction): BestTrial | null {
  let best: BestTrial | null = null;
  for (const t of state.trials) {
    if (t.state !== 'complete' || t.score === null || !Number.isFinite(t.score)) continue;
    if (best === null || (direction === 'maximize' ? t.score > best.score : t.score < best.score)) {
      best = { id: t.id, index: t.index, score: t.score, params: t.params };
    }
  }
  return best;
}

/** A search's result, read from the study's state once its run has ended (in either storage). */
export function searchResult(
  state: StudyState,
  run: {
    study: string;
    digest: string;
    ledger: string;
    /** The study's folder: the refit's model is in `<dir>/best`. */
    dir: string;
    direction: Direction;
    stopped: boolean;
    warnings: string[];
    gaveUp: string | null;
  },
): SearchResult {
  const counts = { complete: 0, pruned: 0, failed: 0, epochs: 0 };
  for (const t of state.trials) {
    if (t.state === 'complete' || t.state === 'pruned' || t.state === 'failed') counts[t.state]++;
    counts.epochs += t.epochs ?? 0;
  }
  return {
    study: run.study,
    digest: run.digest,
    ledger: run.ledger,
    trials: counts.complete + counts.pruned + counts.failed,
    complete: counts.complete,
    pruned: counts.pruned,
    failed: counts.failed,
    best: bestTrial(state, run.direction),
    refit: state.refit ? { ...state.refit, modelDir: join(run.dir, 'best') } : null,
    stopped: run.stopped,
    warnings: run.warnings,
    epochs: counts.epochs,
    failures: failureCounts(state.trials),
    gaveUp: run.gaveUp,
  };
}
