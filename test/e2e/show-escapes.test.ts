/**
 * Text from a ledger never drives the terminal (issue 15, item 12): `show` writes control characters
 * (an ESC colour sequence, a title change, C1 CSI, a bidi override) as visible `\uXXXX` escapes, and
 * `show --json` keeps the exact values.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLedger } from '../../src/ledger/index.js';
import { cli, jsonOut, oneLine, tempDir } from '../helpers/cli.js';
import { appendTrial, fixtureTrials, studyInfo } from '../report/fixtures.js';

const RED = '\u001b[31mred\u001b[0m';
const TITLE = '\u001b]0;pwned\u0007';
const CSI = '\u009b2J';
const BIDI = 'a\u202eb';
/** Any character a terminal acts on, other than the newline that ends each line. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('show escapes control characters from the ledger', () => {
  it('in the table, the header, the study line and the best line; --json stays exact', async () => {
    const dir = tempDir('lockstep-esc-');
    const ledger = join(dir, 'ledger.jsonl');
    const l = createLedger(ledger, { ...studyInfo(), name: `study${TITLE}` });
    const values = [RED, TITLE, CSI, BIDI];
    const trials = fixtureTrials(['complete', 'complete', 'complete', 'complete']);
    for (const [i, t] of trials.entries()) {
      appendTrial(l, {
        ...t,
        id: i === 0 ? `id${RED}-0` : t.id,
        score: t.score! + (i === 0 ? 1 : 0),
        params: { act: values[i]!, [`x${RED}`]: 1 },
      });
    }
    l.close();

    const r = await cli(['show', ledger]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(RAW);
    expect(r.stdout).toContain('\\u001b[31mred\\u001b[0m');
    expect(r.stdout).toContain('\\u001b]0;pwned\\u0007');
    expect(r.stdout).toContain('\\u009b2J');
    expect(r.stdout).toContain('a\\u202eb');
    expect(r.stdout).toMatch(/^study study\\u001b\]0;pwned\\u0007 /);
    expect(r.stdout).toMatch(/^best: id\\u001b\[31mred\\u001b\[0m-0 /m);
    expect(r.stdout.split('\n')[1]).toContain('x\\u001b[31mred\\u001b[0m');

    const j = jsonOut(await cli(['show', ledger, '--json']));
    expect((j.trials as { params: { act: string } }[]).map((t) => t.params.act)).toEqual(values);
    expect(j.study).toBe(`study${TITLE}`);
  });

  it('in a one-line error that names a path holding them', async () => {
    const r = await cli(['show', join(tempDir('lockstep-esc-'), `missing${RED}.jsonl`)]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(RAW);
    expect(oneLine(r)).toContain('missing\\u001b[31mred\\u001b[0m.jsonl');
  });
});
