/**
 * exp, expm1, log, log1p and tanh from fdlibm 5.3 (Sun Microsystems, 1993: "Permission to use,
 * copy, modify, and distribute this software is freely granted, provided that this notice is
 * preserved"), the algorithms V8's `Math` functions are ports of. Written with + − × ÷ on doubles
 * and integer operations on their words only, so that every JavaScript engine on every CPU gives
 * the same bits (V8's C++ builds fuse multiply-adds on arm64, and newer V8 replaced some of them).
 */
import { fromWords, highWord, lowWord, withHighWord } from './words.js';

const LN2_HI = 6.9314718036912381649e-1; // 0x3FE62E42 FEE00000
const LN2_LO = 1.90821492927058770002e-10; // 0x3DEA39EF 35793C76
const INV_LN2 = 1.442695040888963387; // 0x3FF71547 652B82FE
const TWO54 = 1.8014398509481984e16;
const HUGE = 1e300;
const TINY = 1e-300;
const TWOM1000 = 9.3326361850321887899e-302; // 2^-1000
const TWO1023 = 8.98846567431158e307; // 2^1023

// exp's polynomial on the reduced argument. pow.ts keeps its own copy: V8 reads an exported binding from its
// module cell, checked and unboxed at every use, where a private constant is folded into the code.
const P1 = 1.66666666666666019037e-1;
const P2 = -2.77777777770155933842e-3;
const P3 = 6.61375632143793436117e-5;
const P4 = -1.6533902205465251539e-6;
const P5 = 4.13813679705723846039e-8;

// fdlibm's branches test |x|'s high word against constants; the high word grows with |x|, so each test is
// the same as comparing |x| with the double whose high word is that constant (and low word 0). Comparing
// doubles spares exp the trip through memory that reading a word takes: exp is the samplers' hot function.
const EXP_BIG = fromWords(0x40862e42, 0); // hx >= 0x40862e42: |x| >= 709.78…
const EXP_HALF_LN2 = fromWords(0x3fd62e43, 0); // hx > 0x3fd62e42: |x| > 0.5 ln2
const EXP_3HALF_LN2 = fromWords(0x3ff0a2b2, 0); // hx < 0x3ff0a2b2: |x| < 1.5 ln2
const EXP_TINY = fromWords(0x3e300000, 0); // hx < 0x3e300000: |x| < 2^-28
/** 2^k for k in [−1021, 1023], at index k + 1021: the scaling of the result. */
const EXP_SCALE = Float64Array.from({ length: 2045 }, (_, i) =>
  fromWords(0x3ff00000 + ((i - 1021) << 20), 0),
);

/** From here on up (and for NaN) exp calls {@link expFull}: k = round(x / ln2) <= 1020 below it. */
const EXP_FAST_MAX = 707;
const EXP_UNDERFLOW = -7.4513321910194110842e2; // fdlibm's u_threshold: e^x rounds to +0 below it
const E = Math.E;
/**
 * The scaling by 2^k for k in [−1075, 1020], at index k + 1075, as fdlibm does it: y·2^k where 2^k is a
 * normal number (k >= −1021), else (y·2^(k+1000))·2^−1000. Its second factor is 1 where there is no second
 * step, and multiplying by 1 changes no bits.
 */
const EXP_SCALE_1 = Float64Array.from(
  { length: 2096 },
  (_, i) => EXP_SCALE[i - 1075 >= -1021 ? i - 54 : i - 54 + 1000]!,
);
const EXP_SCALE_2 = Float64Array.from({ length: 2096 }, (_, i) => (i - 1075 >= -1021 ? 1 : TWOM1000));

