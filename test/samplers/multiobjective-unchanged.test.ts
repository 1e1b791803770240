import { describe, expect, it } from 'vitest';
import { zdt1 } from '../../src/bench/zdt.js';
import { createSampler } from '../../src/samplers/create.js';
import type { FinishedTrial, SampleContext } from '../../src/samplers/types.js';

/**
 * random, sobol and grid need nothing for several objectives: they never read the history's values or the
 * directions, so a multi-objective study gets the same points as a single-objective one.
 */
describe('samplers that ignore the objectives', () => {
  const problem = zdt1(5);
  const random = createSampler('random');
  const history: FinishedTrial[] = Array.from({ length: 30 }, (_, i) => {
    const params = random.sample(problem.space, [], { seed: 9, index: i, direction: 'minimize' });
    return {
      index: i,
      params,
      state: 'complete',
      value: undefined,
      intermediate: [],
      values: problem.f(problem.pointOf(params)),
      constraints: [i % 2 === 0 ? -1 : 1],
    };
  });

  for (const name of ['random', 'sobol', 'grid']) {
    it(`${name}: the same params with values, constraints and directions as with an empty single-objective history`, () => {
      for (const index of [30, 31, 45]) {
        const multi: SampleContext = {
          seed: 4,
          index,
          direction: 'minimize',
          directions: ['minimize', 'maximize'],
        };
        const single: SampleContext = { seed: 4, index, direction: 'minimize' };
        expect(createSampler(name).sample(problem.space, history, multi)).toEqual(
          createSampler(name).sample(problem.space, [], single),
        );
      }
    });
  }
});
