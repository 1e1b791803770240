import { pow2 } from '../math/index.js';
import { Stream } from '../rng/index.js';
import { decodeParams } from '../space/codec.js';
import type { Params, SearchSpace } from '../space/types.js';
import { unitDraw } from './random.js';
import { JOE_KUO_6_21201 } from './sobol-table.js';
import type { FinishedTrial, SampleContext, Sampler } from './types.js';

const BITS = 32;

/** Unscrambled direction numbers V[d][k] (32-bit, most significant bit first) for every tabulated dimension. */
const DIRECTIONS: Uint32Array[] = buildDirections();

/** The number of dimensions with Sobol direction numbers; parameters beyond it are sampled at random. */
export const SOBOL_MAX_DIMENSIONS = DIRECTIONS.length;

function buildDirections(): Uint32Array[] {
  const out: Uint32Array[] = [];
  const first = new Uint32Array(BITS);
  for (let k = 0; k < BITS; k++) first[k] = (1 << (BITS - 1 - k)) >>> 0;
  out.push(first);
  for (const row of JOE_KUO_6_21201.split('|')) {
    const [s, a, ...m] = row.split(' ').map(Number) as [number, number, ...number[]];
    const v = new Uint32Array(BITS);
    for (let k = 0; k < BITS; k++) {
      if (k < s) {
        v[k] = (m[k]! << (BITS - 1 - k)) >>> 0;
      } else {
        let x = (v[k - s]! ^ (v[k - s]! >>> s)) >>> 0;
        for (let j = 1; j < s; j++) {
          if (((a >>> (s - 1 - j)) & 1) === 1) x = (x ^ v[k - j]!) >>> 0;
        }
        v[k] = x;
      }
    }
    out.push(v);
  }
  return out;
}

function parity(x: number): number {
  x ^= x >>> 16;
  x ^= x >>> 8;
  x ^= x >>> 4;
  x ^= x >>> 2;
  x ^= x >>> 1;
  return x & 1;
}

/**
 * The scrambled direction numbers of dimension d and its digital shift: a random linear matrix
 * scramble (lower-triangular, unit diagonal: output digit r depends on input digits 1..r), which
 * keeps the net property, then a random XOR shift. The scramble is a function of the study seed
 * and the dimension only, so every trial of the study sees the same point set.
 */
function scrambled(seed: number, d: number): { v: Uint32Array; shift: number } {
  const s = Stream.of(seed, 'sampler', 'sobol', 'scramble', d);
  const rows = new Uint32Array(BITS); // rows[p]: the input bits that output bit p (31 = most significant) reads
  for (let p = BITS - 1; p >= 0; p--) {
    const above = p === BITS - 1 ? 0 : (s.uint32() & ~(((1 << (p + 1)) - 1) | 0)) >>> 0;
    rows[p] = (above | (1 << p)) >>> 0;
  }
  const base = DIRECTIONS[d]!;
  const v = new Uint32Array(BITS);
  for (let k = 0; k < BITS; k++) {
    let x = 0;
    for (let p = 0; p < BITS; p++) if (parity(base[k]! & rows[p]!) === 1) x |= 1 << p;
    v[k] = x >>> 0;
  }
  return { v, shift: s.uint32() };
}

/** Coordinate d of point i of the scrambled sequence, in [0, 1). */
function coordinate(i: number, v: Uint32Array, shift: number): number {
  let x = shift;
  let k = 0;
  for (let n = i; n > 0 && k < BITS; n = Math.floor(n / 2), k++) {
    if (n % 2 === 1) x ^= v[k]!;
  }
  return (x >>> 0) / 4294967296;
}

/**
 * Quasi-random search: trial i takes point i of a scrambled Sobol sequence (point 0 is kept:
 * after scrambling it is an ordinary point, not the corner). Each non-fixed parameter has its
 * own dimension, in space order; an inactive parameter keeps its dimension but is dropped, so
 * the other parameters' coordinates do not depend on which branch is active. Parameters beyond
 * the tabulated dimensions fall back to independent uniform draws.
 */
export class SobolSampler implements Sampler {
  readonly name = 'sobol';

  sample(space: SearchSpace, _history: readonly FinishedTrial[], ctx: SampleContext): Params {
    const dims = new Map<string, number>();
    for (const spec of space.params) if (spec.dist.type !== 'fixed') dims.set(spec.name, dims.size);
    return decodeParams(space, (spec) => {
      const d = dims.get(spec.name)!;
      if (d >= SOBOL_MAX_DIMENSIONS || ctx.index >= pow2(BITS)) return unitDraw(ctx, this.name, spec.name);
      const { v, shift } = scrambled(ctx.seed, d);
      return coordinate(ctx.index, v, shift);
    });
  }
}

/** The first n points of the scrambled sequence in `dims` dimensions (for tests and plots). */
export function sobolPoints(seed: number, n: number, dims: number): number[][] {
  const tables = Array.from({ length: dims }, (_, d) => scrambled(seed, d));
  return Array.from({ length: n }, (_, i) => tables.map(({ v, shift }) => coordinate(i, v, shift)));
}

/** The unscrambled sequence's point (for checking the table against published values). */
export function sobolPointUnscrambled(i: number, dims: number): number[] {
  return Array.from({ length: dims }, (_, d) => coordinate(i, DIRECTIONS[d]!, 0));
}
