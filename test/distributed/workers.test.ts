import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLedgerAny } from '../../src/ledger/url.js';
import { cli, cliAsync, jsonOut, oneLine, smallCsv, tempDir, writeFiles } from '../helpers/cli.js';
import { dropSchema, lockPostgresTests, requirePostgres, schemaUrl, sql, uniqueSchema } from './pg.js';

/** A trivial objective whose epochs take OBJ_DELAY_MS each (so a worker can be killed mid-trial). */
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

const STUDY = (trials: number, parallelism: number) => `name: dist
seed: 5
objective: { module: ./obj.mjs }
direction: minimize
space:
  x: { type: float, low: 0, high: 1 }
sampler: { name: tpe, n_startup_trials: 4 }
parallelism: ${parallelism}
budget: { trials: ${trials} }
`;

type Child = ReturnType<typeof cliAsync>;

function collect(
  child: Child,
): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  return new Promise((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const t0 = performance.now();
  while (performance.now() - t0 < timeoutMs) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch {
      // the server may be down on purpose: try again
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const pgctl = (action: 'start' | 'stop') =>
  execFileSync(
    'sh',
    ['-c', `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql | head -1) main ${action}`],
    {
      stdio: 'pipe',
    },
  );

describe('lockstep worker: one study, many processes, one PostgreSQL ledger', () => {
  let dir: string;
  const schemas: string[] = [];
  const fileDigests = new Map<number, string>();

  let release: (() => void) | undefined;
  beforeAll(async () => {
    release = await lockPostgresTests();
    await requirePostgres();
    dir = tempDir();
    writeFiles(dir, { 'obj.mjs': OBJECTIVE });
  }, 900_000);
  afterAll(async () => {
    try {
      for (const s of schemas) await dropSchema(s);
    } finally {
      release?.();
    }
  });

  /** The reference: the same study run by one process on a file ledger. */
  async function fileDigest(trials: number, parallelism: number): Promise<string> {
    const key = trials * 1000 + parallelism;
    const known = fileDigests.get(key);
    if (known) return known;
    const cfg = join(dir, `study-${trials}-${parallelism}.yaml`);
    writeFileSync(cfg, STUDY(trials, parallelism));
    const r = await cli(['search', cfg, '--workers', '1', '--out', join(dir, `file-${key}`), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const d = jsonOut(r).digest as string;
    fileDigests.set(key, d);
    return d;
  }

  function config(trials: number, parallelism: number): string {
    const cfg = join(dir, `study-${trials}-${parallelism}.yaml`);
    writeFileSync(cfg, STUDY(trials, parallelism));
    return cfg;
  }

  it('3 workers, one SIGKILLed mid-trial, give the digest of one process on a file ledger', async () => {
    const reference = await fileDigest(12, 3);
    const schema = uniqueSchema('kill');
    schemas.push(schema);
    const url = schemaUrl(schema);
    const cfg = config(12, 3);
    const env = { OBJ_DELAY_MS: '120' };
    const args = ['worker', cfg, '--ledger', url, '--lease', '1.5', '--json'];
    const victim = cliAsync(args, { cwd: dir, env });
    const victimDone = collect(victim);
    const others = [cliAsync(args, { cwd: dir, env }), cliAsync(args, { cwd: dir, env })].map(collect);
    // Mid-trial: the victim holds a claim whose trial has reported an epoch but not finished.
    const index = await until('the victim to be inside a trial', async () => {
      const rows = await sql<{ idx: number }>(
        `SELECT c.idx FROM ${schema}.claims c WHERE c.owner LIKE $1 AND NOT c.done AND EXISTS (
           SELECT 1 FROM ${schema}.records r WHERE r.line LIKE '%"type":"trial.progress"%' AND r.line LIKE '%"index":' || c.idx || ',%')`,
        [`%/${victim.pid}/%`],
      );
      return rows[0]?.idx;
    });
    victim.kill('SIGKILL');
    expect((await victimDone).signal).toBe('SIGKILL');
    const results = await Promise.all(others);
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const digests = results.map((r) => jsonOut({ ...r, code: r.code }).digest);
    expect(digests).toEqual([reference, reference]);

    const read = await readLedgerAny(url);
    const lost = read.state.trials.find((t) => t.index === index)!;
    expect(lost.attempts).toBeGreaterThanOrEqual(2); // the killed attempt, superseded
    expect(lost.state).toBe('complete');
    expect(read.state.trials.map((t) => t.index)).toEqual([...Array(12).keys()]);

    // Every reader takes the URL; a copy to a file verifies with the same digest.
    const verify = await cli(['verify', url, '--json']);
    expect(verify.code, verify.stderr).toBe(0);
    expect(jsonOut(verify)).toMatchObject({ ok: true, digest: reference });
    const show = await cli(['show', url, '--json']);
    expect(jsonOut(show).digest).toBe(reference);
    const copy = join(dir, 'copied.jsonl');
    expect((await cli(['ledger', 'copy', url, copy])).code).toBe(0);
    expect(jsonOut(await cli(['verify', copy, '--json']))).toMatchObject({ ok: true, digest: reference });
    const replay = await cli(['replay', lost.id, '--ledger', url, '--json'], { cwd: dir });
    expect(jsonOut(replay).verdict, replay.stderr).toBe('exact');
  });

  it('two processes racing to claim never run one index twice and never skip one', async () => {
    const schema = uniqueSchema('race');
    schemas.push(schema);
    const url = schemaUrl(schema);
    const cfg = config(40, 8);
    const args = ['worker', cfg, '--ledger', url, '--workers', '2', '--json'];
    const runs = await Promise.all([
      collect(cliAsync(args, { cwd: dir })),
      collect(cliAsync(args, { cwd: dir })),
    ]);
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const ran = runs.map((r) => jsonOut({ ...r, code: r.code }).ran as number);
    expect(ran[0]! + ran[1]!).toBe(40);
    const read = await readLedgerAny(url);
    const started = read.records
      .filter((r) => r.type === 'trial.started')
      .map((r) => (r as { index: number }).index);
    expect(started.slice().sort((a, b) => a - b)).toEqual([...Array(40).keys()]);
    const claims = await sql<{ idx: number; claims: number; done: boolean }>(
      `SELECT idx, claims, done FROM ${schema}.claims ORDER BY idx`,
    );
    expect(claims.map((c) => [c.idx, c.claims, c.done])).toEqual(
      [...Array(40).keys()].map((i) => [i, 1, true]),
    );
    expect(jsonOut(runs[0]! as { code: number; stdout: string; stderr: string }).digest).toBe(
      await fileDigest(40, 8),
    );
  });

  it('refuses a worker whose dataset has another hash than the study’s, with one clear line', async () => {
    const schema = uniqueSchema('hash');
    schemas.push(schema);
    const url = schemaUrl(schema);
    writeFiles(dir, { 'data.csv': smallCsv(80, 3), 'other.csv': smallCsv(80, 4) });
    const cfg = join(dir, 'mlp.yaml');
    writeFileSync(
      cfg,
      'name: mlpd\nseed: 3\ndataset: data.csv\ntarget: label\nsampler: random\nparallelism: 1\nrefit: false\nbudget: { trials: 1 }\nspace:\n  units_1: 4\n  layers: 1\n  epochs: 1\n  batch_size: 32\n',
    );
    const first = await cli(['worker', cfg, '--ledger', url, '--json'], { cwd: dir });
    expect(first.code, first.stderr).toBe(0);
    const key = jsonOut(first).key as string;
    const wrong = await cli(['worker', key, '--ledger', url, '--dataset', join(dir, 'other.csv')], {
      cwd: dir,
    });
    expect(wrong.code).toBe(2);
    expect(oneLine(wrong)).toMatch(
      /other\.csv: dataset hash [0-9a-f]{16}… differs from the study's [0-9a-f]{16}…/,
    );
    const wrongCfg = await cli(['worker', cfg, '--ledger', url, '--dataset', join(dir, 'other.csv')], {
      cwd: dir,
    });
    expect(wrongCfg.code).toBe(2);
    expect(oneLine(wrongCfg)).toMatch(/other\.csv: dataset hash .* differs from the study's/);
    const right = await cli(['worker', key, '--ledger', url, '--dataset', join(dir, 'data.csv'), '--json'], {
      cwd: dir,
    });
    expect(right.code, right.stderr).toBe(0);
    expect(jsonOut(right).digest).toBe(jsonOut(first).digest);
  });

  it('waits out a PostgreSQL stopped and restarted mid-study, and loses nothing', async () => {
    const reference = await fileDigest(16, 3);
    const schema = uniqueSchema('restart');
    schemas.push(schema);
    const url = schemaUrl(schema);
    const cfg = config(16, 3);
    const env = { OBJ_DELAY_MS: '100' };
    const args = ['worker', cfg, '--ledger', url, '--workers', '2', '--json'];
    const runs = [collect(cliAsync(args, { cwd: dir, env })), collect(cliAsync(args, { cwd: dir, env }))];
    let stoppedAt = 0;
    try {
      stoppedAt = await until('three finished trials', async () => {
        const rows = await sql<{ n: string }>(
          `SELECT count(*) AS n FROM ${schema}.records WHERE line LIKE '%"type":"trial.finished"%'`,
        );
        const n = Number(rows[0]?.n ?? 0);
        return n >= 3 ? n : undefined;
      });
      pgctl('stop');
      await new Promise((r) => setTimeout(r, 3000));
    } finally {
      pgctl('start'); // always: other tests need the server
    }
    await requirePostgres();
    const results = await Promise.all(runs);
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    expect(results.map((r) => r.stderr).join('')).toMatch(/unreachable/);
    expect(stoppedAt).toBeLessThan(16);
    for (const r of results) expect(jsonOut({ ...r, code: r.code }).digest).toBe(reference);
    const verify = await cli(['verify', url, '--json']);
    expect(jsonOut(verify)).toMatchObject({ ok: true, trials: 16, digest: reference });
  });
});
