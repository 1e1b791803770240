import { describe, expect, it } from 'vitest';
import { Stream } from '../../src/rng/index.js';
import { NumericParzen, ParzenScratch } from '../../src/samplers/parzen.js';

// NumericParzen.logPdf(x, stopAt) gives either exactly logPdf(x), or +Infinity when the density reaches
// stopAt; and an estimator built in a scratch, or from presorted values, has the same densities.

function estimatorInputs(n: number, seed: number) {
  const s = Stream.of(seed, 'parzen-stop');
  const mus = Float64Array.from({ length: n }, (_, i) => {
    const u = s.float();
    if (i % 5 === 0) return u;
    if (i % 17 === 0) return i % 2 === 0 ? u * 0.02 : 1 - u * 0.02 - 1e-9;
    if (i % 11 === 0) return 0; // ties at the edge
    return Math.min(0.999, Math.max(0, 0.3 + (u - 0.5) * 0.08));
  });
  const weights = Float64Array.from({ length: n }, (_, i) =>
    n >= 25 && i < n - 25 ? 1 / n + ((1 - 1 / n) * i) / Math.max(1, n - 26) : 1,
  );
  return { mus, weights };
}

describe('NumericParzen.logPdf with stopAt', () => {
  it('is the exact density, or Infinity only where the density reaches stopAt', () => {
    let stopped = 0;
    for (const [k, n] of [10, 120, 600, 2500].entries()) {
      const { mus, weights } = estimatorInputs(n, k);
      const est = new NumericParzen(mus, weights, 1);
      const s = Stream.of(k, 'x');
      for (let i = 0; i < 400; i++) {
        const x = s.float();
        const full = est.logPdf(x);
        const stopAt = Math.exp(full + (s.float() - 0.5) * 4);
        const r = est.logPdf(x, stopAt);
        if (r === Number.POSITIVE_INFINITY) {
          stopped++;
          expect(Math.exp(full)).toBeGreaterThanOrEqual(stopAt * (1 - 1e-12));
        } else {
          expect(Object.is(r, full)).toBe(true);
        }
      }
    }
    expect(stopped).toBeGreaterThan(100);
  });

  it('presorted input and a reused scratch give the same bits as a fresh estimator', () => {
    const scratch = new ParzenScratch();
    for (const [k, n] of [3, 50, 400, 3000, 700].entries()) {
      const { mus, weights } = estimatorInputs(n, 10 + k);
      const fresh = new NumericParzen(mus, weights, 1);
      // Sorted by (value, position), as sortUnit sorts.
      const order = Array.from(mus.keys()).sort((a, b) => mus[a]! - mus[b]! || a - b);
      const reused = new NumericParzen(
        Float64Array.from(order, (o) => mus[o]!),
        Float64Array.from(order, (o) => weights[o]!),
        1,
        true,
        scratch,
      );
      for (let i = 0; i <= 1000; i++) {
        const x = i / 1000;
        expect(Object.is(reused.logPdf(x), fresh.logPdf(x))).toBe(true);
      }
    }
  });
});
