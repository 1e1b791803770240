/**
 * Test functions with known optima, as used by the strategy benchmark. Each is a pure function of
 * its input; its search space is x1..xd floats over its domain.
 */
import { ConfigError } from '../errors.js';
import { cos, exp, sin } from '../math/index.js';

export interface TestFunction {
  /** Registry name (`branin`, `hartmann6`, `rosenbrock`, `ackley`, `levy`). */
  name: string;
  /** A label that names the dimension too: `rosenbrock4`. */
  label: string;
  dims: number;
  /** [low, high] per dimension. */
  bounds: [number, number][];
  /** The global minimum. */
  optimum: number;
  /** Points where the minimum is reached. */
  minimisers: number[][];
  f(x: readonly number[]): number;
}

// The same values on every machine: the problems' numbers reach the benchmark ledgers.
const { PI, sqrt, E } = Math;
const sq = (v: number): number => v * v;

export function branin(): TestFunction {
  const b = 5.1 / (4 * PI * PI);
  const c = 5 / PI;
  const t = 1 / (8 * PI);
  return {
    name: 'branin',
    label: 'branin',
    dims: 2,
    bounds: [
      [-5, 10],
      [0, 15],
    ],
    optimum: 0.397887357729738,
    minimisers: [
      [-PI, 12.275],
      [PI, 2.275],
      [3 * PI, 2.475],
    ],
    f: (x) => {
      const [x1, x2] = [x[0]!, x[1]!];
      return sq(x2 - b * x1 * x1 + c * x1 - 6) + 10 * (1 - t) * cos(x1) + 10;
    },
  };
}

const H6_ALPHA = [1.0, 1.2, 3.0, 3.2];
const H6_A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
];
const H6_P = [
  [1312, 1696, 5569, 124, 8283, 5886],
  [2329, 4135, 8307, 3736, 1004, 9991],
  [2348, 1451, 3522, 2883, 3047, 6650],
  [4047, 8828, 8732, 5743, 1091, 381],
].map((row) => row.map((v) => v * 1e-4));

export function hartmann6(): TestFunction {
  return {
    name: 'hartmann6',
    label: 'hartmann6',
    dims: 6,
    bounds: Array.from({ length: 6 }, () => [0, 1] as [number, number]),
    optimum: -3.32236801141551,
    minimisers: [[0.20168952, 0.15001069, 0.47687398, 0.27533243, 0.31165162, 0.65730054]],
    f: (x) => {
      let s = 0;
      for (let i = 0; i < 4; i++) {
        let inner = 0;
        for (let j = 0; j < 6; j++) inner += H6_A[i]![j]! * sq(x[j]! - H6_P[i]![j]!);
        s += H6_ALPHA[i]! * exp(-inner);
      }
      return -s;
    },
  };
}

export function rosenbrock(dims = 4): TestFunction {
  return {
    name: 'rosenbrock',
    label: `rosenbrock${dims}`,
    dims,
    bounds: Array.from({ length: dims }, () => [-5, 10] as [number, number]),
    optimum: 0,
    minimisers: [Array.from({ length: dims }, () => 1)],
    f: (x) => {
      let s = 0;
      for (let i = 0; i < dims - 1; i++) s += 100 * sq(x[i + 1]! - sq(x[i]!)) + sq(1 - x[i]!);
      return s;
    },
  };
}

export function ackley(dims = 5): TestFunction {
  return {
    name: 'ackley',
    label: `ackley${dims}`,
    dims,
    bounds: Array.from({ length: dims }, () => [-32.768, 32.768] as [number, number]),
    optimum: 0,
    minimisers: [Array.from({ length: dims }, () => 0)],
    f: (x) => {
      let sq = 0;
      let cs = 0;
      for (let i = 0; i < dims; i++) {
        sq += x[i]! ** 2;
        cs += cos(2 * PI * x[i]!);
      }
      // At 0 the two exponentials cancel 20 + e up to rounding; clamp that rounding to the optimum.
      return Math.max(0, -20 * exp(-0.2 * sqrt(sq / dims)) - exp(cs / dims) + 20 + E);
    },
  };
}

