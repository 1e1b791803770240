/**
 * The comparison of `npm run test:platforms` (scripts/platforms-compare.mjs), without running a study: a
 * digest that differs on one platform, or a run that failed, makes the verdict not ok; the table marks the
 * odd cells; and the first differing record of two ledgers is found, past the facts that may differ
 * (environment, wall times, record order).
 */
import { describe, expect, it } from 'vitest';
import {
  compareAll,
  compareStudy,
  describeDifference,
  digestTable,
  firstDifference,
} from '../../scripts/platforms-compare.mjs';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const PLATFORMS = ['node20', 'node22', 'arm64-20'];

describe('the platform comparison', () => {
  it('is ok only when every platform gave one digest', () => {
    expect(
      compareStudy(PLATFORMS, { node20: { digest: A }, node22: { digest: A }, 'arm64-20': { digest: A } }),
    ).toMatchObject({ ok: true, status: 'same', groups: [{ digest: A, platforms: PLATFORMS }] });
    expect(
      compareStudy(PLATFORMS, { node20: { digest: A }, node22: { digest: A }, 'arm64-20': { digest: B } }),
    ).toMatchObject({
      ok: false,
      status: 'differs',
      reference: 'node20',
      groups: [
        { digest: A, platforms: ['node20', 'node22'] },
        { digest: B, platforms: ['arm64-20'] },
      ],
    });
    // A failure on one platform fails the study even when the others agree; so does a platform not run.
    expect(
      compareStudy(PLATFORMS, {
        node20: { digest: A },
        node22: { error: 'exit 1' },
        'arm64-20': { digest: A },
      }),
    ).toMatchObject({ ok: false, status: 'failed', failed: ['node22'] });
    expect(compareStudy(PLATFORMS, { node20: { digest: A }, node22: { digest: A } })).toMatchObject({
      ok: false,
      missing: ['arm64-20'],
    });
    expect(compareAll(PLATFORMS, {}).ok).toBe(false);
  });

  it('marks the differing and failed cells in the table', () => {
    const results = {
      same: { node20: { digest: A }, node22: { digest: A }, 'arm64-20': { digest: A } },
      odd: { node20: { error: 'boom' }, node22: { digest: A }, 'arm64-20': { digest: B } },
    };
    const lines = digestTable(PLATFORMS, results).split('\n');
    expect(lines[2]).toMatch(/^same +a{12} +a{12} +a{12} +same$/);
    expect(lines[3]).toMatch(/^odd +FAILED +a{12} +b{12} \* +FAILED$/);
    expect(compareAll(PLATFORMS, results).ok).toBe(false);
  });
});

const line = (r: object) => JSON.stringify(r);
function ledger(opts: { node: string; dropout: number; swap?: boolean; wall: number }): string {
  const study = line({
    v: 1,
    seq: 0,
    prev: '0',
    type: 'study',
    study: { key: 'k', environment: { node: opts.node, arch: 'x', numeric: 2, backend: 'wasm' } },
  });
  const t0 = [
    line({ v: 1, seq: 1, prev: 'p', type: 'trial.started', index: 0, params: { dropout: 0.1 } }),
    line({ v: 1, seq: 2, prev: 'p', type: 'trial.progress', index: 0, epoch: 1, metrics: { loss: 1 } }),
    line({ v: 1, seq: 3, prev: 'p', type: 'trial.finished', index: 0, score: 1 }),
    line({ v: 1, seq: 4, prev: 'p', type: 'trial.meta', index: 0, wallMs: opts.wall }),
  ];
  const t1 = [
    line({ v: 1, seq: 5, prev: 'q', type: 'trial.started', index: 1, params: { dropout: opts.dropout } }),
    line({ v: 1, seq: 6, prev: 'q', type: 'trial.finished', index: 1, score: 2 }),
  ];
  return [study, ...(opts.swap ? [...t1, ...t0] : [...t0, ...t1]), ''].join('\n');
}

describe('the first differing record of two ledgers', () => {
  it('is none when only the environment, wall times, chain and order differ', () => {
    const a = ledger({ node: '20.20.2', dropout: 0.2, wall: 5 });
    const b = ledger({ node: '24.1.0', dropout: 0.2, wall: 9, swap: true });
    expect(firstDifference(a, b)).toBeNull();
  });

  it('names the record, the field and both values', () => {
    const a = ledger({ node: '20.20.2', dropout: 0.006782032846056996, wall: 5 });
    const b = ledger({ node: '20.20.2', dropout: 0.006782032846057023, wall: 5 });
    const d = firstDifference(a, b);
    expect(d).toEqual({
      record: 'trial 1 started',
      path: 'params.dropout',
      a: 0.006782032846056996,
      b: 0.006782032846057023,
    });
    expect(describeDifference(d)).toBe(
      'first difference at trial 1 started params.dropout: 0.006782032846056996 vs 0.006782032846057023',
    );
  });
});
