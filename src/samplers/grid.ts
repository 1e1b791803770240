import { ConfigError } from '../errors.js';
import { exp, log as ln, pow2 } from '../math/index.js';
import { Stream } from '../rng/index.js';
import { cardinality, fromUnit, isActive } from '../space/codec.js';
import type { Distribution, ParamSpec, Params, ParamValue, SearchSpace } from '../space/types.js';
import type { FinishedTrial, SampleContext, Sampler } from './types.js';

export interface GridOptions {
  /** Points per continuous parameter: one number for all, or per parameter name. Default 5. */
  grid_points?: number | Record<string, number>;
  /** `shuffled` (default): a seeded permutation of the grid; `fixed`: nested-loop order, first parameter slowest. */
  order?: 'shuffled' | 'fixed';
}

export const GRID_DEFAULTS = { grid_points: 5, order: 'shuffled' } as const;

/** Discrete params with at most this many values are enumerated whole; larger ones get `grid_points` points. */
const MAX_ENUMERATED = 10;
const MAX_GROUP_POINTS = 1_000_000;
const MAX_GRID_POINTS = pow2(40);

/**
 * Grid search. Points per parameter: every choice of a categorical; every value of an int or
 * stepped float with at most 10 values, else `grid_points` values evenly spread (in log space for
 * log) and snapped to the integers / step; `grid_points` values from low to high for a
 * continuous float. Trial i takes grid point perm(i mod size). The grid is enumerated as a tree:
 * a conditional parameter multiplies only the branches where it is active, so
 * `{ optimizer: [adam, sgd], momentum (when sgd): 5 points }` has 6 points, not 10.
 *
 * Parameters are split into independent groups (a parameter and everything whose condition
 * names it); the grid is the product of the groups, each enumerated explicitly, and point g is
 * found by mixed-radix decoding, so sampling never materialises the full grid. The shuffled
 * order is a seeded Feistel permutation of [0, size): O(1) per trial and the same for all trials.
 */
export class GridSampler implements Sampler {
  readonly name = 'grid';
  private readonly options: Required<GridOptions>;

  constructor(options: GridOptions = {}) {
    this.options = {
      grid_points: options.grid_points ?? GRID_DEFAULTS.grid_points,
      order: options.order ?? GRID_DEFAULTS.order,
    };
  }

  /** Number of points in the grid of `space`. */
  size(space: SearchSpace): number {
    return buildGrid(space, this.options).size;
  }

  /** The grid point in position `g` of nested-loop order (g in [0, size)). */
  point(space: SearchSpace, g: number): Params {
    return pointAt(buildGrid(space, this.options), g);
  }

  sample(space: SearchSpace, _history: readonly FinishedTrial[], ctx: SampleContext): Params {
    const grid = buildGrid(space, this.options);
    const i = ctx.index % grid.size;
    const g = this.options.order === 'fixed' ? i : feistelPermute(i, grid.size, roundKeys(ctx.seed));
    return pointAt(grid, g);
  }
}

interface Grid {
  groups: Params[][];
  /** radix[j] = product of the sizes of groups after j. */
  radix: number[];
  size: number;
}

function pointsFor(spec: ParamSpec, options: Required<GridOptions>): ParamValue[] {
  const d = spec.dist;
  const n =
    typeof options.grid_points === 'number'
      ? options.grid_points
      : (options.grid_points[spec.name] ?? GRID_DEFAULTS.grid_points);
  switch (d.type) {
    case 'fixed':
      return [d.value];
    case 'categorical':
      return [...d.choices];
    case 'int':
    case 'float': {
      const k = cardinality(d);
      if (k !== undefined && k <= MAX_ENUMERATED) {
        return Array.from({ length: k }, (_, i) => fromUnit(d, (i + 0.5) / k));
      }
      return spread(d, k === undefined ? n : Math.min(n, k));
    }
    default:
      throw new Error(`unknown distribution ${JSON.stringify(d satisfies never)}`);
  }
}

