/**
 * The ZDT problems (Zitzler, Deb & Thiele 2000): two objectives, both minimised, over x ∈ [0, 1]^n
 * (n = 30 in the paper). Pure functions of x with the same bits everywhere (sin from src/math).
 * Their Pareto fronts are at g = 1, i.e. x2 … xn = 0.
 */

import { sin } from '../math/index.js';
import { parseSpace } from '../space/schema.js';
import type { Params, SearchSpace } from '../space/types.js';
import type { Direction } from '../types.js';

export interface MultiObjectiveProblem {
  /** `zdt1`, `zdt2`, `zdt3`. */
  name: string;
  dims: number;
  /** The objectives' directions (all minimised here). */
  directions: Direction[];
  /** The objective values at x (one per objective). */
  f(x: readonly number[]): number[];
  /** x1 … xn, floats in [0, 1]. */
  space: SearchSpace;
  /** x from params of `space`. */
  pointOf(params: Params): number[];
  /**
   * The hypervolume of the whole Pareto front against a reference point (r1 >= 1, r2 >= 1), where it
   * has a closed form: r1·r2 − ∫₀¹ front(f1) df1. Undefined for ZDT3.
   */
  frontHypervolume?(reference: readonly [number, number]): number;
}

/** g(x) = 1 + 9 · (x2 + … + xn) / (n − 1). */
function g(x: readonly number[]): number {
  let s = 0;
  for (let i = 1; i < x.length; i++) s += x[i]!;
  return 1 + (9 * s) / (x.length - 1);
}

function problem(
  name: string,
  dims: number,
  h: (f1: number, gx: number) => number,
  areaUnderFront?: number,
): MultiObjectiveProblem {
  if (!(Number.isInteger(dims) && dims >= 2))
    throw new RangeError(`dims must be an integer >= 2, but got ${dims}`);
  const names = Array.from({ length: dims }, (_, i) => `x${i + 1}`);
  const space = parseSpace(Object.fromEntries(names.map((n) => [n, { type: 'float', low: 0, high: 1 }])));
  return {
    name,
    dims,
    directions: ['minimize', 'minimize'],
    f: (x) => {
      const f1 = x[0]!;
      const gx = g(x);
      return [f1, gx * h(f1, gx)];
    },
    space,
    pointOf: (params) => names.map((n) => params[n] as number),
    ...(areaUnderFront === undefined
      ? {}
      : { frontHypervolume: ([r1, r2]: readonly [number, number]) => r1 * r2 - areaUnderFront }),
  };
}

/** ZDT1: f2 = g · (1 − √(f1/g)); a convex front f2 = 1 − √f1. */
export function zdt1(dims = 30): MultiObjectiveProblem {
  return problem('zdt1', dims, (f1, gx) => 1 - Math.sqrt(f1 / gx), 1 / 3);
}

/** ZDT2: f2 = g · (1 − (f1/g)²); a concave front f2 = 1 − f1². */
export function zdt2(dims = 30): MultiObjectiveProblem {
  return problem('zdt2', dims, (f1, gx) => 1 - (f1 / gx) * (f1 / gx), 2 / 3);
}

/** ZDT3: f2 = g · (1 − √(f1/g) − (f1/g)·sin(10π·f1)); a front of five disconnected pieces. */
export function zdt3(dims = 30): MultiObjectiveProblem {
  return problem('zdt3', dims, (f1, gx) => 1 - Math.sqrt(f1 / gx) - (f1 / gx) * sin(10 * Math.PI * f1));
}

export const ZDT_PROBLEMS = { zdt1, zdt2, zdt3 } as const;
