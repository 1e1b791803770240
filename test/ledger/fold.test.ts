import { describe, expect, it } from 'vitest';
import { LedgerError } from '../../src/errors.js';
import { foldLedger, type RecordBody } from '../../src/ledger/index.js';
import { completeTrial, envFailed, finished, meta, recordsOf, sampleStudy, started } from './fixtures.js';

const fold = (bodies: RecordBody[]) =>
  foldLedger(recordsOf(sampleStudy(), bodies), { source: 'ledger x.jsonl' });

describe('foldLedger', () => {
  it('gives every trial in index order, whatever order they were appended in', () => {
    const s = fold([
      started(2),
      started(0),
      finished(2, 0.3),
      started(1),
      finished(0, 0.1),
      finished(1, 0.2),
    ]);
    expect(s.trials.map((t) => [t.index, t.state, t.score])).toEqual([
      [0, 'complete', 0.1],
      [1, 'complete', 0.2],
      [2, 'complete', 0.3],
    ]);
    expect(s.records).toBe(7);
  });

  it('collects progress per epoch, and meta apart', () => {
    const s = fold([...completeTrial(0, 0.8, 3), meta(0, 2, 1234)]);
    const t = s.trials[0]!;
    expect(t.progress.map((p) => p.epoch)).toEqual([1, 2, 3]);
    expect(t.progress[2]!.metrics).toEqual({ train_loss: 1 / 3, accuracy: 0.8 });
    expect(t.meta).toMatchObject({ worker: 2, wallMs: 1234 });
    expect(t.epochs).toBe(3);
  });

  it('replaces a crashed attempt: the restart starts with no progress', () => {
    const s = fold([
      started(0),
      { type: 'trial.progress', index: 0, epoch: 1, metrics: { a: 1 } },
      started(0),
    ]);
    expect(s.trials[0]).toMatchObject({ state: 'running', progress: [], attempts: 2 });
  });

  it('replaces an attempt that failed for the environment, not one that failed on its own', () => {
    expect(fold([started(0), envFailed(0), started(0)]).trials[0]!.attempts).toBe(2);
    const own: RecordBody = { ...envFailed(0), error: 'NaN loss', cause: 'trial' } as RecordBody;
    expect(() => fold([started(0), own, started(0)])).toThrow(
      'ledger x.jsonl line 4: trial 0 is started again, but it already finished (failed, cause trial); a finished trial is never modified',
    );
  });

  it('refuses to modify a complete or pruned trial', () => {
    expect(() => fold([...completeTrial(0, 0.5), started(0)])).toThrow(LedgerError);
    const pruned = { ...finished(0, 0.5), state: 'pruned' } as RecordBody;
    expect(() => fold([started(0), pruned, started(0)])).toThrow(/already finished \(pruned\)/);
    expect(() => fold([...completeTrial(0, 0.5), finished(0, 0.9)])).toThrow(
      /line 6: trial\.finished for trial 0, which already finished \(complete\)/,
    );
    expect(() =>
      fold([...completeTrial(0, 0.5), { type: 'trial.progress', index: 0, epoch: 9, metrics: {} }]),
    ).toThrow(/trial\.progress for trial 0, which already finished/);
  });

  it('refuses a finish, progress or meta of a trial never started', () => {
    expect(() => fold([finished(0, 0.5)])).toThrow(
      'ledger x.jsonl line 2: trial.finished for trial 0, which was never started',
    );
    expect(() => fold([{ type: 'trial.progress', index: 4, epoch: 1, metrics: {} }])).toThrow(
      /never started/,
    );
    expect(() => fold([meta(1, 0, 5)])).toThrow(/never started/);
  });

  it('refuses epochs that do not increase', () => {
    const p = (epoch: number): RecordBody => ({ type: 'trial.progress', index: 0, epoch, metrics: {} });
    expect(() => fold([started(0), p(1), p(1)])).toThrow(/epoch 1 after epoch 1; epochs must increase/);
  });

  it('checks that state, error and cause agree', () => {
    const noScore = { ...finished(0, 0.5), score: null } as RecordBody;
    expect(() => fold([started(0), noScore])).toThrow(/complete without a score/);
    const noCause = { ...envFailed(0), cause: null } as RecordBody;
    expect(() => fold([started(0), noCause])).toThrow(/failed without an error and a cause/);
  });

  it('refuses one trial id on two indices', () => {
    const dup = { ...started(1), id: 'abcd1234-0' } as RecordBody;
    expect(() => fold([started(0), dup])).toThrow(/trial id abcd1234-0 of trial 1 is already trial 0's/);
  });

  it('keeps the last refit, of a complete trial only', () => {
    const refit = (index: number, testScore: number): RecordBody => ({
      type: 'refit',
      index,
      params: { lr: 0.1 },
      seed: 9,
      testMetrics: { accuracy: testScore },
      testScore,
      weightsHash: 'e'.repeat(64),
    });
    const s = fold([...completeTrial(0, 0.5), ...completeTrial(1, 0.6), refit(0, 0.4), refit(1, 0.7)]);
    expect(s.refit).toMatchObject({ index: 1, testScore: 0.7 });
    expect(() => fold([started(0), refit(0, 0.5)])).toThrow(/refit of trial 0, which is running/);
  });

  it('decodes non-finite metrics and scores', () => {
    const body = { ...finished(0, Number.NaN), metrics: { loss: Number.POSITIVE_INFINITY } } as RecordBody;
    const t = fold([started(0), body]).trials[0]!;
    expect(t.score).toBeNaN();
    expect(t.metrics.loss).toBe(Number.POSITIVE_INFINITY);
  });

  it('keeps notes with their line', () => {
    const s = fold([started(0), { type: 'study.note', message: 'resumed', data: { warnings: [] } }]);
    expect(s.notes).toEqual([{ line: 3, message: 'resumed', data: { warnings: [] } }]);
  });

  it('requires the study record first', () => {
    const records = recordsOf(sampleStudy(), [started(0)]).slice(1);
    expect(() => foldLedger(records)).toThrow(
      /line 2: expected the study record first, found trial\.started/,
    );
  });

  it('returns a snapshot that later records do not change', () => {
    const records = recordsOf(sampleStudy(), completeTrial(0, 0.5));
    const early = foldLedger(records.slice(0, 3));
    const late = foldLedger(records);
    expect(early.trials[0]!.progress).toHaveLength(1);
    expect(late.trials[0]!.progress).toHaveLength(2);
  });
});
