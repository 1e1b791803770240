import type { FinishedTrial } from '../samplers/types.js';
import type { Direction } from '../types.js';

export interface PruneContext {
  /** The trial being judged. */
  index: number;
  /** The study's root seed (no pruner here draws random numbers, but one may, from a derived stream). */
  seed: number;
  direction: Direction;
}

/**
 * A pruner decides, after each epoch of a running trial, whether to stop it.
 *
 * Contract: `shouldPrune(history, curve, ctx)` is a pure function of its arguments. `history` is exactly
 * the finished trials that the lag rule lets trial `ctx.index` see (index < index − P, in index order: the
 * same trials its sampler saw), never the trials that merely happen to have reported by now; so the
 * decision, and the study's ledger, are the same on any number of workers. `curve` is the trial's own
 * values of the study's metric, one per epoch so far (`curve.length` is the epoch just finished; NaN
 * where the metric was missing). A pruner never reads `Math.random` or the clock.
 *
 * A 'stop' at the trial's last epoch changes nothing: the trial is complete.
 */
export interface Pruner {
  readonly name: string;
  shouldPrune(history: readonly FinishedTrial[], curve: readonly number[], ctx: PruneContext): boolean;
}
