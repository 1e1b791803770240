import type { Task } from '../data/types.js';
import { ConfigError } from '../errors.js';
import { exp, log } from '../math/index.js';
import type { Direction } from '../types.js';
import type { EpochMetrics, MetricName } from './types.js';

/**
 * Metrics in plain JavaScript, in float64, in a fixed order of operations: the same predictions
 * give the same bits on every backend and every platform.
 */

export const METRIC_DIRECTION: Readonly<Record<MetricName, Direction>> = {
  accuracy: 'maximize',
  log_loss: 'minimize',
  roc_auc: 'maximize',
  rmse: 'minimize',
  mae: 'minimize',
  r2: 'maximize',
};

/** The metrics measured for each task, in the order they are reported. */
export const TASK_METRICS: Readonly<Record<Task, readonly MetricName[]>> = {
  binary: ['accuracy', 'log_loss', 'roc_auc'],
  multiclass: ['accuracy', 'log_loss', 'roc_auc'],
  regression: ['rmse', 'mae', 'r2'],
};

const EPS = 1e-7;

export function defaultMetric(task: Task): MetricName {
  return task === 'regression' ? 'rmse' : 'accuracy';
}

/** @throws ConfigError when the metric is not measured for the task. */
export function checkMetric(task: Task, metric: MetricName): MetricName {
  if (!TASK_METRICS[task].includes(metric)) {
    throw new ConfigError(
      `metric: '${metric}' does not apply to a ${task} task; expected one of ${TASK_METRICS[task].join(', ')}`,
    );
  }
  return metric;
}

export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + exp(-z));
  const e = exp(z);
  return e / (1 + e);
}

/** Row-wise softmax of n × k logits, stable (max subtracted), into float64. */
export function softmaxRows(logits: ArrayLike<number>, k: number): Float64Array {
  const n = logits.length / k;
  const out = new Float64Array(logits.length);
  for (let i = 0; i < n; i++) {
    let max = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < k; c++) max = Math.max(max, logits[i * k + c]!);
    let sum = 0;
    for (let c = 0; c < k; c++) {
      const e = exp(logits[i * k + c]! - max);
      out[i * k + c] = e;
      sum += e;
    }
    for (let c = 0; c < k; c++) out[i * k + c] = out[i * k + c]! / sum;
  }
  return out;
}

/** Fraction of equal labels. */
export function accuracy(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  let hit = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) hit++;
  return hit / yTrue.length;
}

/**
 * Mean negative log-likelihood. `probs` is n × k row-major; for k = 1 it holds P(class 1) of a
 * binary task. Probabilities are clipped to [1e-7, 1 − 1e-7].
 */
export function logLoss(yTrue: ArrayLike<number>, probs: ArrayLike<number>, k = 1): number {
  const n = yTrue.length;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const y = yTrue[i]!;
    const p = k === 1 ? (y === 1 ? probs[i]! : 1 - probs[i]!) : probs[i * k + y]!;
    sum -= log(Math.min(Math.max(p, EPS), 1 - EPS));
  }
  return sum / n;
}

/**
 * Binary ROC AUC by ranks (Mann–Whitney U), tied scores sharing their average rank.
 * NaN when one class is absent.
 */
export function binaryAuc(positive: ArrayLike<boolean>, scores: ArrayLike<number>): number {
  const n = scores.length;
  let nPos = 0;
  for (let i = 0; i < n; i++) if (positive[i]) nPos++;
  const buf = new Float64Array(n);
  let p = 0;
  let q = nPos;
  for (let i = 0; i < n; i++) buf[positive[i] ? p++ : q++] = scores[i]!;
  return aucOfParts(buf, nPos, () => rankAuc(positive, scores));
}

/**
 * The AUC of `buf`, which holds the positives' scores in [0, nPos) and the negatives' after them (both parts are
 * sorted here, in place). The U statistic is counted by merging the two sorted parts: every (positive,
 * negative) pair with the positive above counts 1, a tie 1/2. U is a sum of halves below 2^52, so exact, and
 * equal to the rank sum minus nPos(nPos+1)/2 of the ranking definition: the same number, the same bits, in
 * O(n log n) on typed arrays, without ranking a comparator sort of indices. A NaN score has no place in an
 * order, so with one the ranking definition decides (`byRanks`: rankAuc).
 */
function aucOfParts(buf: Float64Array, nPos: number, byRanks: () => number): number {
  const n = buf.length;
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return Number.NaN;
  for (let i = 0; i < n; i++) if (Number.isNaN(buf[i]!)) return byRanks();
  const pos = buf.subarray(0, nPos).sort();
  const neg = buf.subarray(nPos).sort();
  // below: negatives < the current positive; upTo: negatives ≤ it (−0 and 0 are one score, as ===).
  let u = 0;
  let below = 0;
  let upTo = 0;
  for (let i = 0; i < nPos; i++) {
    const s = pos[i]!;
    while (below < nNeg && neg[below]! < s) below++;
    if (upTo < below) upTo = below;
    while (upTo < nNeg && neg[upTo]! <= s) upTo++;
    u += below + (upTo - below) / 2;
  }
  return u / (nPos * nNeg);
}

