import { describe, expect, it } from 'vitest';
import { loadTable } from '../../src/data/load.js';
import { syntheticCsv, syntheticTable } from '../../src/data/synthetic.js';
import { expectLockstepError, tempDir, thrown } from './helpers.js';

const tmp = tempDir();

describe('syntheticTable', () => {
  it('is deterministic by seed: same seed same hash, another seed another', () => {
    const opts = { rows: 200, features: 5, task: 'regression', seed: 4 } as const;
    expect(syntheticTable(opts).hash).toBe(syntheticTable({ ...opts }).hash);
    expect(syntheticTable({ ...opts, seed: 5 }).hash).not.toBe(syntheticTable(opts).hash);
    expect(syntheticTable({ ...opts, noise: 0.5 }).hash).not.toBe(syntheticTable(opts).hash);
  });

  it('names its source and columns, and has the asked shape', () => {
    const t = syntheticTable({ rows: 50, features: 3, task: 'multiclass', classes: 4, seed: 1 });
    expect(t.source).toBe('synthetic:multiclass:50x3:1');
    expect(t.columns).toEqual(['x0', 'x1', 'x2', 'target']);
    expect(t.rows.length).toBe(50);
    expect(new Set(t.rows.map((r) => r[3])).size).toBeGreaterThan(1);
  });

  it('loading its CSV from a file gives the same cells and hash', async () => {
    const opts = { rows: 30, features: 2, task: 'binary', seed: 9 } as const;
    const path = tmp.write('syn.csv', syntheticCsv(opts));
    const loaded = await loadTable(path);
    const t = syntheticTable(opts);
    expect(loaded.hash).toBe(t.hash);
    expect(loaded.rows).toEqual(t.rows);
    expect(loaded.columns).toEqual(t.columns);
  });

  it('binary classes are both common (the problem is balanced enough to learn)', () => {
    const t = syntheticTable({ rows: 1000, features: 4, task: 'binary', seed: 2 });
    const ones = t.rows.filter((r) => r[4] === 'c1').length;
    expect(ones).toBeGreaterThan(200);
    expect(ones).toBeLessThan(800);
  });

  it('regression is learnable: least squares on the features explains most of the variance', () => {
    const t = syntheticTable({ rows: 500, features: 3, task: 'regression', seed: 3, noise: 0.1 });
    const X = t.rows.map((r) => [1, ...r.slice(0, 3).map(Number)]);
    const y = t.rows.map((r) => Number(r[3]));
    // Normal equations, 4 × 4, by Gaussian elimination.
    const A = [0, 1, 2, 3].map((i) =>
      [0, 1, 2, 3].map((j) => X.reduce((s, row) => s + row[i]! * row[j]!, 0)),
    );
    const b = [0, 1, 2, 3].map((i) => X.reduce((s, row, k) => s + row[i]! * y[k]!, 0));
    for (let i = 0; i < 4; i++) {
      for (let k = i + 1; k < 4; k++) {
        const f = A[k]![i]! / A[i]![i]!;
        for (let j = i; j < 4; j++) A[k]![j]! -= f * A[i]![j]!;
        b[k]! -= f * b[i]!;
      }
    }
    const w = [0, 0, 0, 0];
    for (let i = 3; i >= 0; i--) {
      let s = b[i]!;
      for (let j = i + 1; j < 4; j++) s -= A[i]![j]! * w[j]!;
      w[i] = s / A[i]![i]!;
    }
    const mean = y.reduce((a, v) => a + v, 0) / y.length;
    const ssTot = y.reduce((a, v) => a + (v - mean) ** 2, 0);
    const ssRes = X.reduce((a, row, k) => a + (y[k]! - row.reduce((s, v, j) => s + v * w[j]!, 0)) ** 2, 0);
    expect(1 - ssRes / ssTot).toBeGreaterThan(0.6);
  });

  it('rejects bad options naming the option', () => {
    expectLockstepError(
      thrown(() => syntheticCsv({ rows: 0, features: 2, task: 'binary', seed: 0 })),
      'E_CONFIG',
      'synthetic.rows',
    );
    expectLockstepError(
      thrown(() => syntheticCsv({ rows: 5, features: 2, task: 'multiclass', classes: 1, seed: 0 })),
      'E_CONFIG',
      'synthetic.classes',
    );
  });
});