/**
 * e^x, within 1 ulp (fdlibm's e_exp.c; exp(1) is Math.E exactly, as in V8). The samplers' hot function, so
 * written for V8 to inline it and keep it optimised: one path for every x from fdlibm's underflow threshold
 * up to 707, with no branch there that ordinary inputs may leave untaken (V8 throws optimised code away when
 * such a branch first runs); x >= 707 and NaN go to {@link expFull}. fdlibm's k = ±1 case for
 * 0.5 ln2 < |x| < 1.5 ln2 is this path's k (the rounding formula gives ±1 on the whole range, with 1.3e-9 or more
 * to spare at the ends), and its k = 0 case is this path with k = 0: lo = 0, hi = x, and
 * 1 − (0 − x·c/(2 − c) − x) is fdlibm's 1 − (x·c/(c − 2) − x) (negating is exact). The same bits.
 */
export function exp(x: number): number {
  // `+`: a number, which V8 keeps unboxed where this path meets the others (the call's result is untyped).
  if (!(x < EXP_FAST_MAX)) return +expFull(x);
  if (x < EXP_UNDERFLOW) return 0;
  const ax = Math.abs(x);
  if (ax < EXP_TINY) return 1 + x;
  if (x === 1) return E;
  const k = ax < EXP_HALF_LN2 ? 0 : (INV_LN2 * x + (x > 0 ? 0.5 : -0.5)) | 0;
  const hi = x - k * LN2_HI; // exact: k·LN2_HI has trailing zeros
  const lo = k * LN2_LO;
  const r = hi - lo;
  const t = r * r;
  const c = r - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  return (1 - (lo - (r * c) / (2 - c) - hi)) * EXP_SCALE_1[k + 1075]! * EXP_SCALE_2[k + 1075]!;
}

/** fdlibm's e_exp.c as written, every branch: {@link exp} hands it the inputs off its fast path. */
function expFull(x: number): number {
  const ax = Math.abs(x);
  if (!(ax < EXP_BIG)) {
    if (Number.isNaN(x)) return x + x;
    if (ax === Number.POSITIVE_INFINITY) return Math.max(x, 0); // exp(+inf) = inf, exp(-inf) = 0
    if (x > 7.09782712893383973096e2) return HUGE * HUGE;
    if (x < -7.4513321910194110842e2) return TWOM1000 * TWOM1000;
  }
  let k = 0;
  let hi = 0;
  let lo = 0;
  if (ax >= EXP_HALF_LN2) {
    if (ax < EXP_3HALF_LN2) {
      if (x === 1) return Math.E;
      if (x > 0) {
        hi = x - LN2_HI;
        lo = LN2_LO;
        k = 1;
      } else {
        hi = x + LN2_HI;
        lo = -LN2_LO;
        k = -1;
      }
    } else {
      k = (INV_LN2 * x + (x > 0 ? 0.5 : -0.5)) | 0;
      hi = x - k * LN2_HI; // exact: k·LN2_HI has trailing zeros
      lo = k * LN2_LO;
    }
    x = hi - lo;
  } else if (ax < EXP_TINY) {
    return 1 + x;
  }
  const t = x * x;
  const c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k === 0) return 1 - ((x * c) / (c - 2) - x);
  const y = 1 - (lo - (x * c) / (2 - c) - hi);
  if (k >= -1021) {
    if (k === 1024) return y * 2 * TWO1023;
    return y * EXP_SCALE[k + 1021]!;
  }
  return y * EXP_SCALE[k + 1000 + 1021]! * TWOM1000;
}

const Q1 = -3.33333333333331316428e-2;
const Q2 = 1.58730158725481460165e-3;
const Q3 = -7.93650757867487942473e-5;
const Q4 = 4.00821782732936239552e-6;
const Q5 = -2.01099218183624371326e-7;

