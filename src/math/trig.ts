/**
 * sin and cos from fdlibm 5.3 (Sun Microsystems, 1993: "Permission to use, copy, modify, and
 * distribute this software is freely granted, provided that this notice is preserved"): the
 * kernels k_sin.c and k_cos.c on [−π/4, π/4] after e_rem_pio2.c's reduction by π/2. Arguments
 * beyond 2^19·π/2 (never met by lockstep's own code) are reduced exactly with BigInt instead of
 * fdlibm's k_rem_pio2.c: deterministic as well, possibly 1 ulp from V8 there.
 */
import { pow2 } from './pow.js';
import { fromWords, highWord, lowWord } from './words.js';

const S1 = -1.66666666666666324348e-1;
const S2 = 8.33333333332248946124e-3;
const S3 = -1.98412698298579493134e-4;
const S4 = 2.75573137070700676789e-6;
const S5 = -2.50507602534068634195e-8;
const S6 = 1.58969099521155010221e-10;

/** sin(x + y) for |x| <= π/4, y the tail of x (`iy` 0 when y is known to be 0). */
function kernelSin(x: number, y: number, iy: 0 | 1): number {
  if ((highWord(x) & 0x7fffffff) < 0x3e400000 && (x | 0) === 0) return x; // |x| < 2^-27, keeps −0
  const z = x * x;
  const v = z * x;
  const r = S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)));
  if (iy === 0) return x + v * (S1 + z * r);
  return x - (z * (0.5 * y - v * r) - y - v * S1);
}

const C1 = 4.16666666666666019037e-2;
const C2 = -1.38888888888741095749e-3;
const C3 = 2.48015872894767294178e-5;
const C4 = -2.75573143513906633035e-7;
const C5 = 2.0875723212981748279e-9;
const C6 = -1.13596475577881948265e-11;

/** cos(x + y) for |x| <= π/4. */
function kernelCos(x: number, y: number): number {
  const ix = highWord(x) & 0x7fffffff;
  if (ix < 0x3e400000 && (x | 0) === 0) return 1; // |x| < 2^-27
  const z = x * x;
  const r = z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * C6)))));
  if (ix < 0x3fd33333) return 1 - (0.5 * z - (z * r - x * y)); // |x| < 0.3
  const qx = ix > 0x3fe90000 ? 0.28125 : fromWords(ix - 0x00200000, 0); // x/4
  const hz = 0.5 * z - qx;
  const a = 1 - qx;
  return a - (hz - (z * r - x * y));
}

const INV_PIO2 = 6.36619772367581382433e-1;
const PIO2_1 = 1.57079632673412561417; // first 33 bits of π/2
const PIO2_1T = 6.07710050650619224932e-11; // π/2 − PIO2_1
const PIO2_2 = 6.0771005063039659766e-11; // second 33 bits
const PIO2_2T = 2.02226624879595063154e-21;
const PIO2_3 = 2.0222662487111664558e-21; // third 33 bits
const PIO2_3T = 8.47842766036889956997e-32;

/** High words of n·π/2 for n = 1…32: fdlibm's quick test for cancellation. */
const NPIO2_HW = Int32Array.from({ length: 32 }, (_, i) => highWord((i + 1) * 1.5707963267948966));

/** Remainder of x by π/2 as reduced[0] + reduced[1]; returns n mod 8 (n: the quotient's nearest integer). */
const reduced = new Float64Array(2);

function remPio2(x: number): number {
  const hx = highWord(x);
  const ix = hx & 0x7fffffff;
  if (ix < 0x4002d97c) {
    // |x| < 3π/4: n = ±1
    if (hx > 0) {
      let z = x - PIO2_1;
      if (ix !== 0x3ff921fb) {
        reduced[0] = z - PIO2_1T;
        reduced[1] = z - reduced[0] - PIO2_1T;
      } else {
        z -= PIO2_2;
        reduced[0] = z - PIO2_2T;
        reduced[1] = z - reduced[0] - PIO2_2T;
      }
      return 1;
    }
    let z = x + PIO2_1;
    if (ix !== 0x3ff921fb) {
      reduced[0] = z + PIO2_1T;
      reduced[1] = z - reduced[0] + PIO2_1T;
    } else {
      z += PIO2_2;
      reduced[0] = z + PIO2_2T;
      reduced[1] = z - reduced[0] + PIO2_2T;
    }
    return -1;
  }
  if (ix <= 0x413921fb) {
    // |x| <= 2^19·π/2
    const t = Math.abs(x);
    const n = (t * INV_PIO2 + 0.5) | 0;
    const fn = n;
    let r = t - fn * PIO2_1;
    let w = fn * PIO2_1T;
    if (n < 32 && ix !== NPIO2_HW[n - 1]) {
      reduced[0] = r - w;
    } else {
      const j = ix >> 20;
      reduced[0] = r - w;
      let i = j - ((highWord(reduced[0]!) >> 20) & 0x7ff);
      if (i > 16) {
        let t2 = r;
        w = fn * PIO2_2;
        r = t2 - w;
        w = fn * PIO2_2T - (t2 - r - w);
        reduced[0] = r - w;
        i = j - ((highWord(reduced[0]!) >> 20) & 0x7ff);
        if (i > 49) {
          t2 = r;
          w = fn * PIO2_3;
          r = t2 - w;
          w = fn * PIO2_3T - (t2 - r - w);
          reduced[0] = r - w;
        }
      }
    }
    reduced[1] = r - reduced[0]! - w;
    if (hx < 0) {
      reduced[0] = -reduced[0]!;
      reduced[1] = -reduced[1]!;
      return -n;
    }
    return n;
  }
  return remPio2Exact(x);
}

