/**
 * The deterministic elementary functions: equal to recorded bit patterns on every runtime (the
 * patterns are Node 20's `Math` on x86-64), within 1 ulp of the exact value where `Math` may
 * differ, bit-identical to `Math` on Node 20 x86-64 over a wide random sweep, and right at the
 * special values ECMAScript fixes.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import * as M from '../../src/math/index.js';

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const hex = (x: number): string => {
  f64[0] = x;
  return u32[1]!.toString(16).padStart(8, '0') + u32[0]!.toString(16).padStart(8, '0');
};
const fromHex = (h: string): number => {
  u32[1] = Number.parseInt(h.slice(0, 8), 16);
  u32[0] = Number.parseInt(h.slice(8), 16);
  return f64[0]!;
};
/** Distance in units in the last place between two finite doubles of the same sign. */
const ulps = (a: number, b: number): number => {
  const big = (x: number) => {
    f64[0] = x;
    return BigInt(u32[1]!) * 0x100000000n + BigInt(u32[0]!);
  };
  const d = big(a) - big(b);
  return Number(d < 0n ? -d : d);
};

type Fn = 'exp' | 'expm1' | 'log' | 'log1p' | 'tanh' | 'sin' | 'cos' | 'pow';
const FNS: Record<Fn, (...a: number[]) => number> = {
  exp: M.exp,
  expm1: M.expm1,
  log: M.log,
  log1p: M.log1p,
  tanh: M.tanh,
  sin: M.sin,
  cos: M.cos,
  pow: (x, y) => M.pow(x!, y!),
};
const fixture = JSON.parse(readFileSync(new URL('./fixtures/patterns.json', import.meta.url), 'utf8')) as {
  cases: [Fn, string[], string][];
};

/** xorshift64: the sweep's inputs, the same on every run. */
function inputs(seed: bigint): () => number {
  let s = seed;
  const mask = (1n << 64n) - 1n;
  return () => {
    s ^= (s << 13n) & mask;
    s ^= s >> 7n;
    s ^= (s << 17n) & mask;
    return Number(s >> 11n) / 9007199254740992;
  };
}