/** e^x − 1, accurate near 0 (fdlibm's s_expm1.c). */
export function expm1(x: number): number {
  let hx = highWord(x);
  const xsb = hx >>> 31;
  hx &= 0x7fffffff;
  if (hx >= 0x4043687a) {
    // |x| >= 56 ln2
    if (hx >= 0x40862e42) {
      if (hx >= 0x7ff00000) {
        if (((hx & 0xfffff) | lowWord(x)) !== 0) return x + x;
        return xsb === 0 ? x : -1;
      }
      if (x > 7.09782712893383973096e2) return HUGE * HUGE;
    }
    if (xsb !== 0 && x + TINY < 0) return TINY - 1;
  }
  let k = 0;
  let c = 0;
  if (hx > 0x3fd62e42) {
    let hi: number;
    let lo: number;
    if (hx < 0x3ff0a2b2) {
      if (xsb === 0) {
        hi = x - LN2_HI;
        lo = LN2_LO;
        k = 1;
      } else {
        hi = x + LN2_HI;
        lo = -LN2_LO;
        k = -1;
      }
    } else {
      k = (INV_LN2 * x + (xsb === 0 ? 0.5 : -0.5)) | 0;
      hi = x - k * LN2_HI;
      lo = k * LN2_LO;
    }
    x = hi - lo;
    c = hi - x - lo;
  } else if (hx < 0x3c900000) {
    // |x| < 2^-54
    return x;
  }
  const hfx = 0.5 * x;
  const hxs = x * hfx;
  const r1 = 1 + hxs * (Q1 + hxs * (Q2 + hxs * (Q3 + hxs * (Q4 + hxs * Q5))));
  const t0 = 3 - r1 * hfx;
  let e = hxs * ((r1 - t0) / (6 - x * t0));
  if (k === 0) return x - (x * e - hxs);
  const twopk = fromWords(0x3ff00000 + (k << 20), 0);
  e = x * (e - c) - c;
  e -= hxs;
  if (k === -1) return 0.5 * (x - e) - 0.5;
  if (k === 1) return x < -0.25 ? -2 * (e - (x + 0.5)) : 1 + 2 * (x - e);
  if (k <= -2 || k > 56) {
    let y = 1 - (e - x);
    y = k === 1024 ? y * 2 * TWO1023 : y * twopk;
    return y - 1;
  }
  if (k < 20) {
    const t = fromWords(0x3ff00000 - (0x200000 >> k), 0); // 1 − 2^-k
    return (t - (e - x)) * twopk;
  }
  const t = fromWords((0x3ff - k) << 20, 0); // 2^-k
  return (x - (e + t) + 1) * twopk;
}

const LG1 = 6.66666666666673513e-1;
const LG2 = 3.999999999940941908e-1;
const LG3 = 2.857142874366239149e-1;
const LG4 = 2.222219843214978396e-1;
const LG5 = 1.818357216161805012e-1;
const LG6 = 1.531383769920937332e-1;
const LG7 = 1.479819860511658591e-1;

/** Natural logarithm, within 1 ulp (fdlibm's e_log.c). */
export function log(x: number): number {
  let hx = highWord(x);
  const lx = lowWord(x);
  let k = 0;
  if (hx < 0x00100000) {
    // x < 2^-1022
    if (((hx & 0x7fffffff) | lx) === 0) return Number.NEGATIVE_INFINITY;
    if (hx < 0) return Number.NaN;
    k -= 54;
    x *= TWO54;
    hx = highWord(x);
  }
  if (hx >= 0x7ff00000) return x + x;
  k += (hx >> 20) - 1023;
  hx &= 0x000fffff;
  let i = (hx + 0x95f64) & 0x100000;
  x = withHighWord(x, hx | (i ^ 0x3ff00000)); // x or x/2 in [sqrt(2)/2, sqrt(2))
  k += i >> 20;
  const f = x - 1;
  if ((0x000fffff & (2 + hx)) < 3) {
    // -2^-20 <= f < 2^-20
    if (f === 0) return k === 0 ? 0 : k * LN2_HI + k * LN2_LO;
    const r = f * f * (0.5 - 0.33333333333333333 * f);
    return k === 0 ? f - r : k * LN2_HI - (r - k * LN2_LO - f);
  }
  const s = f / (2 + f);
  const dk = k;
  const z = s * s;
  i = hx - 0x6147a;
  const w = z * z;
  const j = 0x6b851 - hx;
  const t1 = w * (LG2 + w * (LG4 + w * LG6));
  const t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
  i |= j;
  const r = t2 + t1;
  if (i > 0) {
    const hfsq = 0.5 * f * f;
    if (k === 0) return f - (hfsq - s * (hfsq + r));
    return dk * LN2_HI - (hfsq - (s * (hfsq + r) + dk * LN2_LO) - f);
  }
  if (k === 0) return f - s * (f - r);
  return dk * LN2_HI - (s * (f - r) - dk * LN2_LO - f);
}

