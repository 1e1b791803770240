import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import { type SeedPart, seedFor } from './seed.js';

/**
 * A named, seeded random stream. Every consumer of randomness gets its own:
 * `Stream.of(root, 'trial', i, 'shuffle', epoch)`.
 */
export class Stream {
  private g: RandomGenerator;
  private spare: number | undefined;

  private constructor(g: RandomGenerator) {
    this.g = g;
  }

  static of(root: number, ...path: SeedPart[]): Stream {
    return new Stream(xoroshiro128plusFromState(seedFor(root, ...path)));
  }

  /** Uniform uint32. */
  uint32(): number {
    return this.g.next() >>> 0;
  }

  /**
   * Fills `out[0..n)` with `scale` where the next uint32 of the stream is >= `threshold`, else 0: the same
   * draws, in the same order, as `out[i] = this.uint32() >= threshold ? scale : 0`, with the generator's state
   * held in locals (a dropout mask draws rows × units values per step).
   */
  fillThreshold(out: Float32Array, n: number, threshold: number, scale: number): void {
    const st = this.g.getState();
    if (st.length !== 4) {
      for (let i = 0; i < n; i++) out[i] = this.uint32() >= threshold ? scale : 0;
      return;
    }
    // xoroshiro128+ on 32-bit halves, exactly as pure-rand's XoroShiro128Plus.next().
    let s01 = st[0]! | 0;
    let s00 = st[1]! | 0;
    let s11 = st[2]! | 0;
    let s10 = st[3]! | 0;
    for (let i = 0; i < n; i++) {
      const x = (s00 + s10) >>> 0;
      const a0 = s10 ^ s00;
      const a1 = s11 ^ s01;
      const p00 = s00;
      const p01 = s01;
      s00 = (p00 << 24) ^ (p01 >>> 8) ^ a0 ^ (a0 << 16);
      s01 = (p01 << 24) ^ (p00 >>> 8) ^ a1 ^ ((a1 << 16) | (a0 >>> 16));
      s10 = (a1 << 5) ^ (a0 >>> 27);
      s11 = (a0 << 5) ^ (a1 >>> 27);
      out[i] = x >= threshold ? scale : 0;
    }
    this.g = xoroshiro128plusFromState([s01, s00, s11, s10]);
  }

  /** Uniform in [0, 1), 53 bits. */
  float(): number {
    const hi = this.g.next() >>> 5; // 27 bits
    const lo = this.g.next() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [lo, hi], both included, without modulo bias. */
  int(lo: number, hi: number): number {
    const n = hi - lo + 1;
    if (!(n >= 1) || n > 0x100000000) throw new RangeError(`int(${lo}, ${hi}): bad range`);
    const limit = 0x100000000 - (0x100000000 % n);
    for (;;) {
      const x = this.uint32();
      if (x < limit) return lo + (x % n);
    }
  }

  /** Standard normal (Box–Muller; the second value is kept for the next call). */
  normal(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.float();
    const v = this.float();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** A uniformly random permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): Uint32Array {
    const p = new Uint32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(0, i);
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    return p;
  }

  /** A uniform choice from a non-empty array. */
  choice<T>(xs: readonly T[]): T {
    return xs[this.int(0, xs.length - 1)]!;
  }
}
