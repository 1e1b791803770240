/**
 * The two 32-bit halves of a double, as fdlibm reads and writes them. One scratch buffer shared
 * by every function of this folder (they never call each other while holding a value in it).
 */

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
// Which half is the more significant one, fixed by the platform's byte order.
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const LO = 1 - HI;

/** The more significant word, as a signed int32 (sign bit, exponent, top 20 bits of the fraction). */
export function highWord(x: number): number {
  f64[0] = x;
  return u32[HI]! | 0;
}

/** The less significant word, unsigned. */
export function lowWord(x: number): number {
  f64[0] = x;
  return u32[LO]!;
}

/** The double whose words are `hi` and `lo` (each taken modulo 2^32). */
export function fromWords(hi: number, lo: number): number {
  u32[HI] = hi;
  u32[LO] = lo;
  return f64[0]!;
}

/** `x` with its less significant word replaced by `lo`. */
export function withLowWord(x: number, lo: number): number {
  f64[0] = x;
  u32[LO] = lo;
  return f64[0]!;
}

/** `x` with its more significant word replaced by `hi`. */
export function withHighWord(x: number, hi: number): number {
  f64[0] = x;
  u32[HI] = hi;
  return f64[0]!;
}