/** log(1 + x), accurate near 0 (fdlibm's s_log1p.c). */
export function log1p(x: number): number {
  const hx = highWord(x);
  const ax = hx & 0x7fffffff;
  let k = 1;
  let f = 0;
  let hu = 0;
  let c = 0;
  if (hx < 0x3fda827a) {
    // 1 + x < sqrt(2)
    if (ax >= 0x3ff00000) return x === -1 ? Number.NEGATIVE_INFINITY : Number.NaN; // x <= -1
    if (ax < 0x3e200000) {
      // |x| < 2^-29
      if (ax < 0x3c900000) return x;
      return x - x * x * 0.5;
    }
    if (hx > 0 || hx <= (0xbfd2bec4 | 0)) {
      // sqrt(2)/2 <= 1 + x < sqrt(2)
      k = 0;
      f = x;
      hu = 1;
    }
  }
  if (hx >= 0x7ff00000) return x + x;
  if (k !== 0) {
    let u: number;
    if (hx < 0x43400000) {
      u = 1 + x;
      hu = highWord(u);
      k = (hu >> 20) - 1023;
      c = k > 0 ? 1 - (u - x) : x - (u - 1); // the rounding error of 1 + x
      c /= u;
    } else {
      u = x;
      hu = highWord(u);
      k = (hu >> 20) - 1023;
      c = 0;
    }
    hu &= 0x000fffff;
    if (hu < 0x6a09e) {
      u = withHighWord(u, hu | 0x3ff00000);
    } else {
      k += 1;
      u = withHighWord(u, hu | 0x3fe00000);
      hu = (0x00100000 - hu) >> 2;
    }
    f = u - 1;
  }
  const hfsq = 0.5 * f * f;
  if (hu === 0) {
    // |f| < 2^-20
    if (f === 0) {
      if (k === 0) return 0;
      c += k * LN2_LO;
      return k * LN2_HI + c;
    }
    const r = hfsq * (1 - 0.66666666666666666 * f);
    return k === 0 ? f - r : k * LN2_HI - (r - (k * LN2_LO + c) - f);
  }
  const s = f / (2 + f);
  const z = s * s;
  const r = z * (LG1 + z * (LG2 + z * (LG3 + z * (LG4 + z * (LG5 + z * (LG6 + z * LG7))))));
  if (k === 0) return f - (hfsq - s * (hfsq + r));
  return k * LN2_HI - (hfsq - (s * (hfsq + r) + (k * LN2_LO + c)) - f);
}

/** Hyperbolic tangent (fdlibm's s_tanh.c). */
export function tanh(x: number): number {
  const jx = highWord(x);
  const ix = jx & 0x7fffffff;
  if (ix >= 0x7ff00000) return jx >= 0 ? 1 / x + 1 : 1 / x - 1;
  let z: number;
  if (ix < 0x40360000) {
    // |x| < 22
    if (ix < 0x3e300000) return x; // |x| < 2^-28
    if (ix >= 0x3ff00000) {
      const t = expm1(2 * Math.abs(x));
      z = 1 - 2 / (t + 2);
    } else {
      const t = expm1(-2 * Math.abs(x));
      z = -t / (t + 2);
    }
  } else {
    z = 1 - TINY;
  }
  return jx >= 0 ? z : -z;
}
