import { join } from 'node:path';
import type { StudyState } from '../ledger/index.js';
import { dominates, toLosses } from '../samplers/pareto.js';
import type { Direction } from '../types.js';
import { failureCounts } from './failures.js';
import { isFeasible, judgedObjectives } from './objectives.js';
import type { BestTrial, FrontTrial, SearchResult } from './types.js';

export type { FrontTrial } from './types.js';

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

/**
 * The Pareto front of a study with several objectives (or constraints): the complete, feasible trials with
 * finite values that no other such trial dominates, in index order. Null for a study with one objective.
 * Two trials with equal values are both on it.
 */
export function paretoFrontOf(state: StudyState): FrontTrial[] | null {
  const judged = judgedObjectives(state);
  if (judged === undefined) return null;
  const directions = judged.objectives.map((o) => o.direction);
  const candidates: { t: FrontTrial; losses: number[] }[] = [];
  for (const t of state.trials) {
    if (t.state !== 'complete' || t.values === null || !isFeasible(t.constraints)) continue;
    if (t.values.length !== directions.length || !t.values.every(Number.isFinite)) continue;
    candidates.push({
      t: { id: t.id, index: t.index, values: t.values, params: t.params },
      losses: toLosses(t.values, directions),
    });
  }
  return candidates.filter((a) => !candidates.some((b) => dominates(b.losses, a.losses))).map((c) => c.t);
}

/**
 * The trial a study refits: the best one (one objective), or the front's best in the first objective, ties
 * to the lower index (several objectives; another member is refitted by `lockstep train --trial ID`).
 */
export function refitChoice(state: StudyState, direction: Direction): BestTrial | null {
  const front = paretoFrontOf(state);
  if (front === null) return bestTrial(state, direction);
  const first = judgedObjectives(state)!.objectives[0]!.direction;
  let best: FrontTrial | undefined;
  for (const t of front) {
    if (
      best === undefined ||
      (first === 'maximize' ? t.values[0]! > best.values[0]! : t.values[0]! < best.values[0]!)
    )
      best = t;
  }
  if (best === undefined) return null;
  const trial = state.trials.find((t) => t.index === best!.index)!;
  return { id: trial.id, index: trial.index, score: trial.score ?? Number.NaN, params: trial.params };
}

/** Each search result's study state, for its caller's summary without reading the ledger again. */
const finalStates = new WeakMap<SearchResult, StudyState>();

/** The study state a search result was made from (undefined for a result made elsewhere). */
export function finalStateOf(result: SearchResult): StudyState | undefined {
  return finalStates.get(result);
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
  const result: SearchResult = {
    study: run.study,
    digest: run.digest,
    ledger: run.ledger,
    trials: counts.complete + counts.pruned + counts.failed,
    complete: counts.complete,
    pruned: counts.pruned,
    failed: counts.failed,
    best: refitChoice(state, run.direction),
    front: paretoFrontOf(state),
    refit: state.refit ? { ...state.refit, modelDir: join(run.dir, 'best') } : null,
    stopped: run.stopped,
    warnings: run.warnings,
    epochs: counts.epochs,
    failures: failureCounts(state.trials),
    gaveUp: run.gaveUp,
  };
  finalStates.set(result, state);
  return result;
}
