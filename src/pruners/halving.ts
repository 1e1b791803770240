import { pow } from '../math/index.js';
import type { FinishedTrial } from '../samplers/types.js';
import { better } from './rank.js';
import type { PruneContext, Pruner } from './types.js';

export interface HalvingOptions {
  /** The first rung: rungs are at min_epochs · eta^k epochs, below max_epochs. */
  min_epochs: number;
  /** Every trial's full budget: its `epochs` parameter. */
  max_epochs: number;
  /** The reduction factor: the top 1/eta of a rung continues. */
  eta: number;
}

export const HALVING_DEFAULTS = { min_epochs: 1, eta: 3 } as const;

/** The rungs min · eta^k that lie below max (a trial that reaches max is complete, not judged). */
export function rungsOf(o: HalvingOptions): number[] {
  const out: number[] = [];
  for (let r = o.min_epochs; r < o.max_epochs; r *= o.eta) out.push(r);
  return out;
}

/**
 * The rung decision (asynchronous successive halving, on the lag rule's history): at a rung of `rungs`,
 * the trial continues only if it ranks in the top ⌊m / eta⌋ of the m = n + 1 entries formed by itself and
 * the n visible, non-failed trials of its bracket that reached this rung (their value at this epoch).
 * Ties go to the lower index, so a visible trial wins a tie against the one being judged; NaN ranks last.
 * While the visible rung has fewer than eta entries, the trial continues (there is no one to beat yet).
 */
export function pruneAtRung(
  rungs: readonly number[],
  peers: readonly FinishedTrial[],
  curve: readonly number[],
  eta: number,
  ctx: PruneContext,
): boolean {
  const epoch = curve.length;
  if (!rungs.includes(epoch)) return false;
  const mine = curve[epoch - 1] ?? Number.NaN;
  let n = 0;
  let ahead = 0;
  for (const t of peers) {
    if (t.state === 'failed' || t.index >= ctx.index || t.intermediate.length < epoch) continue;
    n++;
    const v = t.intermediate[epoch - 1] ?? Number.NaN;
    // A visible trial has a lower index: it is ahead unless the judged trial is strictly better.
    if (!better(mine, v, ctx.direction)) ahead++;
  }
  if (n < eta) return false;
  return ahead >= Math.floor((n + 1) / eta);
}

/** Successive halving with epochs as the fidelity: one bracket, rungs at min_epochs · eta^k. */
export class SuccessiveHalvingPruner implements Pruner {
  readonly name = 'successive_halving';
  readonly options: HalvingOptions;
  readonly rungs: readonly number[];

  constructor(options: HalvingOptions) {
    this.options = { ...options };
    this.rungs = rungsOf(options);
  }

  shouldPrune(history: readonly FinishedTrial[], curve: readonly number[], ctx: PruneContext): boolean {
    return pruneAtRung(this.rungs, history, curve, this.options.eta, ctx);
  }
}

/**
 * Hyperband (Li et al. 2018) with epochs as the fidelity. With K rungs below max_epochs (s_max = K), bracket
 * s ∈ {K, …, 0} judges trials at the top s rungs only, i.e. first at min_epochs · eta^(K − s) (bracket K is
 * successive halving from min_epochs; bracket 0 never prunes), and receives n_s = ⌈(K + 1) / (s + 1) · eta^s⌉
 * trials per cycle of Σ n_s. Trial i's bracket is position i mod Σ n_s of a fixed smooth weighted
 * round-robin over the brackets (so that every bracket is filled from the start). A trial is ranked only
 * against the visible trials of its own bracket.
 */
export class HyperbandPruner implements Pruner {
  readonly name = 'hyperband';
  readonly options: HalvingOptions;
  readonly rungs: readonly number[];
  /** Trials per bracket per cycle, by s. */
  readonly sizes: readonly number[];
  private readonly cycle: readonly number[];

  constructor(options: HalvingOptions) {
    this.options = { ...options };
    this.rungs = rungsOf(options);
    const k = this.rungs.length;
    this.sizes = Array.from({ length: k + 1 }, (_, s) =>
      Math.ceil(((k + 1) / (s + 1)) * pow(options.eta, s)),
    );
    this.cycle = weightedRoundRobin(this.sizes);
  }

  /** The bracket s of trial `index` (the number of rungs at which it is judged). */
  bracketOf(index: number): number {
    return this.cycle[index % this.cycle.length]!;
  }

  /** The rungs at which trial `index` is judged. */
  rungsFor(index: number): readonly number[] {
    return this.rungs.slice(this.rungs.length - this.bracketOf(index));
  }

  shouldPrune(history: readonly FinishedTrial[], curve: readonly number[], ctx: PruneContext): boolean {
    const s = this.bracketOf(ctx.index);
    if (s === 0) return false;
    const peers = history.filter((t) => this.bracketOf(t.index) === s);
    return pruneAtRung(this.rungsFor(ctx.index), peers, curve, this.options.eta, ctx);
  }
}

/**
 * A sequence of length Σ weights holding each position p `weights[p]` times, spread out evenly (nginx's
 * smooth weighted round-robin; ties to the larger position, i.e. the most aggressive bracket first).
 */
export function weightedRoundRobin(weights: readonly number[]): number[] {
  const total = weights.reduce((a, w) => a + w, 0);
  const current = weights.map(() => 0);
  const out: number[] = [];
  for (let step = 0; step < total; step++) {
    let pick = -1;
    for (let p = weights.length - 1; p >= 0; p--) {
      current[p]! += weights[p]!;
      if (pick === -1 || current[p]! > current[pick]!) pick = p;
    }
    current[pick]! -= total;
    out.push(pick);
  }
  return out;
}
