import { describe, expect, it } from 'vitest';
import { splitHoldout, splitKFold } from '../../src/data/split.js';
import type { SplitIndices } from '../../src/data/types.js';
import { expectLockstepError, thrown } from './helpers.js';

const holdout = { kind: 'holdout', train: 0.6, validation: 0.2, test: 0.2 } as const;

function all(s: SplitIndices): number[] {
  return [...s.train, ...s.validation, ...s.test].sort((a, b) => a - b);
}

function isSorted(a: Uint32Array): boolean {
  for (let i = 1; i < a.length; i++) if (a[i - 1]! >= a[i]!) return false;
  return true;
}

describe('splitHoldout', () => {
  it('partitions the rows into sorted parts of the asked sizes', () => {
    const s = splitHoldout(100, holdout, 7);
    expect(all(s)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect([s.train.length, s.validation.length, s.test.length]).toEqual([60, 20, 20]);
    expect(isSorted(s.train) && isSorted(s.validation) && isSorted(s.test)).toBe(true);
  });

  it('the same seed gives the same split; another seed another', () => {
    const a = splitHoldout(500, holdout, 1);
    const b = splitHoldout(500, holdout, 1);
    const c = splitHoldout(500, holdout, 2);
    expect(b).toEqual(a);
    expect(c.test).not.toEqual(a.test);
  });

  it('stratification keeps each class within one row of its share in every part', () => {
    // Uneven classes: 97, 31 and 7 rows, interleaved.
    const labels: number[] = [];
    for (let i = 0; i < 97; i++) labels.push(0);
    for (let i = 0; i < 31; i++) labels.push(1);
    for (let i = 0; i < 7; i++) labels.push(2);
    const shuffled = labels
      .map((l, i) => ({ l, k: (i * 7919) % 135 }))
      .sort((a, b) => a.k - b.k)
      .map((o) => o.l);
    for (const seed of [0, 1, 2, 3]) {
      const s = splitHoldout(shuffled.length, holdout, seed, shuffled);
      for (const [part, frac] of [
        [s.train, 0.6],
        [s.validation, 0.2],
        [s.test, 0.2],
      ] as const) {
        for (const [cls, size] of [
          [0, 97],
          [1, 31],
          [2, 7],
        ]) {
          const count = [...part].filter((r) => shuffled[r] === cls).length;
          expect(Math.abs(count - size! * frac)).toBeLessThanOrEqual(1);
        }
      }
      expect(all(s)).toEqual(Array.from({ length: shuffled.length }, (_, i) => i));
    }
  });

  it('no part with a positive fraction is empty when n allows it', () => {
    const s = splitHoldout(3, { kind: 'holdout', train: 0.9, validation: 0.05, test: 0.05 }, 0);
    expect([s.train.length, s.validation.length, s.test.length]).toEqual([1, 1, 1]);
    const e = thrown(() => splitHoldout(2, holdout, 0));
    expectLockstepError(e, 'E_DATA', 'cannot split 2 rows into 3 non-empty parts');
  });

  it('fractions must sum to 1', () => {
    const e = thrown(() => splitHoldout(10, { kind: 'holdout', train: 0.6, validation: 0.3, test: 0.2 }, 0));
    expectLockstepError(e, 'E_CONFIG', 'must be 1', '0.6 + 0.3 + 0.2');
    expectLockstepError(
      thrown(() => splitHoldout(10, { kind: 'holdout', train: 1.2, validation: -0.1, test: -0.1 }, 0)),
      'E_CONFIG',
      'split.train',
    );
  });

  it('a zero fraction gives an empty part', () => {
    const s = splitHoldout(10, { kind: 'holdout', train: 0.8, validation: 0, test: 0.2 }, 0);
    expect([s.train.length, s.validation.length, s.test.length]).toEqual([8, 0, 2]);
  });
});

describe('splitKFold', () => {
  const labels = Array.from({ length: 103 }, (_, i) => (i % 5 === 0 ? 1 : 0));

  it('validation parts over all folds partition the non-test rows; the test part is shared', () => {
    const k = 5;
    const folds = Array.from({ length: k }, (_, fold) =>
      splitKFold(103, { kind: 'kfold', k, fold, test: 0.2 }, 9),
    );
    const test = folds[0]!.test;
    const seen = new Set<number>(test);
    for (const f of folds) {
      expect(f.test).toEqual(test);
      expect(all(f)).toEqual(Array.from({ length: 103 }, (_, i) => i));
      for (const r of f.validation) {
        expect(seen.has(r)).toBe(false);
        seen.add(r);
      }
      expect(f.train.length + f.validation.length + f.test.length).toBe(103);
    }
    expect(seen.size).toBe(103);
    const sizes = folds.map((f) => f.validation.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });

  it('is stratified: each fold holds each class within one row of its share', () => {
    const k = 4;
    for (let fold = 0; fold < k; fold++) {
      const s = splitKFold(103, { kind: 'kfold', k, fold, test: 0 }, 3, labels);
      const ones = [...s.validation].filter((r) => labels[r] === 1).length;
      expect(Math.abs(ones - 21 / k)).toBeLessThanOrEqual(1);
    }
  });

  it('depends on the seed', () => {
    const spec = { kind: 'kfold', k: 3, fold: 1, test: 0.1 } as const;
    expect(splitKFold(60, spec, 1)).toEqual(splitKFold(60, spec, 1));
    expect(splitKFold(60, spec, 2).validation).not.toEqual(splitKFold(60, spec, 1).validation);
  });

  it('rejects a bad k or fold, and too few rows', () => {
    expectLockstepError(
      thrown(() => splitKFold(10, { kind: 'kfold', k: 1, fold: 0, test: 0 }, 0)),
      'E_CONFIG',
      'split.k',
    );
    expectLockstepError(
      thrown(() => splitKFold(10, { kind: 'kfold', k: 3, fold: 3, test: 0 }, 0)),
      'E_CONFIG',
      'split.fold',
      '[0, 2]',
    );
    expectLockstepError(
      thrown(() => splitKFold(4, { kind: 'kfold', k: 5, fold: 0, test: 0 }, 0)),
      'E_DATA',
      '5 non-empty folds',
    );
  });
});
