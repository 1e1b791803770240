import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PruneContext, Pruner } from '../../src/pruners/types.js';
import type { FinishedTrial } from '../../src/samplers/types.js';
import type { Direction } from '../../src/train/types.js';

/** A seeded mulberry32 in [0, 1): test data without Math.random. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** A finished trial with a curve (values of the study's metric per epoch). */
export function trial(
  index: number,
  curve: number[],
  state: FinishedTrial['state'] = 'complete',
): FinishedTrial {
  return {
    index,
    params: { x: index },
    state,
    value: state === 'failed' ? undefined : curve[curve.length - 1],
    intermediate: curve,
  };
}

/**
 * `n` finished trials whose curves improve (lower) with the epoch from a random level; for maximize the
 * values are mirrored (1 − v), so that the same trials rank the same way in both directions.
 */
export function history(n: number, epochs: number, seed: number, direction: Direction): FinishedTrial[] {
  const r = lcg(seed);
  return Array.from({ length: n }, (_, i) => {
    const level = r();
    const curve = Array.from({ length: epochs }, (_, e) => level / (1 + e) + 0.01 * r());
    return trial(i, direction === 'maximize' ? curve.map((v) => 1 - v) : curve);
  });
}

const mirror = (h: FinishedTrial[]): FinishedTrial[] =>
  h.map((t) =>
    trial(
      t.index,
      t.intermediate.map((v) => 1 - v),
      t.state,
    ),
  );

function deepFreeze<T>(x: T): T {
  if (x !== null && typeof x === 'object') {
    for (const v of Object.values(x)) deepFreeze(v);
    Object.freeze(x);
  }
  return x;
}

/**
 * The contract every Pruner keeps (src/pruners/types.ts): a pure function of (history, curve, context),
 * never reading Math.random or mutating its arguments; it never prunes before its warm-up (`warmup`
 * epochs, or with no visible trials); and it respects the direction: mirroring every value and the
 * direction gives the same decisions, and it prunes a trial that is the worst at every epoch somewhere
 * (so that the other checks are not vacuous) but never the best.
 */
export function prunerContract(
  name: string,
  factory: () => Pruner,
  o: { warmup: number; epochs: number; visible: number; index?: number },
): void {
  describe(`Pruner contract: ${name}`, () => {
    const original = Math.random;
    beforeEach(() => {
      Math.random = () => {
        throw new Error('a pruner read Math.random');
      };
    });
    afterEach(() => {
      Math.random = original;
    });
    const ctx = (index: number, direction: Direction): PruneContext => ({ index, seed: 5, direction });
    const index = o.index ?? o.visible + 2;

    it('gives the same answer for the same arguments, from a fresh instance, without mutating them', () => {
      for (const direction of ['minimize', 'maximize'] as const) {
        for (let seed = 1; seed <= 20; seed++) {
          const h = deepFreeze(history(o.visible, o.epochs, seed, direction));
          const r = lcg(seed + 100);
          const curve = deepFreeze(Array.from({ length: o.epochs }, () => r()));
          for (let e = 1; e <= o.epochs; e++) {
            const c = curve.slice(0, e);
            const a = factory().shouldPrune(h, c, ctx(index, direction));
            const p = factory();
            p.shouldPrune(history(o.visible, o.epochs, seed + 1, direction), c, ctx(index, direction));
            expect(p.shouldPrune(h, c, ctx(index, direction))).toBe(a);
          }
        }
      }
    });

    it('never prunes during its warm-up, nor with no visible trials', () => {
      const p = factory();
      for (const direction of ['minimize', 'maximize'] as const) {
        const worst = direction === 'minimize' ? 1e9 : -1e9;
        for (let seed = 1; seed <= 10; seed++) {
          const h = history(o.visible, o.epochs, seed, direction);
          for (let e = 1; e <= o.warmup; e++) {
            expect(p.shouldPrune(h, Array(e).fill(worst), ctx(index, direction))).toBe(false);
          }
        }
        for (let e = 1; e <= o.epochs; e++) {
          expect(p.shouldPrune([], Array(e).fill(worst), ctx(index, direction))).toBe(false);
        }
      }
    });

    it('respects the direction: mirrored values and direction give the same decisions', () => {
      const p = factory();
      let pruned = 0;
      for (let seed = 1; seed <= 30; seed++) {
        const h = history(o.visible, o.epochs, seed, 'minimize');
        const r = lcg(seed + 7);
        const curve = Array.from({ length: o.epochs }, () => r());
        for (let e = 1; e <= o.epochs; e++) {
          const c = curve.slice(0, e);
          const min = p.shouldPrune(h, c, ctx(index, 'minimize'));
          const max = p.shouldPrune(
            mirror(h),
            c.map((v) => 1 - v),
            ctx(index, 'maximize'),
          );
          expect(max).toBe(min);
          if (min) pruned++;
        }
      }
      expect(pruned).toBeGreaterThan(0);
    });

    it('prunes the worst trial at some epoch, and never the best', () => {
      for (const direction of ['minimize', 'maximize'] as const) {
        const p = factory();
        const h = history(o.visible, o.epochs, 3, direction);
        const [worst, best] = direction === 'minimize' ? [1e6, -1e6] : [-1e6, 1e6];
        let prunedWorst = false;
        for (let e = 1; e <= o.epochs; e++) {
          prunedWorst ||= p.shouldPrune(h, Array(e).fill(worst), ctx(index, direction));
          expect(p.shouldPrune(h, Array(e).fill(best), ctx(index, direction))).toBe(false);
        }
        expect(prunedWorst).toBe(true);
      }
    });
  });
}
