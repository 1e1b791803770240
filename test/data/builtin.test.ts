import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { builtinNames, resolveBuiltin, verifyBuiltinHash } from '../../src/data/builtin.js';
import { sha256Hex } from '../../src/data/hash.js';
import { loadTable } from '../../src/data/load.js';
import { inferSchema } from '../../src/data/schema.js';
import { expectLockstepError, rejection, thrown } from './helpers.js';

describe('built-in datasets', () => {
  it('lists at least penguins, seattle-weather, cars and flights-20k', () => {
    expect(builtinNames()).toEqual(
      expect.arrayContaining(['cars', 'flights-20k', 'penguins', 'seattle-weather']),
    );
  });

  it.each(['penguins', 'seattle-weather', 'cars', 'flights-20k'])(
    '%s: the file has the registered SHA-256',
    (name) => {
      const r = resolveBuiltin(`builtin:${name}`);
      expect(sha256Hex(readFileSync(r.path))).toBe(r.entry.sha256);
    },
  );

  it('a hash mismatch is a DataError naming the dataset and both hashes', () => {
    const r = resolveBuiltin('builtin:cars');
    const e = thrown(() => verifyBuiltinHash(r, '0'.repeat(64)));
    expectLockstepError(e, 'E_DATA', 'builtin:cars', '0'.repeat(64), r.entry.sha256);
  });

  it('an unknown name is NotFound and lists the known ones', async () => {
    const e = await rejection(loadTable('builtin:iris'));
    expectLockstepError(e, 'E_NOT_FOUND', "'iris'", 'penguins', 'cars', 'seattle-weather', 'flights-20k');
  });

  it('penguins: multiclass with 3 classes, missing values turned to null', async () => {
    const t = await loadTable('builtin:penguins');
    expect(t.source).toBe('builtin:penguins');
    expect(t.rows.length).toBe(344);
    const r = resolveBuiltin('penguins');
    const s = inferSchema(t, r.entry.target, undefined, { exclude: r.entry.exclude });
    expect(s.task).toBe('multiclass');
    expect(s.classes).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
    const sex = t.columns.indexOf('Sex');
    // 10 nulls in the file plus one '.', registered as a missing marker.
    expect(t.rows.filter((row) => row[sex] === null).length).toBe(11);
    expect(s.features.find((f) => f.name === 'Body Mass (g)')?.type).toBe('numeric');
  });

  it('cars: regression on Miles_per_Gallon, Name excluded, rows without a target dropped', async () => {
    const t = await loadTable('builtin:cars');
    const r = resolveBuiltin('cars');
    const s = inferSchema(t, r.entry.target, r.entry.task, { exclude: r.entry.exclude });
    expect(s.task).toBe('regression');
    expect(s.features.map((f) => f.name)).not.toContain('Name');
    expect(s.features.find((f) => f.name === 'Horsepower')?.type).toBe('numeric');
    expect(s.droppedRows).toBe(8);
  });

  it('seattle-weather: multiclass on weather, date excluded', async () => {
    const t = await loadTable('builtin:seattle-weather');
    const r = resolveBuiltin('seattle-weather');
    const s = inferSchema(t, r.entry.target, undefined, { exclude: r.entry.exclude });
    expect(s.task).toBe('multiclass');
    expect(s.classes).toEqual(['drizzle', 'fog', 'rain', 'snow', 'sun']);
    expect(s.features.map((f) => f.type)).toEqual(['numeric', 'numeric', 'numeric', 'numeric']);
  });

  it('flights-20k: regression on delay', async () => {
    const t = await loadTable('builtin:flights-20k');
    const r = resolveBuiltin('flights-20k');
    const s = inferSchema(t, r.entry.target, undefined, { exclude: r.entry.exclude });
    expect(t.rows.length).toBe(20000);
    expect(s.task).toBe('regression');
    expect(s.features.map((f) => `${f.name}:${f.type}`)).toEqual([
      'distance:numeric',
      'origin:categorical',
      'destination:categorical',
    ]);
  });
});
