import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  accuracy,
  checkMetric,
  defaultMetric,
  logLoss,
  METRIC_DIRECTION,
  mae,
  metricsFor,
  r2,
  rmse,
  rocAuc,
} from '../../src/train/metrics.js';

/** ROC AUC as it was first written (ranks from a comparator sort of indices): the bits rocAuc must keep. */
function rankDefinitionAuc(yTrue: ArrayLike<number>, scores: ArrayLike<number>, k = 1): number {
  const one = (positive: boolean[], s: number[]): number => {
    const n = s.length;
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => s[a]! - s[b]! || a - b);
    let nPos = 0;
    let rankSum = 0;
    for (let i = 0; i < n; ) {
      let j = i;
      while (j + 1 < n && s[order[j + 1]!] === s[order[i]!]) j++;
      const rank = (i + j) / 2 + 1;
      for (let t = i; t <= j; t++) {
        if (positive[order[t]!]) {
          nPos++;
          rankSum += rank;
        }
      }
      i = j + 1;
    }
    const nNeg = n - nPos;
    if (nPos === 0 || nNeg === 0) return Number.NaN;
    return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
  };
  const n = yTrue.length;
  if (k === 1)
    return one(
      Array.from({ length: n }, (_, i) => yTrue[i] === 1),
      Array.from(scores),
    );
  let sum = 0;
  let classes = 0;
  for (let c = 0; c < k; c++) {
    const auc = one(
      Array.from({ length: n }, (_, i) => yTrue[i] === c),
      Array.from({ length: n }, (_, i) => scores[i * k + c]!),
    );
    if (!Number.isNaN(auc)) {
      sum += auc;
      classes++;
    }
  }
  return classes === 0 ? Number.NaN : sum / classes;
}

describe('metrics against hand-computed values', () => {
  test('accuracy counts equal labels', () => {
    expect(accuracy([0, 1, 1, 0], [0, 1, 0, 0])).toBe(0.75);
  });

  test('binary AUC gives tied scores their average rank', () => {
    // Pairs (pos, neg): pos scores 0.8, 0.4; neg scores 0.4, 0.1.
    // (0.8>0.4)=1, (0.8>0.1)=1, (0.4=0.4)=0.5, (0.4>0.1)=1 → 3.5 / 4.
    expect(rocAuc([1, 0, 1, 0], [0.8, 0.4, 0.4, 0.1])).toBe(0.875);
    // All scores tied: 0.5.
    expect(rocAuc([1, 0, 1, 0], [0.3, 0.3, 0.3, 0.3])).toBe(0.5);
    // Perfectly reversed: 0.
    expect(rocAuc([1, 1, 0, 0], [0.1, 0.2, 0.3, 0.4])).toBe(0);
  });

  test('AUC is NaN when a class is absent', () => {
    expect(rocAuc([1, 1], [0.1, 0.2])).toBeNaN();
  });

  test('multiclass AUC is the macro average of one-vs-rest AUCs', () => {
    // 3 rows, 3 classes, row-major scores.
    const y = [0, 1, 2];
    const scores = [0.7, 0.2, 0.1, 0.6, 0.3, 0.1, 0.1, 0.5, 0.4];
    // class 0: pos 0.7 vs neg 0.6, 0.1 → 1; class 1: pos 0.3 vs 0.2, 0.5 → 0.5; class 2: pos 0.4 vs 0.1, 0.1 → 1.
    expect(rocAuc(y, scores, 3)).toBeCloseTo(2.5 / 3, 15);
  });

  test('log loss, binary and multiclass, with clipping', () => {
    expect(logLoss([1, 0], [0.8, 0.4])).toBeCloseTo(-(Math.log(0.8) + Math.log(0.6)) / 2, 15);
    expect(logLoss([1], [0])).toBeCloseTo(-Math.log(1e-7), 12);
    expect(logLoss([2, 0], [0.2, 0.3, 0.5, 0.9, 0.05, 0.05], 3)).toBeCloseTo(
      -(Math.log(0.5) + Math.log(0.9)) / 2,
      15,
    );
  });

  test('rmse, mae and r2', () => {
    const y = [1, 2, 3, 4];
    const p = [1, 2, 3, 6];
    expect(rmse(y, p)).toBe(1);
    expect(mae(y, p)).toBe(0.5);
    // SS_res = 4, SS_tot = 5 → r2 = 0.2.
    expect(r2(y, p)).toBeCloseTo(0.2, 15);
  });

  test('regression metrics are in the target’s original units', () => {
    // Standardised y and predictions; std 10 scales errors by 10, r2 is unchanged.
    const m = metricsFor('regression', new Float32Array([0, 1]), new Float32Array([0, 0.5]), 1, {
      mean: 3,
      std: 10,
    });
    expect(m.mae).toBeCloseTo(2.5, 6);
    expect(m.rmse).toBeCloseTo(Math.sqrt(25 / 2), 6);
    expect(m.r2).toBeCloseTo(1 - 25 / 12.5, 6);
  });

  test('binary metrics come from logits: label 1 when the logit is positive', () => {
    const m = metricsFor('binary', new Float32Array([2, -1, 0.5, -3]), new Float32Array([1, 0, 0, 0]), 1);
    expect(m.accuracy).toBe(0.75);
    expect(m.roc_auc).toBe(1);
    expect(Object.keys(m)).toEqual(['accuracy', 'log_loss', 'roc_auc']);
  });

  test('multiclass accuracy takes the argmax of the logits', () => {
    const m = metricsFor('multiclass', new Float32Array([1, 5, 0, 3, 1, 2]), new Float32Array([1, 2]), 3);
    expect(m.accuracy).toBe(0.5);
  });

  test('directions, defaults and task checks', () => {
    expect(METRIC_DIRECTION.accuracy).toBe('maximize');
    expect(METRIC_DIRECTION.rmse).toBe('minimize');
    expect(METRIC_DIRECTION.log_loss).toBe('minimize');
    expect(defaultMetric('binary')).toBe('accuracy');
    expect(defaultMetric('regression')).toBe('rmse');
    expect(() => checkMetric('binary', 'rmse')).toThrow("metric: 'rmse' does not apply to a binary task");
  });
});

describe('ROC AUC keeps the bits of its rank definition', () => {
  // Few distinct values, so that ties are common; ±0, ±Infinity and NaN among them.
  const score = fc.oneof(
    fc.constantFrom(0, -0, 0.5, 1, -1, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
    fc.integer({ min: -4, max: 4 }).map((i) => i / 4),
    fc.double({ noNaN: true }),
    fc.constant(Number.NaN),
  );
  test('binary: the U count by merging sorted parts equals the rank sum, bit for bit', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), score), { maxLength: 60 }), (rows) => {
        const y = rows.map((r) => r[0]);
        const s = new Float64Array(rows.map((r) => r[1]));
        expect(Object.is(rocAuc(y, s), rankDefinitionAuc(y, s))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
  test('multiclass: each one-vs-rest AUC and their mean, bit for bit', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 6 }).chain((k) =>
          fc.tuple(
            fc.constant(k),
            fc.array(
              fc.tuple(fc.integer({ min: 0, max: k - 1 }), fc.array(score, { minLength: k, maxLength: k })),
              {
                maxLength: 40,
              },
            ),
          ),
        ),
        ([k, rows]) => {
          const y = rows.map((r) => r[0]);
          const s = new Float64Array(rows.flatMap((r) => r[1]));
          expect(Object.is(rocAuc(y, s, k), rankDefinitionAuc(y, s, k))).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
