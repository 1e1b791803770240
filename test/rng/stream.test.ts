import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Stream } from '../../src/rng/index.js';

describe('Stream.fillThreshold', () => {
  it('draws exactly what uint32() would, and leaves the stream where uint32() would', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.integer({ min: 0, max: 700 }),
        fc.double({ min: 0, max: 0.99, noNaN: true }),
        (seed, n, p) => {
          const a = Stream.of(seed, 'dropout', 1);
          const b = Stream.of(seed, 'dropout', 1);
          const threshold = p * 0x100000000;
          const scale = 1 / (1 - p);
          const fast = new Float32Array(n + 3).fill(7);
          a.fillThreshold(fast, n, threshold, scale);
          const slow = new Float32Array(n + 3).fill(7);
          for (let i = 0; i < n; i++) slow[i] = b.uint32() >= threshold ? scale : 0;
          expect(Buffer.from(fast.buffer).equals(Buffer.from(slow.buffer))).toBe(true);
          // The values past n are untouched, and both streams continue identically.
          expect(fast[n]).toBe(7);
          expect([a.uint32(), a.float(), a.int(0, 9)]).toEqual([b.uint32(), b.float(), b.int(0, 9)]);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps a fraction near 1 − p and scales the kept values', () => {
    const m = new Float32Array(100_000);
    Stream.of(3, 'x').fillThreshold(m, m.length, 0.25 * 0x100000000, 1 / 0.75);
    const kept = m.filter((v) => v !== 0);
    expect(kept.length / m.length).toBeGreaterThan(0.74);
    expect(kept.length / m.length).toBeLessThan(0.76);
    expect(new Set(kept).size).toBe(1);
    expect(kept[0]).toBe(Math.fround(1 / 0.75));
  });
});
