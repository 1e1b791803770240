import { describe, expect, it } from 'vitest';
import { inferSchema, usableRows } from '../../src/data/schema.js';
import type { RawTable } from '../../src/data/types.js';
import { expectLockstepError, thrown } from './helpers.js';

function table(columns: string[], rows: RawTable['rows']): RawTable {
  return { source: 'mem.csv', hash: 'h', columns, rows };
}

describe('inferSchema: column types', () => {
  const t = table(
    ['num', 'flag', 'word', 'mixed', 'y'],
    [
      ['1', 'yes', 'a', '1', 'b'],
      [' 2.5e1 ', 'No', 'b', 'x', 'a'],
      [null, true, null, '3', 'a'],
      ['-3', 'FALSE', 'c', null, 'b'],
    ],
  );

  it('types numeric, boolean and categorical columns in table order', () => {
    const s = inferSchema(t, 'y');
    expect(s.features).toEqual([
      { name: 'num', type: 'numeric' },
      { name: 'flag', type: 'boolean' },
      { name: 'word', type: 'categorical' },
      { name: 'mixed', type: 'categorical' },
    ]);
    expect(s.target).toEqual({ name: 'y', type: 'categorical' });
    expect(s.task).toBe('binary');
    expect(s.classes).toEqual(['a', 'b']);
  });

  it('does not take hex, Infinity or blank text for numbers', () => {
    const s = inferSchema(
      table(
        ['h', 'i', 'y'],
        [
          ['0x10', 'Infinity', '1'],
          ['1', '2', '2'],
        ],
      ),
      'y',
    );
    expect(s.features.map((f) => f.type)).toEqual(['categorical', 'categorical']);
  });

  it('sorts classes by code unit and picks multiclass for more than two', () => {
    const s = inferSchema(table(['y'], [['b'], ['B'], ['a'], ['b']]), 'y', 'multiclass');
    expect(s.classes).toEqual(['B', 'a', 'b']);
    expect(inferSchema(table(['y'], [['b'], ['B'], ['a']]), 'y').task).toBe('multiclass');
  });

  it('a numeric target means regression unless a classification task is asked for', () => {
    const t2 = table(
      ['x', 'y'],
      [
        ['1', '0'],
        ['2', '1.0'],
        ['3', '1'],
      ],
    );
    expect(inferSchema(t2, 'y').task).toBe('regression');
    const s = inferSchema(t2, 'y', 'binary');
    expect(s.classes).toEqual(['0', '1']);
  });

  it('a boolean target is binary with classes false, true', () => {
    const s = inferSchema(table(['y'], [['yes'], ['no'], [true]]), 'y');
    expect(s.task).toBe('binary');
    expect(s.classes).toEqual(['false', 'true']);
  });

  it('rows with a missing target are dropped and counted', () => {
    const t2 = table(
      ['x', 'y'],
      [
        ['1', 'a'],
        ['2', null],
        ['3', 'b'],
        ['zzz', null],
      ],
    );
    const s = inferSchema(t2, 'y');
    expect(s.droppedRows).toBe(2);
    // 'zzz' sits only in a dropped row, so x stays numeric.
    expect(s.features[0]!.type).toBe('numeric');
    expect([...usableRows(t2, s)]).toEqual([0, 2]);
  });

  it('excluded columns are not features', () => {
    const s = inferSchema(t, 'y', undefined, { exclude: ['word', 'mixed'] });
    expect(s.features.map((f) => f.name)).toEqual(['num', 'flag']);
  });
});

describe('inferSchema: errors', () => {
  it('an unknown target names the column and lists the columns', () => {
    const e = thrown(() => inferSchema(table(['a', 'b', 'c'], [['1', '2', '3']]), 'X'));
    expectLockstepError(e, 'E_DATA', "mem.csv: no column 'X' (columns: a, b, c)");
  });

  it('an unknown excluded or typed column is an error', () => {
    const t = table(['a', 'y'], [['1', '2']]);
    expectLockstepError(
      thrown(() => inferSchema(t, 'y', undefined, { exclude: ['zz'] })),
      'E_DATA',
      "'zz'",
    );
    expectLockstepError(
      thrown(() => inferSchema(t, 'y', undefined, { types: { qq: 'numeric' } })),
      'E_DATA',
      "'qq'",
    );
  });

  it('regression on a text target names the column', () => {
    const e = thrown(() => inferSchema(table(['y'], [['a'], ['b']]), 'y', 'regression'));
    expectLockstepError(e, 'E_DATA', "column 'y'", 'regression', "'a'");
  });

  it('a classification target with one class names the column', () => {
    const e = thrown(() =>
      inferSchema(
        table(
          ['x', 'y'],
          [
            ['1', 'a'],
            ['2', 'a'],
          ],
        ),
        'y',
      ),
    );
    expectLockstepError(e, 'E_DATA', "target column 'y' has only one class ('a')");
  });

  it('binary with three classes names the column and the classes', () => {
    const e = thrown(() => inferSchema(table(['y'], [['a'], ['b'], ['c']]), 'y', 'binary'));
    expectLockstepError(e, 'E_DATA', "column 'y'", 'found 3 (a, b, c)');
  });

  it('text in a column declared numeric names the column, row and value', () => {
    const t = table(
      ['x', 'y'],
      [
        ['1', 'a'],
        ['abc', 'b'],
      ],
    );
    const e = thrown(() => inferSchema(t, 'y', undefined, { types: { x: 'numeric' } }));
    expectLockstepError(e, 'E_DATA', "mem.csv: column 'x' row 2: 'abc' is not a number");
  });

  it('a declared categorical type wins over inference', () => {
    const t = table(
      ['zip', 'y'],
      [
        ['10001', 'a'],
        ['94103', 'b'],
      ],
    );
    expect(inferSchema(t, 'y', undefined, { types: { zip: 'categorical' } }).features[0]!.type).toBe(
      'categorical',
    );
  });

  it('a target with no values at all is an error', () => {
    const e = thrown(() => inferSchema(table(['x', 'y'], [['1', null]]), 'y'));
    expectLockstepError(e, 'E_DATA', "target column 'y' has no values");
  });
});
