import type { FinishedTrial } from '../../src/samplers/types.js';
import { parseSpace } from '../../src/space/schema.js';
import type { Params, SearchSpace } from '../../src/space/types.js';

/** A space with every kind of distribution and two levels of conditions. */
export const mixedSpace: SearchSpace = parseSpace({
  x: { type: 'float', low: -5, high: 5 },
  lr: { type: 'float', low: 1e-5, high: 1e-1, log: true },
  frac: { type: 'float', low: 0, high: 1, step: 0.125 },
  n: { type: 'int', low: 0, high: 20, step: 4 },
  units: { type: 'int', low: 8, high: 512, log: true },
  opt: ['adam', 'sgd', 'rmsprop'],
  momentum: { type: 'float', low: 0, high: 0.99, when: { opt: ['sgd', 'rmsprop'] } },
  nesterov: { type: 'categorical', choices: [true, false], when: { opt: 'sgd', momentum: { gte: 0.5 } } },
  epochs: 7,
});

/** A deterministic synthetic objective over the mixed space. */
export function mixedObjective(p: Params): number {
  const x = p.x as number;
  const lr = Math.log10(p.lr as number);
  return (x - 1) ** 2 + (lr + 3) ** 2 + (p.opt === 'adam' ? 0 : 0.5) + Math.abs((p.frac as number) - 0.25);
}

/**
 * A history of `n` trials with the given params generator: every 7th failed (no value), every
 * 5th pruned (value kept).
 */
export function makeHistory(
  n: number,
  paramsOf: (i: number) => Params,
  objective: (p: Params) => number,
): FinishedTrial[] {
  const out: FinishedTrial[] = [];
  for (let i = 0; i < n; i++) {
    const params = paramsOf(i);
    const failed = i % 7 === 6;
    out.push({
      index: i,
      params,
      state: failed ? 'failed' : i % 5 === 4 ? 'pruned' : 'complete',
      value: failed ? undefined : objective(params),
      intermediate: [],
    });
  }
  return out;
}