// 2/π and π/2 as fixed-point BigInts with FRACTION_BITS bits after the point, computed once on first
// use from Machin's formula π = 16·atan(1/5) − 4·atan(1/239) in integer arithmetic.
const FRACTION_BITS = 1280n;
let bigTwoOverPi: bigint | undefined;
let bigPiOver2: bigint | undefined;

function atanInverse(k: bigint, one: bigint): bigint {
  let sum = 0n;
  let power = one / k;
  const k2 = k * k;
  for (let n = 1n; power !== 0n; n += 2n) {
    sum += ((n & 3n) === 1n ? power : -power) / n;
    power /= k2;
  }
  return sum;
}

function bigConstants(): [bigint, bigint] {
  if (bigTwoOverPi === undefined || bigPiOver2 === undefined) {
    const guard = 64n;
    const one = 1n << (FRACTION_BITS + guard);
    const pi = 16n * atanInverse(5n, one) - 4n * atanInverse(239n, one);
    bigPiOver2 = (pi / 2n) >> guard;
    bigTwoOverPi = ((one << (FRACTION_BITS + guard)) / (pi / 2n)) >> guard;
  }
  return [bigTwoOverPi, bigPiOver2];
}

/** The nearest double to m / 2^bits for a BigInt m, rounded once (half to even); normal results only. */
function bigToDouble(m: bigint, bits: bigint): number {
  const negative = m < 0n;
  let a = negative ? -m : m;
  if (a === 0n) return 0;
  const shift = BigInt(a.toString(2).length) - 53n;
  if (shift > 0n) {
    const rest = a & ((1n << shift) - 1n);
    const half = 1n << (shift - 1n);
    a >>= shift;
    if (rest > half || (rest === half && (a & 1n) === 1n)) a += 1n;
  } else {
    a <<= -shift;
  }
  // a <= 2^53 and a power of two as the scale: the product is exact.
  const value = Number(a) * pow2(Number(shift - bits));
  return negative ? -value : value;
}

/** Exact reduction of a large finite x (or NaN/inf → NaN) by π/2. */
function remPio2Exact(x: number): number {
  if ((highWord(x) & 0x7fffffff) >= 0x7ff00000) {
    reduced[0] = reduced[1] = x - x;
    return 0;
  }
  const [twoOverPi, piOver2] = bigConstants();
  // x = m · 2^e with m a 53-bit integer.
  const hx = highWord(x);
  const e = ((hx >> 20) & 0x7ff) - 1075;
  const m = BigInt(((hx & 0xfffff) | 0x100000) >>> 0) * 0x100000000n + BigInt(lowWord(x));
  // q = x·2/π in fixed point with FRACTION_BITS fraction bits (e > 0 here: |x| > 2^19).
  const q = (m * twoOverPi) << BigInt(e);
  const unit = 1n << FRACTION_BITS;
  let n = q >> FRACTION_BITS;
  let f = q & (unit - 1n);
  if (f >= unit >> 1n) {
    n += 1n;
    f -= unit;
  }
  // f·π/2 with 2·FRACTION_BITS fraction bits, split into a head and a tail double.
  const product = f * piOver2;
  const bits = 2n * FRACTION_BITS;
  const head = bigToDouble(product, bits);
  const headExact = headToBig(head, bits);
  const tail = bigToDouble(product - headExact, bits);
  const sign = x < 0 ? -1 : 1;
  reduced[0] = sign * head;
  reduced[1] = sign * tail;
  const n8 = Number(n & 7n);
  return x < 0 ? -n8 : n8;
}

/** A double as a fixed-point BigInt with `bits` fraction bits (exact for the heads built above). */
function headToBig(d: number, bits: bigint): bigint {
  if (d === 0) return 0n;
  const hx = highWord(d);
  const e = ((hx >> 20) & 0x7ff) - 1075;
  const m = BigInt(((hx & 0xfffff) | 0x100000) >>> 0) * 0x100000000n + BigInt(lowWord(d));
  const signed = hx < 0 ? -m : m;
  const s = BigInt(e) + bits;
  return s >= 0n ? signed << s : signed >> -s;
}

/** Sine, within 1 ulp. */
export function sin(x: number): number {
  const ix = highWord(x) & 0x7fffffff;
  if (ix <= 0x3fe921fb) return kernelSin(x, 0, 0);
  if (ix >= 0x7ff00000) return x - x;
  const n = remPio2(x);
  const y0 = reduced[0]!;
  const y1 = reduced[1]!;
  switch (n & 3) {
    case 0:
      return kernelSin(y0, y1, 1);
    case 1:
      return kernelCos(y0, y1);
    case 2:
      return -kernelSin(y0, y1, 1);
    default:
      return -kernelCos(y0, y1);
  }
}

/** Cosine, within 1 ulp. */
export function cos(x: number): number {
  const ix = highWord(x) & 0x7fffffff;
  if (ix <= 0x3fe921fb) return kernelCos(x, 0);
  if (ix >= 0x7ff00000) return x - x;
  const n = remPio2(x);
  const y0 = reduced[0]!;
  const y1 = reduced[1]!;
  switch (n & 3) {
    case 0:
      return kernelCos(y0, y1);
    case 1:
      return -kernelSin(y0, y1, 1);
    case 2:
      return -kernelCos(y0, y1);
    default:
      return kernelSin(y0, y1, 1);
  }
}
