import type { StudyState, TrialState } from '../ledger/index.js';

/** Trials that failed with one error (their latest attempt), for the summaries. */
export interface FailureCount {
  error: string;
  cause: 'trial' | 'environment';
  count: number;
}

/** The failed trials grouped by error and cause: most frequent first, ties by the lowest index. */
export function failureCounts(trials: StudyState['trials']): FailureCount[] {
  const groups = new Map<string, FailureCount>();
  for (const t of trials) {
    if (t.state !== 'failed') continue;
    const error = t.error ?? '(no error recorded)';
    const cause = t.cause ?? 'environment';
    const key = `${cause}\u0000${error}`;
    const g = groups.get(key);
    if (g === undefined) groups.set(key, { error, cause, count: 1 });
    else g.count++;
  }
  // Map order is first appearance, i.e. by index; a stable sort keeps it among equal counts.
  return [...groups.values()].sort((a, b) => b.count - a.count);
}

/** What the give-up rule reads of a trial: its latest attempt's state, cause and error. */
export type TrialOutcome = Pick<TrialState, 'state' | 'cause' | 'error'>;

/** How many of the first trials must fail alike before a study stops. */
export const GIVE_UP_AFTER = 5;

/**
 * The error that every one of the first min({@link GIVE_UP_AFTER}, budget) trials failed with — by their own
 * numbers (cause 'trial'), all with the same error — or null. Such a study cannot succeed: its config is
 * wrong in a way that could not be checked before the first trial, and running the rest would only repeat
 * it. Decided by index, so by the ledger's content alone, not by which trials happened to finish first.
 */
export function failingFromTheStart(
  trial: (index: number) => TrialOutcome | undefined,
  budget: number,
): string | null {
  const n = Math.min(GIVE_UP_AFTER, budget);
  let error: string | null = null;
  for (let i = 0; i < n; i++) {
    const t = trial(i);
    if (t === undefined || t.state !== 'failed' || t.cause !== 'trial' || t.error === null) return null;
    if (error !== null && t.error !== error) return null;
    error = t.error;
  }
  return error;
}

/** A lookup by index into trials sorted by index (as a fold gives them): trial i is among the first i + 1. */
export function byIndex<T extends { index: number }>(trials: readonly T[]): (index: number) => T | undefined {
  return (index) => {
    for (let k = 0; k <= index && k < trials.length; k++) if (trials[k]!.index === index) return trials[k];
    return undefined;
  };
}
