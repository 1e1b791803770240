/**
 * `export --format csv` never writes a text cell a spreadsheet would run as a formula (issue 15, item 10):
 * OWASP's rule, a leading single quote on text that begins with = + - @, a tab or a carriage return;
 * numbers, also negative ones, stay numbers.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from '../helpers/cli.js';
import { type FixtureTrial, fixtureTrials, writeFixtureLedger } from '../report/fixtures.js';

const HOSTILE = ['=2+3', '@SUM(A1)', '+1', '-1+2', '\t=1', '\r=1', '=HYPERLINK("http://x","y")'];

describe('export --format csv against formula injection', () => {
  it('prefixes a quote to text cells that begin with = + - @ tab or CR, and leaves numbers and other text as they are', async () => {
    const dir = tempDir('lockstep-csv-');
    const ledger = join(dir, 'ledger.jsonl');
    const values = [...HOSTILE, '-0.5', 'relu', 'a=b'];
    const trials: FixtureTrial[] = fixtureTrials(values.map(() => 'complete')).map((t, i) => ({
      ...t,
      params: { act: values[i]!, shift: i === 0 ? -0.5 : -1e-7 * i, units: 8 },
    }));
    writeFixtureLedger(ledger, trials);
    const out = join(dir, 'trials.csv');
    const r = await cli(['export', ledger, '--format', 'csv', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(out, 'utf8');
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    expect(rows.map((row) => row.param_act)).toEqual([
      ...HOSTILE.map((v) => `'${v}`),
      '-0.5', // a number written as text: still a plain number
      'relu',
      'a=b',
    ]);
    // Numeric cells are not touched: a negative number stays a number.
    expect(rows[0]!.param_shift).toBe('-0.5');
    expect(rows[3]!.param_shift).toBe(String(-1e-7 * 3));
    // No line of the file has a cell that starts with a formula character.
    for (const line of text.trim().split('\n').slice(1)) {
      for (const cell of line.split(',')) expect(cell).not.toMatch(/^"?[=+@]/);
    }
    // JSON keeps the exact values.
    const json = await cli(['export', ledger, '--format', 'json']);
    const parsed = JSON.parse(json.stdout) as { trials: { params: { act: string } }[] };
    expect(parsed.trials.map((t) => t.params.act)).toEqual(values);
  });
});
