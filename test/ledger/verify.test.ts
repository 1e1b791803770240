import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLedger, openLedger, studyDigest, verifyLedger } from '../../src/ledger/index.js';
import { completeTrial, sampleStudy, tempDir } from './fixtures.js';

let t: ReturnType<typeof tempDir>;
let path: string;
beforeEach(() => {
  t = tempDir();
  path = join(t.dir, 'ledger.jsonl');
  const l = createLedger(path, sampleStudy());
  for (const b of [...completeTrial(0, 0.5), ...completeTrial(1, 0.7)]) l.append(b);
  l.close();
});
afterEach(() => t.cleanup());

const lines = () => fs.readFileSync(path, 'utf8').split('\n').slice(0, -1);

describe('verifyLedger', () => {
  it('passes a sound ledger and gives its digest', () => {
    const v = verifyLedger(path);
    const l = openLedger(path, { readonly: true });
    expect(v).toEqual({
      ok: true,
      lines: 9,
      trials: 2,
      digest: studyDigest(l.state()),
      problems: [],
      warnings: [],
    });
  });

  it('lists every damaged line, one problem per break', () => {
    const ls = lines();
    ls[2] = ls[2]!.replace('"epoch":1', '"epoch":7'); // edited: line 4's prev breaks
    ls.splice(6, 1); // deleted: the old line 8 is now line 7, with the wrong seq
    fs.writeFileSync(path, `${ls.join('\n')}\n`);
    const v = verifyLedger(path);
    expect(v.ok).toBe(false);
    expect(v.digest).toBeNull();
    expect(v.problems).toEqual([
      `ledger ${path} line 4: prev hash does not match line 3 (edited, reordered or deleted lines)`,
      `ledger ${path} line 7: seq is 7 where 6 was expected (a line is missing, duplicated or out of order)`,
    ]);
  });

  it('reports a torn last line as a warning, not a failure, and changes nothing', () => {
    fs.appendFileSync(path, '{"v":1,"se');
    const before = fs.readFileSync(path);
    const v = verifyLedger(path);
    expect(v.ok).toBe(true);
    expect(v.warnings).toEqual([
      `ledger ${path}: a torn last line (line 10, 10 bytes), which the next writer will drop`,
    ]);
    expect(fs.readFileSync(path)).toEqual(before);
  });

  it('fails a chain-sound ledger whose records do not fold', () => {
    // A writer that bypassed the fold: restart trial 0 with a valid chain.
    const ls = lines();
    const restart = ls[1]!; // trial.started 0 at seq 1
    const r = JSON.parse(restart);
    const prev = createHash('sha256').update(ls.at(-1)!).digest('hex');
    ls.push(JSON.stringify({ ...r, seq: ls.length, prev }));
    fs.writeFileSync(path, `${ls.join('\n')}\n`);
    const v = verifyLedger(path);
    expect(v.ok).toBe(false);
    expect(v.problems).toEqual([
      `ledger ${path} line 10: trial 0 is started again, but it already finished (complete); a finished trial is never modified`,
    ]);
  });

  it('says a missing ledger does not exist', () => {
    expect(() => verifyLedger(join(t.dir, 'nope.jsonl'))).toThrow(/does not exist/);
  });
});
