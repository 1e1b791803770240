/**
 * The lag rule (ARCHITECTURE.md): trial i's sampler and pruner see exactly the finished trials with
 * index < i − P, in index order, and trial i starts only when all of those have finished.
 */

/** How many leading trials trial `index` may see: indices 0 … visibleCount − 1. */
export function visibleCount(index: number, parallelism: number): number {
  return Math.max(0, index - parallelism);
}

/**
 * Whether trial `index` may start, given `frontier`, the smallest index that has not finished
 * (every trial below it has).
 */
export function mayStart(index: number, parallelism: number, frontier: number): boolean {
  return visibleCount(index, parallelism) <= frontier;
}
