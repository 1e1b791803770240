/**
 * `lockstep predict` and `loadModel(dir).predict(rows)`: the recorded preprocessing and the model
 * applied to raw rows. On the study's own test rows they give the refit's recorded test metrics
 * bit for bit; a file without a feature column is refused, naming it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { prepare } from '../../src/data/prepare.js';
import type { Cell } from '../../src/data/types.js';
import { loadModel } from '../../src/train/predictor.js';
import { cli, jsonOut, oneLine, ROOT, tempDir } from '../helpers/cli.js';

const csvCell = (c: Cell): string => {
  if (c === null) return '';
  const s = String(c);
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

let dir: string;
let modelDir: string;
let testCsv: string;
let refitMetrics: Record<string, number>;
let testRows: Record<string, Cell>[];

beforeAll(async () => {
  dir = tempDir();
  const s = await cli(['search', join(ROOT, 'configs/penguins.yaml'), '--out', dir, '--json']);
  expect(s.code, s.stderr).toBe(0);
  modelDir = join(dir, 'penguins', 'best');
  // The refit's test metrics, without the training loss (a property of training, not of the rows).
  const { train_loss: _, ...metrics } = JSON.parse(readFileSync(join(modelDir, 'metadata.json'), 'utf8'))
    .metrics as Record<string, number>;
  refitMetrics = metrics;
  expect(Object.keys(refitMetrics).sort()).toEqual(['accuracy', 'log_loss', 'roc_auc']);
  // The study's own split, rebuilt from the config (holdout 60/20/20, seed 42).
  const p = await prepare('builtin:penguins', {
    target: 'Species',
    split: { kind: 'holdout', train: 0.6, validation: 0.2, test: 0.2 },
    seed: 42,
  });
  const rows = Array.from(p.split.test, (r) => p.table.rows[r]!);
  testRows = rows.map((r) => Object.fromEntries(p.table.columns.map((c, j) => [c, r[j] ?? null])));
  testCsv = join(dir, 'test.csv');
  writeFileSync(
    testCsv,
    `${[p.table.columns.map(csvCell).join(','), ...rows.map((r) => r.map(csvCell).join(','))].join('\n')}\n`,
  );
});

describe('lockstep predict', () => {
  it("gives exactly the refit's recorded test metrics on the study's test rows", async () => {
    const r = await cli(['predict', modelDir, testCsv, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = jsonOut(r);
    expect(out.rows).toBe(testRows.length);
    expect(out.metrics).toEqual(refitMetrics);
    expect((out.predictions as string[]).every((v) => ['Adelie', 'Chinstrap', 'Gentoo'].includes(v))).toBe(
      true,
    );
  });

  it('writes a CSV with one probability column per class, each row summing to 1', async () => {
    const out = join(dir, 'pred.csv');
    const r = await cli(['predict', modelDir, testCsv, '--out', out, '--proba']);
    expect(r.code, r.stderr).toBe(0);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('prediction,p_Adelie,p_Chinstrap,p_Gentoo');
    expect(lines).toHaveLength(testRows.length + 1);
    for (const line of lines.slice(1)) {
      const [, ...ps] = line.split(',');
      expect(Math.abs(ps.map(Number).reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-9);
    }
    expect(r.stderr).toMatch(/accuracy /);
  });

  it('refuses a file without a feature column, naming it (one line, exit 2)', async () => {
    const bad = join(dir, 'bad.csv');
    const text = readFileSync(testCsv, 'utf8').replace('Body Mass (g)', 'Mass');
    writeFileSync(bad, text);
    const r = await cli(['predict', modelDir, bad]);
    expect(r.code).toBe(2);
    expect(oneLine(r)).toMatch(/missing column 'Body Mass \(g\)'/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a folder that is not a saved model, and a missing data file (exit 2)', async () => {
    const notModel = await cli(['predict', dir, testCsv]);
    expect(notModel.code).toBe(2);
    expect(oneLine(notModel)).toMatch(/metadata\.json/);
    const noFile = await cli(['predict', modelDir, join(dir, 'nothing.csv')]);
    expect(noFile.code).toBe(2);
    expect(oneLine(noFile)).toMatch(/nothing\.csv: no such file/);
  });
});

describe('loadModel(dir).predict(rows)', () => {
  it('predicts rows given as objects, the same as the CLI, and names unused columns', async () => {
    const model = await loadModel(modelDir);
    try {
      expect(model.features).toContain('Island');
      expect(model.classes).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
      const p = model.predict(testRows.map((r) => ({ ...r, note: 'x' })));
      expect(p.metrics).toEqual(refitMetrics);
      expect(p.ignoredColumns).toEqual(['note']);
      const unlabelled = model.predict(testRows.map(({ Species: _, ...rest }) => rest));
      expect(unlabelled.metrics).toBeUndefined();
      expect(unlabelled.predictions).toEqual(p.predictions);
    } finally {
      model.dispose();
    }
  });
});
