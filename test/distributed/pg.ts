import pg from 'pg';

/** The test server (.ci/run starts it): 127.0.0.1:5432, trust auth, database `test`. */
export const PG_URL = process.env.LOCKSTEP_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let counter = 0;

/** A schema name no other test run uses: this process's id, a counter and the clock (names only). */
export function uniqueSchema(tag: string): string {
  counter++;
  return `lst_${tag}_${process.pid}_${counter}_${Date.now().toString(36)}`.toLowerCase();
}

/** The ledger URL of `schema` (and a study key or name). */
export function schemaUrl(schema: string, study?: string): string {
  return `${PG_URL}?schema=${schema}${study === undefined ? '' : `&study=${study}`}`;
}

/**
 * Fails (never skips) when PostgreSQL cannot be reached, with the command that starts it. Waits up to
 * `waitMs` first: another test of this suite may be restarting the server on purpose.
 */
export async function requirePostgres(waitMs = 30_000): Promise<void> {
  const t0 = performance.now();
  let last: unknown;
  while (performance.now() - t0 < waitMs) {
    const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
    try {
      await c.connect();
      await c.query('SELECT 1');
      await c.end();
      return;
    } catch (e) {
      last = e;
      await c.end().catch(() => {});
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  throw new Error(
    `PostgreSQL is not reachable at ${PG_URL} (${last instanceof Error ? last.message : String(last)}); these tests need it: start it with \`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\` (.ci/run does)`,
  );
}

/** Runs one SQL statement on a fresh connection. */
export async function sql<R extends pg.QueryResultRow = pg.QueryResultRow>(
  text: string,
  values?: unknown[],
): Promise<R[]> {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 5000 });
  await c.connect();
  try {
    return (await c.query<R>(text, values)).rows;
  } finally {
    await c.end();
  }
}

export async function dropSchema(schema: string): Promise<void> {
  await sql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
}

const LOCK_DIR = '/tmp/lockstep-pg-tests.lock';

/**
 * Serialises the test files that use PostgreSQL across vitest's worker processes: one of them stops and
 * restarts the server on purpose, which must not happen under another file's feet. A lock left by a dead
 * process is taken over. Returns the release function.
 */
export async function lockPostgresTests(waitMs = 900_000): Promise<() => void> {
  const { mkdirSync, readFileSync, rmSync, writeFileSync } = await import('node:fs');
  const t0 = performance.now();
  for (;;) {
    try {
      mkdirSync(LOCK_DIR);
      writeFileSync(`${LOCK_DIR}/pid`, String(process.pid));
      return () => rmSync(LOCK_DIR, { recursive: true, force: true });
    } catch {
      let holder = Number.NaN;
      try {
        holder = Number(readFileSync(`${LOCK_DIR}/pid`, 'utf8'));
      } catch {
        // being created right now
      }
      let alive = true;
      if (Number.isInteger(holder)) {
        try {
          process.kill(holder, 0);
        } catch {
          alive = false;
        }
      }
      if (!alive) rmSync(LOCK_DIR, { recursive: true, force: true });
      else if (performance.now() - t0 > waitMs)
        throw new Error(`${LOCK_DIR}: held by pid ${holder} for too long`);
      else await new Promise((r) => setTimeout(r, 250));
    }
  }
}