describe('deterministic math', () => {
  test('gives the recorded bit patterns (Node 20 x86-64 Math) for inputs the study code meets', () => {
    expect(fixture.cases.length).toBeGreaterThan(2000);
    const wrong = fixture.cases.filter(([fn, args, out]) => hex(FNS[fn](...args.map(fromHex))) !== out);
    expect(wrong.slice(0, 5)).toEqual([]);
  });

  const node20x64 = process.versions.node.startsWith('20.') && process.arch === 'x64';
  test.runIf(node20x64)('equals Node 20 x86-64 Math bit for bit over wide random sweeps', () => {
    const r = inputs(0x1234_5678_9abc_def1n);
    const sweeps: [Fn, () => number[]][] = [
      ['exp', () => [(r() * 2 - 1) * 745]],
      ['expm1', () => [(r() * 2 - 1) * 60]],
      ['log', () => [r() * 1e300 * r() ** 40]],
      ['log1p', () => [(r() * 2 - 1) * 2]],
      ['tanh', () => [(r() * 2 - 1) * 25]],
      ['sin', () => [(r() * 2 - 1) * 1e5]],
      ['cos', () => [(r() * 2 - 1) * 1e5]],
      ['pow', () => [r() * 4, (r() * 2 - 1) * 40]],
      ['pow', () => [-r() * 4, Math.floor((r() * 2 - 1) * 60)]],
      ['pow', () => [0.9, Math.floor(r() * 1e5)]],
    ];
    for (const [fn, draw] of sweeps) {
      let differ = 0;
      for (let i = 0; i < 20_000; i++) {
        const args = draw();
        // biome-ignore lint/suspicious/noExplicitAny: Math's own function, to compare with
        const expected = (Math as any)[fn](...args) as number;
        if (!Object.is(FNS[fn](...args), expected)) differ++;
      }
      expect({ fn, differ }).toEqual({ fn, differ: 0 });
    }
  });

  test.runIf(node20x64)(
    "exp equals Node 20 x86-64 Math.exp on both sides of each of its branches' ends",
    () => {
      // fdlibm's thresholds (2^-28, 0.5 ln2, 1.5 ln2, 709.78, overflow, underflow), exp's fast path's end (707),
      // where 2^k stops being normal (k = -1022, from -1021.5 ln2 on) and the subnormal results down to underflow.
      const ends = [3.725290298461914e-9, 0.3465735912322998, 1.0397205352783203, 707, 708.0498449419841];
      // fdlibm's own spellings of two thresholds, digits beyond a double's included:
      // biome-ignore lint/correctness/noPrecisionLoss: written as fdlibm writes them
      ends.push(709.782712893384, 7.09782712893383973096e2, 7.4513321910194110842e2, 0.34657359027997264);
      const next = (x: number, steps: number): number => {
        f64[0] = x;
        const big = BigInt(u32[1]!) * 0x100000000n + BigInt(u32[0]!) + BigInt(steps);
        u32[1] = Number(big >> 32n);
        u32[0] = Number(big & 0xffffffffn);
        return f64[0]!;
      };
      let differ = 0;
      let checked = 0;
      const check = (x: number) => {
        checked++;
        if (!Object.is(M.exp(x), Math.exp(x))) differ++;
      };
      for (const end of ends)
        for (let s = -2000; s <= 2000; s++) {
          check(next(end, s));
          check(-next(end, s));
        }
      for (let x = -746; x < -700; x += 1e-3) check(x);
      for (let x = 700; x < 710; x += 1e-3) check(x);
      for (const x of [1, -1, 0, -0, Number.NaN, Number.MIN_VALUE, -Number.MIN_VALUE, 1e308, -1e308])
        check(x);
      expect({ checked, differ }).toEqual({ checked, differ: 0 });
    },
  );

  test('is within 1 ulp of the exact value far out (huge sin/cos arguments reduced with BigInt)', () => {
    // Exact values from mpmath at 3,000 bits.
    expect(ulps(M.sin(7.327781152500507e244), -0.7499404850828223)).toBeLessThanOrEqual(1);
    expect(ulps(M.sin(-6.2818093706698575e299), -0.15232261025509244)).toBeLessThanOrEqual(1);
    expect(ulps(M.cos(3.8842264428247053e295), 0.7341048413185544)).toBeLessThanOrEqual(1);
    expect(ulps(M.sin(1e22), -0.8522008497671888)).toBeLessThanOrEqual(1);
  });

  test('keeps ECMAScript special values', () => {
    expect(M.exp(Number.NEGATIVE_INFINITY)).toBe(0);
    expect(M.exp(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
    expect(M.exp(1000)).toBe(Number.POSITIVE_INFINITY);
    expect(M.exp(-1000)).toBe(0);
    expect(M.exp(1)).toBe(Math.E);
    expect(M.exp(-0)).toBe(1);
    expect(M.log(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(M.log(-1)).toBeNaN();
    expect(M.log(1)).toBe(0);
    expect(M.log(Number.MIN_VALUE)).toBe(-744.4400719213812);
    expect(M.log1p(-1)).toBe(Number.NEGATIVE_INFINITY);
    expect(M.log1p(-2)).toBeNaN();
    expect(Object.is(M.log1p(-0), -0)).toBe(true);
    expect(M.expm1(Number.NEGATIVE_INFINITY)).toBe(-1);
    expect(M.tanh(Number.POSITIVE_INFINITY)).toBe(1);
    expect(M.tanh(-30)).toBe(-1);
    expect(M.sin(Number.POSITIVE_INFINITY)).toBeNaN();
    expect(Object.is(M.sin(-0), -0)).toBe(true);
    expect(M.cos(0)).toBe(1);
    expect(M.pow(Number.NaN, 0)).toBe(1);
    expect(M.pow(1, Number.POSITIVE_INFINITY)).toBeNaN();
    expect(M.pow(-1, Number.NEGATIVE_INFINITY)).toBeNaN();
    expect(M.pow(1, Number.NaN)).toBeNaN();
    expect(M.pow(-8, 1 / 3)).toBeNaN();
    expect(M.pow(-2, 3)).toBe(-8);
    expect(M.pow(-0, -3)).toBe(Number.NEGATIVE_INFINITY);
    expect(M.pow(0, -2)).toBe(Number.POSITIVE_INFINITY);
    expect(M.pow(2, -1074)).toBe(Number.MIN_VALUE);
    expect(M.pow(2, 1024)).toBe(Number.POSITIVE_INFINITY);
    expect(M.pow(10, 22)).toBe(1e22);
    expect(M.pow(3, 0.5)).toBe(Math.sqrt(3));
  });

  test('pow2 builds exact powers of two, subnormals included, and refuses the rest', () => {
    let up = 1;
    let down = 1;
    for (let k = 0; k <= 1074; k++) {
      if (k <= 1023) expect(M.pow2(k)).toBe(up);
      expect(M.pow2(-k)).toBe(down);
      up *= 2;
      down /= 2; // exact down to the smallest subnormal
    }
    expect(() => M.pow2(1024)).toThrow(/pow2\(1024\)/);
    expect(() => M.pow2(0.5)).toThrow(RangeError);
  });

  test('erfc is within its stated error (1.2e-7 relative) and exactly 2 far left', () => {
    // erfc(x) from mpmath.
    const exact: [number, number][] = [
      [0, 1],
      [0.5, 0.4795001221869535],
      [1, 0.15729920705028513],
      [2.5, 0.0004069520174449589],
      [-1, 1.8427007929497148],
    ];
    for (const [x, e] of exact) expect(Math.abs(M.erfc(x) - e) / e).toBeLessThan(1.2e-7);
    expect(M.erfc(-7)).toBe(2);
  });
});
