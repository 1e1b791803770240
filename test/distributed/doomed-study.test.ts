/**
 * `search --ledger postgres://…` treats a study that cannot succeed as the file search does (issue 15,
 * item 4): what can be checked before the first trial is refused before anything is created, and a study
 * whose first trials all fail with one error stops, prints it and exits 1.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLedgerAny } from '../../src/ledger/url.js';
import { cli, oneLine, smallCsv, tempDir, writeFiles } from '../helpers/cli.js';
import { dropSchema, lockPostgresTests, requirePostgres, schemaUrl, sql, uniqueSchema } from './pg.js';

describe('search on PostgreSQL: a study that cannot succeed', () => {
  let dir: string;
  let release: () => void;
  const schemas: string[] = [];
  beforeAll(async () => {
    release = await lockPostgresTests();
    await requirePostgres();
    dir = tempDir('lockstep-pg-doomed-');
    writeFiles(dir, {
      'data.csv': smallCsv(80, 4),
      'always.mjs': "export function objective() { throw new Error('the objective needs a GPU'); }\n",
    });
  });
  afterAll(async () => {
    for (const s of schemas) await dropSchema(s);
    release?.();
  });

  it('refuses an unknown MLP parameter before creating anything: one line, exit 2', async () => {
    const schema = uniqueSchema('doomed');
    schemas.push(schema);
    const cfg = join(dir, 'lr.yaml');
    writeFileSync(
      cfg,
      'name: lr\ndataset: data.csv\ntarget: label\nbudget: { trials: 3 }\nspace: { lr: { type: float, low: 0.001, high: 0.1 }, epochs: 2 }\n',
    );
    const r = await cli(['search', cfg, '--ledger', schemaUrl(schema)]);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(oneLine(r)).toMatch(
      new RegExp(`^lockstep: ${cfg}: space\\.lr: not a parameter of the built-in MLP`),
    );
    const tables = await sql('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [
      schema,
    ]);
    expect(tables).toEqual([]);
  });

  it('stops when its first trials all fail with one error, and prints it: exit 1', async () => {
    const schema = uniqueSchema('doomed');
    schemas.push(schema);
    const cfg = join(dir, 'always.yaml');
    writeFileSync(
      cfg,
      'name: always\nobjective: { module: ./always.mjs }\ndirection: minimize\nbackend: cpu\nsampler: random\nparallelism: 1\nbudget: { trials: 20 }\nspace: { x: { type: float, low: 0, high: 1 } }\n',
    );
    const r = await cli(['search', cfg, '--ledger', schemaUrl(schema), '--workers', '1']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(oneLine(r)).toBe(
      'lockstep: study always stopped: its first trials all failed with the same error: Error: the objective needs a GPU',
    );
    const { records } = await readLedgerAny(schemaUrl(schema, 'always'));
    expect(records.filter((x) => x.type === 'trial.finished')).toHaveLength(5);
  });
});
