import { describe, expect, it } from 'vitest';
import { foldLedger, type RecordBody, type StudyInfo, studyDigest } from '../../src/ledger/index.js';
import { completeTrial, envFailed, finished, meta, recordsOf, sampleStudy, started } from './fixtures.js';

const digestOf = (bodies: RecordBody[], study: StudyInfo = sampleStudy()) =>
  studyDigest(foldLedger(recordsOf(study, bodies)));

const sequential: RecordBody[] = [
  ...completeTrial(0, 0.5),
  meta(0, 0, 100),
  ...completeTrial(1, 0.7),
  meta(1, 0, 120),
];

describe('studyDigest', () => {
  it('is the same whatever order two trials were appended in and whatever worker ran them', () => {
    const [s0, p01, p02, f0] = completeTrial(0, 0.5) as [RecordBody, RecordBody, RecordBody, RecordBody];
    const [s1, p11, p12, f1] = completeTrial(1, 0.7) as [RecordBody, RecordBody, RecordBody, RecordBody];
    const interleaved = [s1, s0, p11, p01, p02, p12, f1, meta(1, 3, 999), f0, meta(0, 1, 5)];
    expect(recordsOf(sampleStudy(), interleaved)).not.toEqual(recordsOf(sampleStudy(), sequential));
    expect(digestOf(interleaved)).toBe(digestOf(sequential));
    expect(digestOf(sequential)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes when a score changes', () => {
    const changed = sequential.map((b) =>
      b.type === 'trial.finished' && b.index === 1 ? ({ ...b, score: 0.7000000000000001 } as RecordBody) : b,
    );
    expect(digestOf(changed)).not.toBe(digestOf(sequential));
  });

  it('changes when a per-epoch metric or a weights hash changes', () => {
    const metric = sequential.map((b) =>
      b.type === 'trial.progress' && b.index === 0 && b.epoch === 1
        ? ({ ...b, metrics: { ...b.metrics, train_loss: 0.99 } } as RecordBody)
        : b,
    );
    expect(digestOf(metric)).not.toBe(digestOf(sequential));
    const weights = sequential.map((b) =>
      b.type === 'trial.finished' && b.index === 0
        ? ({ ...b, weightsHash: 'f'.repeat(64) } as RecordBody)
        : b,
    );
    expect(digestOf(weights)).not.toBe(digestOf(sequential));
  });

  it('leaves out notes, running trials and attempts lost to the environment', () => {
    const noisy: RecordBody[] = [
      started(0),
      { type: 'trial.progress', index: 0, epoch: 1, metrics: { a: 3 } },
      started(0), // crash and resume
      envFailed(0),
      { type: 'study.note', message: 'resumed', data: null },
      ...completeTrial(0, 0.5),
      meta(0, 7, 1),
      ...completeTrial(1, 0.7),
      started(2),
    ];
    expect(digestOf(noisy)).toBe(digestOf(sequential));
  });

  it('counts a trial that failed on its own, with its error', () => {
    const failed = (error: string) => ({ ...envFailed(2), cause: 'trial', error }) as RecordBody;
    const a = digestOf([...sequential, started(2), failed('NaN loss')]);
    expect(a).not.toBe(digestOf(sequential));
    expect(a).not.toBe(digestOf([...sequential, started(2), failed('other error')]));
  });

  it('ignores the machine but not the numeric backend', () => {
    const env = sampleStudy().environment;
    const otherMachine = sampleStudy({
      environment: { ...env, node: '22.1.0', cpu: 'Other', platform: 'darwin', arch: 'arm64' },
    });
    expect(digestOf(sequential, otherMachine)).toBe(digestOf(sequential));
    const otherBackend = sampleStudy({ environment: { ...env, backend: 'cpu' } });
    expect(digestOf(sequential, otherBackend)).not.toBe(digestOf(sequential));
    expect(digestOf(sequential, sampleStudy({ seed: 43 }))).not.toBe(digestOf(sequential));
  });

  it('tells NaN from Infinity in a metric', () => {
    const withScore = (x: number) => [started(0), finished(0, x)];
    expect(digestOf(withScore(Number.NaN))).not.toBe(digestOf(withScore(Number.POSITIVE_INFINITY)));
  });

  it('includes the refit', () => {
    const refit: RecordBody = {
      type: 'refit',
      index: 1,
      params: { lr: 0.02 },
      seed: 5,
      testMetrics: { accuracy: 0.9 },
      testScore: 0.9,
      weightsHash: 'a'.repeat(64),
    };
    expect(digestOf([...sequential, refit])).not.toBe(digestOf(sequential));
  });
});
