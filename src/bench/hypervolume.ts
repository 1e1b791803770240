/**
 * The hypervolume indicator of a multi-objective study: the exact hypervolume (src/samplers/hypervolume.ts)
 * of its feasible complete trials' objective values, as losses, against a reference point given in the
 * objectives' own units and directions (a maximised objective's reference is a lower bound).
 */
import { hypervolume } from '../samplers/hypervolume.js';
import { paretoPoints, toLosses } from '../samplers/pareto.js';
import type { FinishedTrial } from '../samplers/types.js';
import type { Direction } from '../types.js';

export { hypervolume, hypervolumeContributions } from '../samplers/hypervolume.js';

/** The hypervolume of the feasible complete trials of `trials` (infeasible ones, violation > 0, left out). */
export function studyHypervolume(
  trials: readonly FinishedTrial[],
  directions: readonly Direction[],
  reference: readonly number[],
): number {
  if (reference.length !== directions.length) {
    throw new RangeError(
      `the reference point must have one value per objective (${directions.length}), but got ${reference.length}`,
    );
  }
  const { points } = paretoPoints(trials, directions);
  const losses = points.filter((p) => (p.violation ?? 0) === 0).map((p) => p.losses);
  return hypervolume(losses, toLosses(reference, directions));
}

/** The hypervolume after each trial: entry i is that of trials[0..i] (n hypervolume computations). */
export function hypervolumeHistory(
  trials: readonly FinishedTrial[],
  directions: readonly Direction[],
  reference: readonly number[],
): number[] {
  const out: number[] = [];
  for (let i = 0; i < trials.length; i++)
    out.push(studyHypervolume(trials.slice(0, i + 1), directions, reference));
  return out;
}
