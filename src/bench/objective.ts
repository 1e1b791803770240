/**
 * The objective module of the benchmark's test-function and table problems (compiled to
 * dist/bench/objective.js and named by the studies' `objective.module`). Which problem to answer
 * comes from the trial's own fixed parameters (`__problem` and `__dims`, or `__table`), so that the
 * module reads nothing from its environment.
 */
import { ConfigError } from '../errors.js';
import type { Params } from '../space/types.js';
import { DIMS_PARAM, PROBLEM_PARAM, pointOf, type TestFunction, testFunction } from './functions.js';
import { loadTable, lookup, TABLE_PARAM } from './table.js';

const functions = new Map<string, TestFunction>();

function functionFor(name: string, dims: number): TestFunction {
  const key = `${name}/${dims}`;
  let fn = functions.get(key);
  if (fn === undefined) {
    const probe = testFunction(name);
    fn = probe.dims === dims ? probe : testFunction(name, dims);
    functions.set(key, fn);
  }
  return fn;
}

/** Evaluates the problem named by the parameters at the point they give. */
export function objective(params: Params): number {
  const table = params[TABLE_PARAM];
  if (typeof table === 'string') return lookup(loadTable(table), params).score;
  const name = params[PROBLEM_PARAM];
  const dims = params[DIMS_PARAM];
  if (typeof name !== 'string' || typeof dims !== 'number') {
    throw new ConfigError(
      `bench objective: expected fixed parameters ${PROBLEM_PARAM} and ${DIMS_PARAM}, or ${TABLE_PARAM}`,
    );
  }
  const fn = functionFor(name, dims);
  return fn.f(pointOf(fn, params));
}
