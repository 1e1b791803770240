import { describe, expect, it } from 'vitest';
import { parsePipeline, prepare, prepareData } from '../../src/data/index.js';
import { syntheticCsv } from '../../src/data/synthetic.js';
import { expectLockstepError, rejection, tempDir } from './helpers.js';

const tmp = tempDir();
const split = { kind: 'holdout', train: 0.6, validation: 0.2, test: 0.2 } as const;

function digest(a: Float32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');
}

describe('prepare', () => {
  it('builtin:penguins end to end: registry target and task, stratified split, encoded parts', async () => {
    const p = await prepare('builtin:penguins', { split, seed: 0 });
    expect(p.schema.task).toBe('multiclass');
    expect(p.data.nOutputs).toBe(3);
    expect(p.data.train.n + p.data.validation.n + p.data.test.n).toBe(344);
    expect(p.data.train.x.length).toBe(p.data.train.n * p.data.nFeatures);
    expect(p.data.datasetHash).toBe(p.table.hash);
    for (const v of p.data.train.x) expect(Number.isFinite(v)).toBe(true);
  });

  it('cars: rows without a target are in no part, and indices refer to table rows', async () => {
    const p = await prepare('builtin:cars', { split, seed: 0 });
    const all = [...p.split.train, ...p.split.validation, ...p.split.test];
    expect(all.length).toBe(406 - 8);
    const t = p.table.columns.indexOf('Miles_per_Gallon');
    for (const r of all) expect(p.table.rows[r]![t]).not.toBeNull();
    expect(p.data.targetScale).toBeDefined();
  });

  it('two independent runs give identical bits; another seed gives others', async () => {
    const path = tmp.write('syn.csv', syntheticCsv({ rows: 300, features: 4, task: 'multiclass', seed: 1 }));
    const a = await prepare(path, { target: 'target', split, seed: 5 });
    const b = await prepare(path, { target: 'target', split, seed: 5 });
    const c = await prepare(path, { target: 'target', split, seed: 6 });
    expect(digest(b.data.train.x)).toBe(digest(a.data.train.x));
    expect(digest(b.data.test.y)).toBe(digest(a.data.test.y));
    expect(digest(c.data.train.x)).not.toBe(digest(a.data.train.x));
  });

  it('a pipeline read back from JSON rebuilds the same bits on a real dataset', async () => {
    const p = await prepare('builtin:penguins', { split, seed: 11 });
    const back = parsePipeline(JSON.parse(JSON.stringify(p.pipeline)));
    const d = prepareData(p.table, p.schema, p.split, back);
    for (const part of ['train', 'validation', 'test'] as const) {
      expect(digest(d[part].x)).toBe(digest(p.data[part].x));
      expect(digest(d[part].y)).toBe(digest(p.data[part].y));
    }
  });

  it('a file without a target is a ConfigError listing the columns', async () => {
    const path = tmp.write('nt.csv', 'a,b\n1,2\n');
    expectLockstepError(
      await rejection(prepare(path, { split, seed: 0 })),
      'E_CONFIG',
      path,
      'columns: a, b',
    );
  });
});
