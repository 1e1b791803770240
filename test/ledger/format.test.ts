import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readLedger, studyDigest, verifyLedger } from '../../src/ledger/index.js';

/** A version-1 ledger checked in: every later lockstep must keep reading it to the same digest. */
const V1 = fileURLToPath(new URL('./fixtures/v1.jsonl', import.meta.url));
const V1_DIGEST = '6e186bde56820e8d2120b9b350c74ee793a1adcbd644182fa405113a9ea9213f';

describe('ledger format version 1', () => {
  it('still verifies, to the digest it was written with', () => {
    const v = verifyLedger(V1);
    expect(v).toMatchObject({ ok: true, lines: 18, trials: 3, problems: [], warnings: [] });
    expect(v.digest).toBe(V1_DIGEST);
  });

  it('still folds to the same trials', () => {
    const { state } = readLedger(V1);
    expect(studyDigest(state)).toBe(V1_DIGEST);
    expect(state.trials.map((t) => [t.index, t.state, t.score, t.attempts])).toEqual([
      [0, 'complete', 0.5, 1],
      [1, 'complete', 0.75, 2],
      [2, 'failed', null, 1],
    ]);
    expect(state.trials[2]!.progress[0]!.metrics.train_loss).toBeNaN();
    expect(state.refit).toMatchObject({ index: 1, testScore: 0.7 });
    expect(state.notes.map((n) => n.message)).toEqual(['resumed']);
  });
});