/** n points from low to high, evenly spaced (in log space for log), snapped to the integers / step grid. */
function spread(d: Distribution & { type: 'int' | 'float' }, n: number): ParamValue[] {
  if (n <= 1 || d.low === d.high) return [d.low];
  const out: number[] = [];
  const log = d.log === true;
  const a = log ? ln(d.low) : d.low;
  const b = log ? ln(d.high) : d.high;
  for (let i = 0; i < n; i++) {
    let x =
      i === 0
        ? d.low
        : i === n - 1
          ? d.high
          : log
            ? exp(a + ((b - a) * i) / (n - 1))
            : a + ((b - a) * i) / (n - 1);
    const step = d.type === 'int' ? (log ? 1 : (d.step ?? 1)) : d.step;
    if (step !== undefined)
      x = Math.min(d.high, Number((d.low + Math.round((x - d.low) / step) * step).toPrecision(14)));
    if (out[out.length - 1] !== x) out.push(x);
  }
  return out;
}

function buildGrid(space: SearchSpace, options: Required<GridOptions>): Grid {
  // Union-find: a parameter joins the group of every parent its condition names.
  const names = space.params.map((p) => p.name);
  const parent = new Map(names.map((n) => [n, n]));
  const find = (n: string): string => {
    let r = n;
    while (parent.get(r) !== r) r = parent.get(r)!;
    return r;
  };
  for (const spec of space.params) {
    for (const p of Object.keys(spec.when ?? {})) {
      if (parent.has(p)) parent.set(find(spec.name), find(p));
    }
  }
  const groupSpecs = new Map<string, ParamSpec[]>();
  for (const spec of space.params) {
    const r = find(spec.name);
    const list = groupSpecs.get(r);
    if (list === undefined) groupSpecs.set(r, [spec]);
    else list.push(spec);
  }
  const groups: Params[][] = [];
  for (const specs of groupSpecs.values()) groups.push(enumerateGroup(specs, options));
  const radix = new Array<number>(groups.length).fill(1);
  let size = 1;
  for (let j = groups.length - 1; j >= 0; j--) {
    radix[j] = size;
    size *= groups[j]!.length;
    if (size > MAX_GRID_POINTS) {
      throw new ConfigError(
        `sampler.grid: the grid has more than 2^40 points; lower grid_points or use another sampler`,
      );
    }
  }
  return { groups, radix, size };
}

/** All assignments of one group's parameters (in space order, parents first), first parameter slowest. */
function enumerateGroup(specs: ParamSpec[], options: Required<GridOptions>): Params[] {
  const values = specs.map((s) => pointsFor(s, options));
  const out: Params[] = [];
  const current: Params = {};
  const walk = (k: number): void => {
    if (k === specs.length) {
      out.push({ ...current });
      if (out.length > MAX_GROUP_POINTS) {
        throw new ConfigError(
          `sampler.grid: the grid has more than ${MAX_GROUP_POINTS} points in one conditional group`,
        );
      }
      return;
    }
    const spec = specs[k]!;
    if (!isActive(spec, current)) {
      walk(k + 1);
      return;
    }
    for (const v of values[k]!) {
      current[spec.name] = v;
      walk(k + 1);
    }
    delete current[spec.name];
  };
  walk(0);
  return out;
}

function pointAt(grid: Grid, g: number): Params {
  const out: Params = {};
  grid.groups.forEach((group, j) => {
    const digit = Math.floor(g / grid.radix[j]!) % group.length;
    Object.assign(out, group[digit]);
  });
  return out;
}

const ROUNDS = 6;

function roundKeys(seed: number): Uint32Array {
  // Shared by every trial of the study (the order must be one permutation), so not per index.
  const s = Stream.of(seed, 'sampler', 'grid', 'order');
  const keys = new Uint32Array(ROUNDS);
  for (let r = 0; r < ROUNDS; r++) keys[r] = s.uint32();
  return keys;
}

function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** A seeded bijection of [0, n): a balanced Feistel network on 2h bits, cycle-walked into range. */
export function feistelPermute(i: number, n: number, keys: Uint32Array): number {
  if (n <= 1) return 0;
  let bits = 0;
  while (pow2(bits) < n) bits++;
  const h = Math.max(1, Math.ceil(bits / 2));
  const half = pow2(h);
  const mask = half - 1;
  let x = i;
  do {
    let l = Math.floor(x / half);
    let r = x % half;
    for (let k = 0; k < keys.length; k++) {
      const f = mix32((r ^ keys[k]!) >>> 0) & mask;
      const t = r;
      r = (l ^ f) & mask;
      l = t;
    }
    x = l * half + r;
  } while (x >= n);
  return x;
}