export function levy(dims = 5): TestFunction {
  return {
    name: 'levy',
    label: `levy${dims}`,
    dims,
    bounds: Array.from({ length: dims }, () => [-10, 10] as [number, number]),
    optimum: 0,
    minimisers: [Array.from({ length: dims }, () => 1)],
    f: (x) => {
      const w = (i: number) => 1 + (x[i]! - 1) / 4;
      const wd = w(dims - 1);
      let s = sq(sin(PI * w(0)));
      for (let i = 0; i < dims - 1; i++) {
        const wi = w(i);
        s += sq(wi - 1) * (1 + 10 * sq(sin(PI * wi + 1)));
      }
      s += sq(wd - 1) * (1 + sq(sin(2 * PI * wd)));
      return s;
    },
  };
}

interface Entry {
  make: (dims?: number) => TestFunction;
  /** True when the dimension may be chosen. */
  variable: boolean;
}

const REGISTRY: Record<string, Entry> = {
  branin: { make: () => branin(), variable: false },
  hartmann6: { make: () => hartmann6(), variable: false },
  rosenbrock: { make: (d) => rosenbrock(d), variable: true },
  ackley: { make: (d) => ackley(d), variable: true },
  levy: { make: (d) => levy(d), variable: true },
};

export const FUNCTION_NAMES = Object.keys(REGISTRY);

/** True when `name` names a test function (`rosenbrock`, or with its dimension: `rosenbrock4`). */
export function isFunctionName(name: string): boolean {
  return parseFunctionName(name) !== undefined;
}

function parseFunctionName(name: string): { base: string; dims?: number } | undefined {
  if (name in REGISTRY) return { base: name };
  const m = /^([a-z]+)-?(\d+)$/.exec(name);
  if (m && REGISTRY[m[1]!]?.variable) return { base: m[1]!, dims: Number(m[2]) };
  return undefined;
}

/**
 * The test function named `name` (`branin`, `hartmann6`, `rosenbrock`, `rosenbrock4`, `ackley`, `levy`),
 * with `dims` for those of any dimension. Throws ConfigError naming the problem otherwise.
 */
export function testFunction(name: string, dims?: number): TestFunction {
  const parsed = parseFunctionName(name);
  if (parsed === undefined) {
    throw new ConfigError(`unknown test function '${name}' (known: ${FUNCTION_NAMES.join(', ')})`);
  }
  const entry = REGISTRY[parsed.base]!;
  const d = dims ?? parsed.dims;
  if (d !== undefined) {
    if (!entry.variable) {
      const fixed = entry.make();
      if (d === fixed.dims) return fixed;
      throw new ConfigError(`test function '${parsed.base}' has dimension ${fixed.dims}, but got dims ${d}`);
    }
    if (!Number.isInteger(d) || d < 2 || d > 100) {
      throw new ConfigError(
        `test function '${parsed.base}': dims must be an integer from 2 to 100, but got ${d}`,
      );
    }
    if (parsed.dims !== undefined && dims !== undefined && parsed.dims !== dims) {
      throw new ConfigError(`test function '${name}': dims ${dims} contradicts the name`);
    }
  }
  return entry.make(d);
}

/** Fixed parameters that tell the objective module which function to evaluate. */
export const PROBLEM_PARAM = '__problem';
export const DIMS_PARAM = '__dims';

/** The function's lockstep search space: x1..xd floats over its bounds, plus the fixed problem name and dims. */
export function functionSpace(fn: TestFunction): Record<string, unknown> {
  const space: Record<string, unknown> = {
    [PROBLEM_PARAM]: { type: 'fixed', value: fn.name },
    [DIMS_PARAM]: { type: 'fixed', value: fn.dims },
  };
  fn.bounds.forEach(([low, high], i) => {
    space[`x${i + 1}`] = { type: 'float', low, high };
  });
  return space;
}

/** The point x1..xd of a trial's parameters. */
export function pointOf(fn: TestFunction, params: Record<string, unknown>): number[] {
  const x: number[] = [];
  for (let i = 1; i <= fn.dims; i++) {
    const v = params[`x${i}`];
    if (typeof v !== 'number')
      throw new ConfigError(`${fn.label}: parameter x${i} must be a number, but got ${JSON.stringify(v)}`);
    x.push(v);
  }
  return x;
}