/** The AUC by its definition: ranks by a sort of indices, ties sharing their average rank. */
function rankAuc(positive: ArrayLike<boolean>, scores: ArrayLike<number>): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]! || a - b);
  let nPos = 0;
  let rankSum = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const rank = (i + j) / 2 + 1; // average 1-based rank of the tie group i..j
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
}

/**
 * ROC AUC: binary (k = 1, scores of class 1), or the macro average of one-vs-rest AUCs over the
 * classes present with both positives and negatives (k > 1, n × k scores).
 */
export function rocAuc(yTrue: ArrayLike<number>, scores: ArrayLike<number>, k = 1): number {
  const n = yTrue.length;
  const buf = new Float64Array(n);
  // One-vs-rest for class c (k > 1), or class 1 against the rest (k = 1).
  const oneVsRest = (c: number, col: number): number => {
    let nPos = 0;
    for (let i = 0; i < n; i++) if (yTrue[i] === c) nPos++;
    let p = 0;
    let q = nPos;
    for (let i = 0; i < n; i++) buf[yTrue[i] === c ? p++ : q++] = scores[i * k + col]!;
    return aucOfParts(buf, nPos, () =>
      rankAuc(
        Array.from({ length: n }, (_, i) => yTrue[i] === c),
        Array.from({ length: n }, (_, i) => scores[i * k + col]!),
      ),
    );
  };
  if (k === 1) return oneVsRest(1, 0);
  let sum = 0;
  let classes = 0;
  for (let c = 0; c < k; c++) {
    const auc = oneVsRest(c, c);
    if (!Number.isNaN(auc)) {
      sum += auc;
      classes++;
    }
  }
  return classes === 0 ? Number.NaN : sum / classes;
}

export function rmse(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const d = yTrue[i]! - yPred[i]!;
    s += d * d;
  }
  return Math.sqrt(s / yTrue.length);
}

export function mae(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < yTrue.length; i++) s += Math.abs(yTrue[i]! - yPred[i]!);
  return s / yTrue.length;
}

/** Coefficient of determination, 1 − SS_res / SS_tot (SS_tot around the mean of yTrue). */
export function r2(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  const n = yTrue.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += yTrue[i]!;
  mean /= n;
  let res = 0;
  let tot = 0;
  for (let i = 0; i < n; i++) {
    const r = yTrue[i]! - yPred[i]!;
    const d = yTrue[i]! - mean;
    res += r * r;
    tot += d * d;
  }
  return 1 - res / tot;
}

/**
 * Every metric of the task, from the model's raw outputs: logits (binary: n, multiclass: n × k)
 * or standardised values (regression, turned back into the target's units with targetScale).
 */
export function metricsFor(
  task: Task,
  outputs: ArrayLike<number>,
  y: ArrayLike<number>,
  nOutputs: number,
  targetScale?: { mean: number; std: number },
): EpochMetrics {
  const n = y.length;
  switch (task) {
    case 'binary': {
      const probs = Float64Array.from({ length: n }, (_, i) => sigmoid(outputs[i]!));
      const labels = Float64Array.from({ length: n }, (_, i) => (outputs[i]! > 0 ? 1 : 0));
      // Ranked by logit, not probability: the sigmoid saturates in float64 and would invent ties.
      return {
        accuracy: accuracy(y, labels),
        log_loss: logLoss(y, probs, 1),
        roc_auc: rocAuc(y, outputs, 1),
      };
    }
    case 'multiclass': {
      const k = nOutputs;
      const probs = softmaxRows(outputs, k);
      const labels = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let best = 0;
        for (let c = 1; c < k; c++) if (outputs[i * k + c]! > outputs[i * k + best]!) best = c;
        labels[i] = best;
      }
      return { accuracy: accuracy(y, labels), log_loss: logLoss(y, probs, k), roc_auc: rocAuc(y, probs, k) };
    }
    case 'regression': {
      const mean = targetScale?.mean ?? 0;
      const std = targetScale?.std ?? 1;
      const yt = Float64Array.from({ length: n }, (_, i) => y[i]! * std + mean);
      const yp = Float64Array.from({ length: n }, (_, i) => outputs[i]! * std + mean);
      return { rmse: rmse(yt, yp), mae: mae(yt, yp), r2: r2(yt, yp) };
    }
    default: {
      const never: never = task;
      throw new Error(`unknown task ${String(never)}`);
    }
  }
}
