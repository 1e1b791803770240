import { describe, expect, it } from 'vitest';
import {
  ackley,
  branin,
  functionSpace,
  hartmann6,
  levy,
  rosenbrock,
  testFunction,
} from '../../src/bench/functions.js';
import { objective } from '../../src/bench/objective.js';
import { Stream } from '../../src/rng/index.js';
import { parseSpace } from '../../src/space/index.js';

const all = [branin(), hartmann6(), rosenbrock(4), rosenbrock(2), ackley(5), ackley(3), levy(5), levy(2)];

describe('test functions', () => {
  for (const fn of all) {
    it(`${fn.label} returns its known optimum at each known minimiser`, () => {
      for (const x of fn.minimisers) expect(fn.f(x)).toBeCloseTo(fn.optimum, 5);
    });
    it(`${fn.label} is not below its optimum at 2000 random points of its domain`, () => {
      const s = Stream.of(1, 'points', fn.label);
      for (let k = 0; k < 2000; k++) {
        const x = fn.bounds.map(([lo, hi]) => lo + (hi - lo) * s.float());
        expect(fn.f(x)).toBeGreaterThanOrEqual(fn.optimum - 1e-6);
      }
    });
  }

  it('gives textbook values away from the optimum', () => {
    expect(branin().f([0, 0])).toBeCloseTo(55.6021126, 6);
    expect(rosenbrock(2).f([0, 0])).toBe(1);
    expect(rosenbrock(3).f([2, 2, 2])).toBe(100 * 4 + 1 + 100 * 4 + 1);
    expect(levy(2).f([1, 1])).toBeCloseTo(0, 12);
    expect(ackley(2).f([1, 1])).toBeCloseTo(3.6253849, 6);
  });

  it('finds functions by name, with or without their dimension', () => {
    expect(testFunction('rosenbrock4').dims).toBe(4);
    expect(testFunction('rosenbrock', 6).label).toBe('rosenbrock6');
    expect(testFunction('hartmann6').dims).toBe(6);
    expect(() => testFunction('himmelblau')).toThrow(/unknown test function 'himmelblau'/);
    expect(() => testFunction('branin', 3)).toThrow(/dimension 2/);
  });

  it('has a valid search space, and the objective module evaluates the function named by its fixed params', () => {
    const fn = rosenbrock(4);
    const space = parseSpace(functionSpace(fn));
    expect(space.params.map((p) => p.name).sort()).toEqual(['__dims', '__problem', 'x1', 'x2', 'x3', 'x4']);
    expect(objective({ __problem: 'rosenbrock', __dims: 4, x1: 1, x2: 1, x3: 1, x4: 1 })).toBe(0);
    expect(objective({ __problem: 'rosenbrock', __dims: 4, x1: 0, x2: 0, x3: 0, x4: 0 })).toBe(3);
    expect(objective({ __problem: 'branin', __dims: 2, x1: Math.PI, x2: 2.275 })).toBeCloseTo(0.397887, 6);
  });
});
