/**
 * Which epochs the ledger records (src/ledger/progress.ts): a pure rule of the position and the trial's epoch
 * count, bounded per attempt, and the curve the samplers see is the same from a live history as from the records.
 */
import { describe, expect, test } from 'vitest';
import {
  curveOfHistory,
  curveOfProgress,
  isRecordedEpoch,
  isSampledEpoch,
  recordedEpochs,
  recordedOf,
} from '../../src/ledger/progress.js';
import { MAX_EPOCHS } from '../../src/train/params.js';

describe('recorded epochs', () => {
  test('every epoch up to 100, then every 10th, 100th, 1,000th per decade', () => {
    expect(recordedEpochs(100)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(recordedEpochs(1000).slice(100, 103)).toEqual([110, 120, 130]);
    expect([101, 109, 990, 1000, 1010, 1100, 10_000, 10_100, 11_000].map(isSampledEpoch)).toEqual([
      false,
      false,
      true,
      true,
      false,
      true,
      true,
      false,
      true,
    ]);
  });

  test('the last epoch is always recorded', () => {
    expect(isRecordedEpoch(137, 137)).toBe(true);
    expect(recordedEpochs(137).slice(-3)).toEqual([120, 130, 137]);
    expect(recordedOf(Array.from({ length: 137 }, (_, i) => i + 1))).toEqual(recordedEpochs(137));
  });

  test('at most 371 records per attempt, whatever the epoch count up to the maximum', () => {
    let most = 0;
    for (const n of [100, 101, 999, 1001, 9_999, 12_345, 99_999, MAX_EPOCHS]) {
      most = Math.max(most, recordedEpochs(n).length);
    }
    expect(recordedEpochs(MAX_EPOCHS)).toHaveLength(370);
    expect(most).toBeLessThanOrEqual(371);
  });

  test('the curve from the records equals the curve from the full history', () => {
    for (const n of [7, 100, 155, 2_345]) {
      const history = Array.from({ length: n }, (_, i) => ({ loss: 1 / (i + 1) }));
      const positions = recordedEpochs(n);
      const records = recordedOf(history).map((metrics, i) => ({ epoch: positions[i]!, metrics }));
      const live = curveOfHistory(history, 'loss');
      expect(curveOfProgress(records, n, 'loss')).toEqual(live);
      expect(live.filter(Number.isFinite)).toHaveLength(positions.length);
    }
  });

  test('records of every epoch (a ledger from before the rule) give every value, as the run that wrote them saw', () => {
    const history = Array.from({ length: 155 }, (_, i) => ({ loss: 1 / (i + 1) }));
    const dense = history.map((metrics, i) => ({ epoch: i + 1, metrics }));
    expect(curveOfProgress(dense, 155, 'loss')).toEqual(history.map((m) => m.loss));
  });
});
