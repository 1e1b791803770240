import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { foldLedger, readLedger } from '../../src/ledger/index.js';
import { finalStateOf } from '../../src/study/result.js';
import { search } from '../../src/study/search.js';
import { summarize, summarizeState } from '../../src/study/summary.js';
import { smallCsv, tempDir, writeFiles } from '../helpers/cli.js';
import { requireBuild } from '../train/helpers.js';

// The CLI's search summary comes from the search's own final state instead of reading the ledger again: that
// state must be the one the ledger, read back, folds to — after a fresh run and after a resume with nothing to do.

describe('finalStateOf', () => {
  let dir: string;
  beforeAll(() => {
    requireBuild();
    dir = tempDir();
    writeFiles(dir, {
      'data.csv': smallCsv(100, 9),
      'study.yaml':
        'name: final\nseed: 5\ndataset: data.csv\ntarget: label\nsampler: random\nparallelism: 2\nbudget: { trials: 3 }\nspace:\n  units_1: { type: int, low: 4, high: 16 }\n  epochs: 2\n',
    });
  });

  test('is the state the ledger folds to, fresh and resumed; its summary is the ledger’s', async () => {
    const opts = { config: join(dir, 'study.yaml'), workers: 2, out: join(dir, 'runs') };
    for (const run of ['fresh', 'resumed']) {
      const r = await search(opts);
      const state = finalStateOf(r);
      expect(state, run).toBeDefined();
      const read = foldLedger(readLedger(r.ledger).records);
      expect(state, run).toEqual(read);
      expect(state!.refit, run).not.toBeNull();
      expect(summarizeState(r.ledger, state!, [])).toEqual(summarize(r.ledger));
    }
    // The resumed run's note is the ledger's last record: what the CLI reads as 'already complete'.
    const r = await search(opts);
    const s = finalStateOf(r)!;
    expect(s.notes.at(-1)?.message).toBe('resumed');
    expect(s.notes.at(-1)?.line).toBe(s.records);
    // A result made elsewhere has none.
    expect(finalStateOf({ ...r })).toBeUndefined();
  }, 120_000);
});
