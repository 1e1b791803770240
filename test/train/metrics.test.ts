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
