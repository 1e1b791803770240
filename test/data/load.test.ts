import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/data/hash.js';
import { loadTable } from '../../src/data/load.js';
import { expectLockstepError, rejection, tempDir } from './helpers.js';

const tmp = tempDir();

describe('loadTable: CSV', () => {
  it('strips a BOM, accepts CRLF and quoted newlines, keeps numbers as text', async () => {
    const text = '\ufeffa,b,c\r\n1,"two\r\nlines",x\r\n2.5,plain,y\r\n';
    const path = tmp.write('bom.csv', text);
    const t = await loadTable(path);
    expect(t.columns).toEqual(['a', 'b', 'c']);
    expect(t.rows).toEqual([
      ['1', 'two\r\nlines', 'x'],
      ['2.5', 'plain', 'y'],
    ]);
    expect(t.source).toBe(path);
    expect(t.hash).toBe(sha256Hex(new TextEncoder().encode(text)));
  });

  it('turns empty, NA, N/A, null and NaN (any case) into null', async () => {
    const path = tmp.write('na.csv', 'a,b,c,d,e,f\n,NA,n/a,NULL,nan,ok\nna,N/A,null,NaN,"",0\n');
    const t = await loadTable(path);
    expect(t.rows).toEqual([
      [null, null, null, null, null, 'ok'],
      [null, null, null, null, null, '0'],
    ]);
  });

  it('reads TSV by extension and sniffs an unknown extension', async () => {
    const tsv = await loadTable(tmp.write('t.tsv', 'a\tb\n1\t2\n'));
    expect(tsv.rows).toEqual([['1', '2']]);
    const sniffedTsv = await loadTable(tmp.write('t.data', 'a\tb,c\td\n1\t2,3\t4\n'));
    expect(sniffedTsv.columns).toEqual(['a', 'b,c', 'd']);
    const sniffedJson = await loadTable(tmp.write('t.txt', '[{"a":1}]'));
    expect(sniffedJson.rows).toEqual([[1]]);
  });

  it('gives the same hash for the same bytes and a different one for other bytes', async () => {
    const a = await loadTable(tmp.write('h1.csv', 'a\n1\n'));
    const b = await loadTable(tmp.write('h2.csv', 'a\n1\n'));
    const c = await loadTable(tmp.write('h3.csv', 'a\n2\n'));
    expect(a.hash).toBe(b.hash);
    expect(a.hash).not.toBe(c.hash);
  });
});

describe('loadTable: JSON', () => {
  it('reads an array of records, keeps JSON types, fills absent keys with null', async () => {
    const path = tmp.write('r.json', '\ufeff[{"a":1,"b":"x","c":true},{"b":"NA","a":2.5,"d":null},{"a":3}]');
    const t = await loadTable(path);
    expect(t.columns).toEqual(['a', 'b', 'c', 'd']);
    expect(t.rows).toEqual([
      [1, 'x', true, null],
      [2.5, null, null, null],
      [3, null, null, null],
    ]);
  });

  it('rejects invalid JSON, a non-array, non-object rows and nested values', async () => {
    const bad = tmp.write('bad.json', '[{"a":1},');
    expectLockstepError(await rejection(loadTable(bad)), 'E_DATA', bad, 'invalid JSON');
    const obj = tmp.write('obj.json', '{"a":1}');
    expectLockstepError(
      await rejection(loadTable(obj)),
      'E_DATA',
      obj,
      'expected a JSON array of record objects',
    );
    const nums = tmp.write('nums.json', '[{"a":1}, 5]');
    expectLockstepError(await rejection(loadTable(nums)), 'E_DATA', nums, 'row 2', 'a number');
    const nested = tmp.write('nested.json', '[{"a":{"b":1}}]');
    expectLockstepError(await rejection(loadTable(nested)), 'E_DATA', nested, "row 1 field 'a'", 'an object');
    const empty = tmp.write('empty-array.json', '[]');
    expectLockstepError(await rejection(loadTable(empty)), 'E_DATA', empty, 'empty array');
  });
});

describe('loadTable: errors', () => {
  it('a missing file is NotFound and names the path', async () => {
    const path = `${tmp.dir}/nope.csv`;
    const e = await rejection(loadTable(path));
    expectLockstepError(e, 'E_NOT_FOUND', `dataset not found: ${path}`);
  });

  it('a directory is refused', async () => {
    expectLockstepError(await rejection(loadTable(tmp.dir)), 'E_DATA', tmp.dir, 'is a directory');
  });

  it('a file larger than maxBytes is refused', async () => {
    const path = tmp.write('big.csv', 'a\n123456789\n');
    expectLockstepError(
      await rejection(loadTable(path, { maxBytes: 5 })),
      'E_DATA',
      path,
      'limit of 5 bytes',
    );
    await expect(loadTable(path, { maxBytes: 12 })).resolves.toBeDefined();
  });

  it('an empty file (or only whitespace and a BOM) is refused', async () => {
    const empty = tmp.write('empty.csv', '');
    expectLockstepError(await rejection(loadTable(empty)), 'E_DATA', `${empty}: is empty`);
    const blank = tmp.write('blank.csv', '\ufeff \r\n\n');
    expectLockstepError(await rejection(loadTable(blank)), 'E_DATA', `${blank}: is empty`);
  });

  it('a header without rows is refused', async () => {
    const path = tmp.write('header.csv', 'a,b,c\r\n');
    expectLockstepError(await rejection(loadTable(path)), 'E_DATA', `${path}: has a header but no rows`);
  });

  it('a ragged row names its line and field counts', async () => {
    const path = tmp.write('ragged.csv', 'a,b,c\n1,2,3\n4,5\n');
    expectLockstepError(
      await rejection(loadTable(path)),
      'E_DATA',
      `${path}: line 3 has 2 fields, expected 3`,
    );
    const after = tmp.write('ragged2.csv', 'a,b\n1,"x\ny"\n1,2,3\n');
    expectLockstepError(
      await rejection(loadTable(after)),
      'E_DATA',
      `${after}: line 4 has 3 fields, expected 2`,
    );
  });

  it('duplicate and empty header names are refused', async () => {
    const dup = tmp.write('dup.csv', 'a,b,a\n1,2,3\n');
    expectLockstepError(
      await rejection(loadTable(dup)),
      'E_DATA',
      dup,
      "duplicate column name 'a'",
      'columns 1 and 3',
    );
    const blank = tmp.write('blank-name.csv', 'a,,c\n1,2,3\n');
    expectLockstepError(await rejection(loadTable(blank)), 'E_DATA', blank, 'column 2 has an empty name');
  });

  it('an unclosed quote is a DataError naming the file', async () => {
    const path = tmp.write('quote.csv', 'a,b\n1,"open\n');
    expectLockstepError(await rejection(loadTable(path)), 'E_DATA', path);
  });

  it('invalid UTF-8 is refused', async () => {
    const path = tmp.write('latin1.csv', new Uint8Array([0x61, 0x0a, 0xe9, 0x0a]));
    expectLockstepError(await rejection(loadTable(path)), 'E_DATA', path, 'UTF-8');
  });
});
