import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, jsonOut, oneLine, tempDir, writeFiles } from '../helpers/cli.js';
import {
  dropSchema,
  lockPostgresTests,
  PG_URL,
  requirePostgres,
  schemaUrl,
  sql,
  uniqueSchema,
} from './pg.js';

const OBJECTIVE = `export async function objective(params, context) {
  const value = (Number(params.x) - 0.3) ** 2 + (context.seed % 7) / 1000;
  context.report(1, { value });
  return { score: value };
}
`;

const STUDY = `name: readonly
seed: 2
objective: { module: ./obj.mjs }
direction: minimize
space:
  x: { type: float, low: 0, high: 1 }
sampler: random
budget: { trials: 4 }
`;

/** The URL of the test server as another role. */
function asRole(role: string, schema: string): string {
  const u = new URL(PG_URL);
  u.username = role;
  u.password = '';
  return `${u.toString()}?schema=${schema}`;
}

/** Every table and schema the database holds (to show that a read created none). */
async function catalog(): Promise<string[]> {
  const rows = await sql<{ name: string }>(
    `SELECT n.nspname || '.' || coalesce(c.relname, '') AS name FROM pg_namespace n
       LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relkind IN ('r', 'i', 'S', 'v')
     WHERE n.nspname NOT IN ('pg_catalog', 'pg_toast') AND n.nspname NOT LIKE 'pg_temp%' AND n.nspname NOT LIKE 'pg_toast_temp%'
     ORDER BY 1`,
  );
  return rows.map((r) => r.name);
}

const LOCKSTEP_TABLES = ['studies', 'records', 'claims'];

describe('reading a PostgreSQL ledger never creates anything', () => {
  let dir: string;
  let schema: string;
  let digest: string;
  const role = `lst_reader_${process.pid}`;
  const stranger = `lst_stranger_${process.pid}`;
  let release: (() => void) | undefined;

  const dropRoles = async () => {
    for (const r of [role, stranger]) {
      const exists = await sql('SELECT 1 FROM pg_roles WHERE rolname = $1', [r]);
      if (exists.length > 0) {
        await sql(`DROP OWNED BY ${r}`);
        await sql(`DROP ROLE ${r}`);
      }
    }
  };
  // What an older lockstep created there; never left behind by these tests.
  const cleanInformationSchema = async () => {
    for (const t of ['claims', 'records', 'studies'])
      await sql(`DROP TABLE IF EXISTS information_schema.${t}`);
  };

  beforeAll(async () => {
    release = await lockPostgresTests();
    await requirePostgres();
    await cleanInformationSchema();
    dir = tempDir();
    writeFiles(dir, { 'obj.mjs': OBJECTIVE, 'study.yaml': STUDY });
    schema = uniqueSchema('ro');
    const r = await cli(['search', join(dir, 'study.yaml'), '--ledger', schemaUrl(schema), '--json'], {
      cwd: dir,
    });
    expect(r.code, r.stderr).toBe(0);
    digest = jsonOut(r).digest as string;
    await dropRoles();
    await sql(`CREATE ROLE ${role} LOGIN`);
    await sql(`GRANT USAGE ON SCHEMA ${schema} TO ${role}`);
    await sql(`GRANT SELECT ON ALL TABLES IN SCHEMA ${schema} TO ${role}`);
    await sql(`CREATE ROLE ${stranger} LOGIN`);
  }, 900_000);
  afterAll(async () => {
    try {
      await cleanInformationSchema();
      await dropSchema(schema);
      await dropRoles();
    } finally {
      release?.();
    }
  });

  it('show, verify, export and report work for a role that may only SELECT, and create nothing', async () => {
    const url = asRole(role, schema);
    const before = await catalog();
    const show = await cli(['show', url, '--json']);
    expect(show.code, show.stderr).toBe(0);
    expect(jsonOut(show).digest).toBe(digest);
    const verify = await cli(['verify', url, '--json']);
    expect(verify.code, verify.stderr).toBe(0);
    expect(jsonOut(verify)).toMatchObject({ ok: true, trials: 4, digest });
    const exported = await cli(['export', url, '--format', 'json']);
    expect(exported.code, exported.stderr).toBe(0);
    expect(JSON.parse(exported.stdout).trials).toHaveLength(4);
    const out = join(dir, 'report.html');
    const report = await cli(['report', url, '--out', out]);
    expect(report.code, report.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('readonly');
    expect(await catalog()).toEqual(before);
  });

  it('a schema without a ledger: one line, exit 2, and the schema is not created', async () => {
    const missing = uniqueSchema('missing');
    const before = await catalog();
    const commands = [
      ['show'],
      ['verify'],
      ['export', '--format', 'csv'],
      ['report', '--out', join(dir, 'x.html')],
    ];
    const runs = [];
    for (const command of commands)
      runs.push(await cli([command[0]!, schemaUrl(missing), ...command.slice(1)]));
    expect(await catalog()).toEqual(before);
    expect(existsSync(join(dir, 'x.html'))).toBe(false);
    for (const r of runs) {
      expect(r.code, r.stderr).toBe(2);
      expect(oneLine(r)).toMatch(new RegExp(`schema ${missing} holds no lockstep ledger`));
    }
  });

  it('?schema=information_schema is refused in one line and creates no table there', async () => {
    const runs = [];
    for (const command of ['show', 'verify'])
      runs.push(await cli([command, `${PG_URL}?schema=information_schema`]));
    const created = await sql<{ tablename: string }>(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'information_schema' AND tablename = ANY($1)`,
      [LOCKSTEP_TABLES],
    );
    expect(created).toEqual([]);
    for (const r of runs) {
      expect(r.code, r.stderr).toBe(2);
      expect(oneLine(r)).toMatch(/schema: information_schema is PostgreSQL's own/);
    }
  });

  it('a role that may not read the ledger gets one line naming the refusal, exit 2, no stack trace', async () => {
    const url = asRole(stranger, schema);
    for (const command of [['show'], ['verify'], ['export', '--format', 'json']]) {
      const r = await cli([command[0]!, url, ...command.slice(1)]);
      expect(r.code, r.stderr).toBe(2);
      expect(oneLine(r)).toMatch(/permission denied for schema lst_ro_/);
    }
  });
});
