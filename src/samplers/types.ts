import type { Params, SearchSpace } from '../space/types.js';
import type { Direction, FinishedState } from '../types.js';

/** A finished trial, as a sampler or pruner sees it. */
export interface FinishedTrial {
  index: number;
  params: Params;
  state: FinishedState;
  /** The score (complete), the last reported value (pruned), or undefined (failed). */
  value: number | undefined;
  /** Per-epoch values of the study's metric, for pruners. */
  intermediate: number[];
  /**
   * A study with several objectives: one value per objective, in the order of `ctx.directions`
   * (complete trials only). Single-objective studies leave it unset and use `value`.
   */
  values?: number[];
  /**
   * Constraint values (Optuna's constraints_func semantics): feasible when every one is <= 0.
   * Unset when the study has no constraints, or for a trial that did not complete.
   */
  constraints?: number[];
}

export interface SampleContext {
  /** The study's root seed. */
  seed: number;
  /** The trial being sampled. */
  index: number;
  direction: Direction;
  /**
   * One direction per objective, for a study with several objectives (each trial's `values`
   * follow this order). Unset: one objective, `direction`.
   */
  directions?: readonly Direction[];
}

/**
 * A sampler suggests the parameters of trial `ctx.index`.
 *
 * Contract: `sample` is a pure function of (space, history, ctx): the same arguments give the
 * same parameters in any process, and it never reads `Math.random` or the clock. `history` is
 * exactly the finished trials that the lag rule lets trial `ctx.index` see, in index order.
 * The result has a value for every active parameter and none for an inactive one.
 */
export interface Sampler {
  readonly name: string;
  sample(space: SearchSpace, history: readonly FinishedTrial[], ctx: SampleContext): Params;
}
