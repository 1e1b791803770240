import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { objective } from '../../src/bench/objective.js';
import { gridPoints, loadTable, lookup, tableOptimum, tableSpace } from '../../src/bench/table.js';
import { parseSpace } from '../../src/space/index.js';
import { ROOT } from '../helpers/cli.js';

const PATH = join(ROOT, 'benchmarks/tables/penguins-mlp.json');

describe('tabulated problems', () => {
  it('enumerates a grid in row-major order, last parameter fastest', () => {
    expect(gridPoints({ a: [1, 2], b: ['x', 'y', 'z'] }).map((p) => `${p.a}${p.b}`)).toEqual([
      '1x',
      '1y',
      '1z',
      '2x',
      '2y',
      '2z',
    ]);
  });

  it('the shipped penguins table has 48 distinct trained configurations and names the command that rebuilt it', () => {
    const t = loadTable(PATH);
    expect(t.entries).toHaveLength(48);
    expect(t.command).toMatch(/^lockstep bench build-table benchmarks\/tables\/penguins-mlp\.spec\.yaml/);
    expect(new Set(t.entries.map((e) => e.weightsHash)).size).toBe(48);
    expect(t.entries.map((e) => e.params)).toEqual(gridPoints(t.grid));
    expect(tableOptimum(t)).toBe(Math.min(...t.entries.map((e) => e.score)));
  });

  it('answers a suggestion by the nearest grid point, and through the objective module', () => {
    const t = loadTable(PATH);
    const e = t.entries[13]!;
    expect(lookup(t, e.params)).toBe(e);
    // 0.012 is nearest 0.01 on a log scale.
    expect(
      lookup(t, {
        ...e.params,
        learning_rate: e.params.learning_rate === 0.01 ? 0.012 : e.params.learning_rate,
      }),
    ).toBe(e);
    expect(objective({ __table: PATH, ...e.params })).toBe(e.score);
    const space = parseSpace(tableSpace(t, PATH));
    expect(space.params.map((p) => p.name).sort()).toEqual([
      '__table',
      'activation',
      'dropout',
      'layers',
      'learning_rate',
      'units',
    ]);
  });
});
