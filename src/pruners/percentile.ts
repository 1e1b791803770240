import type { FinishedTrial } from '../samplers/types.js';
import { bestOf, percentile } from './rank.js';
import type { PruneContext, Pruner } from './types.js';

export interface PercentileOptions {
  /** Keep the trials in this top percentile (0–100) of the visible complete trials at the same epoch: 50 is the median. */
  percentile: number;
  /** Never prune while fewer visible trials than this are complete. */
  n_startup_trials?: number;
  /** Never prune at epochs ≤ this. */
  n_warmup_steps?: number;
  /** Judge at epochs n_warmup_steps + 1, + 1 + interval_steps, …; keep going in between. */
  interval_steps?: number;
}

export const PERCENTILE_DEFAULTS = { n_startup_trials: 5, n_warmup_steps: 0, interval_steps: 1 } as const;

/**
 * Optuna's percentile rule, on the lag rule's history: at epoch e, a trial is pruned when its best value so
 * far is worse than the given top percentile of the values at epoch e of the visible complete trials
 * (pruned and failed ones are left out: their curves are biased towards the survivors' past). A trial
 * whose values are all NaN is pruned.
 */
export class PercentilePruner implements Pruner {
  readonly name: string;
  readonly options: Required<PercentileOptions>;

  constructor(options: PercentileOptions, name = 'percentile') {
    this.name = name;
    this.options = { ...PERCENTILE_DEFAULTS, ...options };
  }

  shouldPrune(history: readonly FinishedTrial[], curve: readonly number[], ctx: PruneContext): boolean {
    const { n_startup_trials, n_warmup_steps, interval_steps } = this.options;
    const epoch = curve.length;
    if (epoch <= n_warmup_steps) return false;
    if ((epoch - n_warmup_steps - 1) % interval_steps !== 0) return false;
    const complete = history.filter((t) => t.state === 'complete');
    if (complete.length < n_startup_trials) return false;
    const atEpoch: number[] = [];
    for (const t of complete) {
      const v = t.intermediate[epoch - 1];
      if (v !== undefined && Number.isFinite(v)) atEpoch.push(v);
    }
    if (atEpoch.length === 0) return false;
    const best = bestOf(curve, ctx.direction);
    if (Number.isNaN(best)) return true;
    const maximize = ctx.direction === 'maximize';
    const p = percentile(atEpoch, maximize ? 100 - this.options.percentile : this.options.percentile);
    return maximize ? best < p : best > p;
  }
}
