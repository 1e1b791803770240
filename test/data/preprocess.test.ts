import { describe, expect, it } from 'vitest';
import { applyPipeline, fitPipeline, parsePipeline, prepareData } from '../../src/data/preprocess.js';
import { inferSchema } from '../../src/data/schema.js';
import type { RawTable } from '../../src/data/types.js';
import { expectLockstepError, thrown } from './helpers.js';

const table: RawTable = {
  source: 'mem.csv',
  hash: 'abc',
  columns: ['num', 'flag', 'color', 'y'],
  rows: [
    ['1', 'yes', 'red', 'a'],
    ['2', 'no', 'blue', 'b'],
    ['3', 'yes', null, 'a'],
    [null, null, 'red', 'b'],
    ['1000', 'no', 'green', 'a'], // only ever a test row
    ['5', 'yes', 'blue', 'b'],
  ],
};
const schema = inferSchema(table, 'y');
const train = Uint32Array.from([0, 1, 2, 3]);
const test = Uint32Array.from([4, 5]);

function bits(a: Float32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');
}

describe('fitPipeline', () => {
  it('fits median, mean and std on the training rows only', () => {
    const p = fitPipeline(table, schema, train);
    expect(p.features[0]).toEqual({
      name: 'num',
      type: 'numeric',
      impute: 2,
      mean: 2,
      std: Math.sqrt(2 / 3),
    });
    const withTestRow = fitPipeline(table, schema, Uint32Array.from([0, 1, 2, 3, 4]));
    expect(withTestRow.features[0]).not.toEqual(p.features[0]);
  });

  it('a value only in test rows changes nothing that was fitted', () => {
    const changed: RawTable = {
      ...table,
      rows: table.rows.map((r, i) => (i === 4 ? ['-1e9', 'yes', 'violet', 'b'] : r)),
    };
    expect(fitPipeline(changed, schema, train)).toEqual(fitPipeline(table, schema, train));
  });

  it('categories are sorted, imputes are the most frequent training values', () => {
    const p = fitPipeline(table, schema, train);
    expect(p.features[1]).toEqual({ name: 'flag', type: 'boolean', impute: 1 });
    expect(p.features[2]).toEqual({
      name: 'color',
      type: 'categorical',
      categories: ['blue', 'red'],
      impute: 'red',
    });
    expect(p.nFeatures).toBe(4);
    expect(p.target).toEqual({ name: 'y', task: 'binary', type: 'categorical', classes: ['a', 'b'] });
  });

  it('a constant column standardises to 0 (std 1)', () => {
    const t: RawTable = {
      ...table,
      columns: ['c', 'y'],
      rows: [
        ['0.1', 'a'],
        ['0.1', 'b'],
        ['0.1', 'a'],
      ],
    };
    const p = fitPipeline(t, inferSchema(t, 'y'), Uint32Array.from([0, 1, 2]));
    const step = p.features[0]!;
    expect(step.type === 'numeric' && step.std).toBe(1);
    const { x } = applyPipeline(p, t, Uint32Array.from([0, 1, 2]));
    expect([...x]).toEqual([0, 0, 0]);
  });
});

describe('applyPipeline', () => {
  const p = fitPipeline(table, schema, train);

  it('standardises numerics, maps booleans to 0/1, one-hot encodes and imputes', () => {
    const { x, y, n } = applyPipeline(p, table, train);
    expect(n).toBe(4);
    const s = Math.sqrt(2 / 3);
    const expected = [
      [(1 - 2) / s, 1, 0, 1, 0],
      [0, 0, 1, 0, 1],
      [(3 - 2) / s, 1, 0, 1, 0], // missing color → 'red'
      [0, 1, 0, 1, 1], // missing num → median 2, missing flag → 1
    ];
    expect([...x]).toEqual(expected.flatMap((r) => r.slice(0, 4)).map(Math.fround));
    expect([...y]).toEqual([0, 1, 0, 1]);
  });

  it('an unseen category encodes as all zeros', () => {
    const { x } = applyPipeline(p, table, test);
    // Row 4 is 'green', unseen in training.
    expect([...x.slice(2, 4)]).toEqual([0, 0]);
    expect([...x.slice(6, 8)]).toEqual([1, 0]); // row 5: 'blue'
  });

  it('a JSON round trip of the pipeline gives identical bits', () => {
    const back = parsePipeline(JSON.parse(JSON.stringify(p)));
    const a = applyPipeline(p, table, test);
    const b = applyPipeline(back, table, test);
    expect(bits(b.x)).toBe(bits(a.x));
    expect(bits(b.y)).toBe(bits(a.y));
  });

  it('a text value in a numeric column names the column, row and value', () => {
    const bad: RawTable = {
      ...table,
      rows: table.rows.map((r, i) => (i === 5 ? ['oops', 'yes', 'red', 'a'] : r)),
    };
    expectLockstepError(
      thrown(() => applyPipeline(p, bad, test)),
      'E_DATA',
      "mem.csv: column 'num' row 6: 'oops' is not a number",
    );
  });

  it('a missing column is an error naming it', () => {
    const bad: RawTable = { ...table, columns: ['num', 'flag', 'colour', 'y'] };
    expectLockstepError(
      thrown(() => applyPipeline(p, bad, test)),
      'E_DATA',
      "no column 'color'",
    );
  });

  it('parsePipeline rejects a damaged pipeline with the field path', () => {
    const damaged = JSON.parse(JSON.stringify(p));
    damaged.features[0].std = 0;
    expectLockstepError(
      thrown(() => parsePipeline(damaged, 'ledger line 1')),
      'E_DATA',
      'ledger line 1',
      'features.0.std',
    );
  });
});

describe('prepareData', () => {
  it('regression targets are standardised with the training mean and std', () => {
    const t: RawTable = {
      source: 'r.csv',
      hash: 'h',
      columns: ['x', 'y'],
      rows: [
        ['1', '10'],
        ['2', '20'],
        ['3', '30'],
        ['4', '1000'],
      ],
    };
    const s = inferSchema(t, 'y');
    const split = {
      train: Uint32Array.from([0, 1, 2]),
      validation: Uint32Array.from([3]),
      test: new Uint32Array(0),
    };
    const p = fitPipeline(t, s, split.train);
    const d = prepareData(t, s, split, p);
    const std = Math.sqrt(200 / 3);
    expect(d.targetScale).toEqual({ mean: 20, std });
    expect([...d.train.y]).toEqual([-10 / std, 0, 10 / std].map(Math.fround));
    expect([...d.validation.y]).toEqual([Math.fround(980 / std)]);
    expect(d.nOutputs).toBe(1);
    expect(d.test.n).toBe(0);
    expect(d.datasetHash).toBe('h');
  });

  it('multiclass: nOutputs is the number of classes and labels are class indices', () => {
    const t: RawTable = { source: 'm.csv', hash: 'h', columns: ['y'], rows: [['c'], ['a'], ['b'], ['a']] };
    const s = inferSchema(t, 'y');
    const split = {
      train: Uint32Array.from([0, 1, 2]),
      validation: Uint32Array.from([3]),
      test: new Uint32Array(0),
    };
    const d = prepareData(t, s, split, fitPipeline(t, s, split.train));
    expect(d.nOutputs).toBe(3);
    expect(d.nFeatures).toBe(0);
    expect([...d.train.y]).toEqual([2, 0, 1]);
    expect(d.targetScale).toBeUndefined();
  });
});
