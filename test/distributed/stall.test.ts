import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLedgerAny } from '../../src/ledger/url.js';
import { cli, cliAsync, jsonOut, tempDir, writeFiles } from '../helpers/cli.js';
import { dropSchema, lockPostgresTests, requirePostgres, schemaUrl, sql, uniqueSchema } from './pg.js';

/** A trivial objective whose epochs take OBJ_DELAY_MS each. */
const OBJECTIVE = `export async function objective(params, context) {
  const x = Number(params.x);
  let value = 0;
  for (let epoch = 1; epoch <= 3; epoch++) {
    value = (x - 0.3) ** 2 + 1 / epoch + (context.seed % 7) / 1000;
    await new Promise((r) => setTimeout(r, Number(process.env.OBJ_DELAY_MS ?? 0)));
    if (context.report(epoch, { value }) === 'stop') break;
  }
  return { score: value };
}
`;

const STUDY = `name: stall
seed: 11
objective: { module: ./obj.mjs }
direction: minimize
space:
  x: { type: float, low: 0, high: 1 }
sampler: { name: tpe, n_startup_trials: 3 }
parallelism: 2
budget: { trials: 8 }
`;

type Child = ReturnType<typeof cliAsync>;
interface Done {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

function collect(child: Child, onStderr?: (all: string) => void): Promise<Done> {
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    onStderr?.(stderr);
  });
  return new Promise((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
}

const sleep = (ms: number) => new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms));

describe('PostgreSQL ledger: a worker stalled inside an append transaction', () => {
  let dir: string;
  const schemas: string[] = [];
  let release: (() => void) | undefined;
  beforeAll(async () => {
    release = await lockPostgresTests();
    await requirePostgres();
    dir = tempDir();
    writeFiles(dir, { 'obj.mjs': OBJECTIVE, 'study.yaml': STUDY });
  }, 900_000);
  afterAll(async () => {
    try {
      for (const s of schemas) await dropSchema(s);
    } finally {
      release?.();
    }
  });

  it('does not stall the study: the others finish it, the server ends the stalled session, and the resumed worker exits cleanly with the same digest', async () => {
    const cfg = join(dir, 'study.yaml');
    const clean = await cli(['search', cfg, '--workers', '1', '--out', join(dir, 'file'), '--json'], {
      cwd: dir,
    });
    expect(clean.code, clean.stderr).toBe(0);
    const reference = jsonOut(clean).digest as string;

    const schema = uniqueSchema('stall');
    schemas.push(schema);
    const url = schemaUrl(schema);
    const env = {
      OBJ_DELAY_MS: '60',
      LOCKSTEP_PG_LOCK_TIMEOUT_MS: '300',
      LOCKSTEP_PG_IDLE_TX_TIMEOUT_MS: '2000',
    };
    const args = ['worker', cfg, '--ledger', url, '--lease', '1', '--json'];

    // The victim stops inside the transaction of its second progress append (holding the study's row
    // lock, its lines written but not committed), says so, and is SIGSTOPped right there.
    const victim = cliAsync(args, {
      cwd: dir,
      env: { ...env, LOCKSTEP_TEST_STALL_AT: 'trial.progress:2:5000' },
    });
    let stalled!: () => void;
    const inTransaction = new Promise<void>((r) => {
      stalled = r;
    });
    const victimDone = collect(victim, (all) => {
      if (all.includes('stalled inside an append transaction')) stalled();
    });
    await inTransaction;
    victim.kill('SIGSTOP');
    const other = cliAsync(args, { cwd: dir, env });
    const otherDone = collect(other);

    // Bounded: without lock and idle-in-transaction timeouts the other worker waits for as long as the
    // victim is stopped (here: until this test gives up).
    const finished = await Promise.race([otherDone, sleep(40_000)]);
    // Still stopped: the server ended its session (idle in transaction), so nothing it wrote was committed
    // and no session of the study is left holding a transaction open.
    const open = await sql<{ n: string }>(
      `SELECT count(*) AS n FROM pg_stat_activity WHERE state LIKE 'idle in transaction%' AND query LIKE $1`,
      [`%${schema}%`],
    );
    victim.kill('SIGCONT');
    if (finished === 'timeout') {
      other.kill('SIGKILL');
      victim.kill('SIGKILL');
    }
    expect(finished, 'the other worker is still waiting for the stalled one').not.toBe('timeout');
    expect(Number(open[0]!.n)).toBe(0);
    const o = finished as Done;
    expect(o.code, o.stderr).toBe(0);
    expect(jsonOut(o).digest).toBe(reference);
    expect(jsonOut(o).trials).toBe(8);

    // Resumed, the stalled worker finds its transaction gone, re-reads, drops the trial it lost and exits 0.
    const v = await Promise.race([victimDone, sleep(60_000)]);
    expect(v, 'the resumed worker did not exit').not.toBe('timeout');
    const vr = v as Done;
    expect(vr.code, vr.stderr).toBe(0);
    expect(vr.stderr).not.toMatch(/\n\s+at /);
    expect(vr.stderr).toMatch(
      /the server ended its session \(25P03: .*idle-in-transaction timeout\); nothing of it was committed/,
    );
    expect(jsonOut(vr).digest).toBe(reference);

    // The ledger is whole: a valid chain, every trial once finished, the digest of a clean run.
    const verify = await cli(['verify', url, '--json']);
    expect(verify.code, verify.stderr).toBe(0);
    expect(jsonOut(verify)).toMatchObject({ ok: true, trials: 8, digest: reference });
    const read = await readLedgerAny(url);
    expect(read.state.trials.map((t) => t.index)).toEqual([...Array(8).keys()]);
    expect(read.state.trials.every((t) => t.state === 'complete')).toBe(true);
  }, 180_000);
});
