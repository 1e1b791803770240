import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, cliAsync, jsonOut, oneLine, tempDir, writeFiles } from '../helpers/cli.js';
import { dropSchema, lockPostgresTests, requirePostgres, schemaUrl, uniqueSchema } from './pg.js';

const OBJECTIVE = `export async function objective(params, context) {
  const value = (Number(params.x) - 0.3) ** 2 + (context.seed % 7) / 1000;
  context.report(1, { value });
  return { score: value };
}
`;

const STUDY = `name: dashpg
seed: 4
objective: { module: ./obj.mjs }
direction: minimize
space:
  x: { type: float, low: 0, high: 1 }
sampler: random
budget: { trials: 3 }
`;

/** A port nothing listens on: connections are refused at once. */
const DEAD_URL = 'postgres://postgres@127.0.0.1:1/test?schema=lockstep';

type Child = ReturnType<typeof cliAsync>;

function firstLine(child: Child): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(out.slice(0, nl));
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
    });
    child.on('close', (code) => reject(new Error(`dashboard exited ${code}: ${err}`)));
  });
}

async function page(url: string): Promise<string> {
  const r = await fetch(url);
  expect(r.status).toBe(200);
  return r.text();
}

describe('dashboard and waits on a PostgreSQL ledger', () => {
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

  it('dashboard postgres://… serves the study and rebuilds the report as records arrive', async () => {
    const schema = uniqueSchema('dash');
    schemas.push(schema);
    const url = schemaUrl(schema);
    const cfg = join(dir, 'study.yaml');
    const first = await cli(['search', cfg, '--ledger', url, '--json'], { cwd: dir });
    expect(first.code, first.stderr).toBe(0);

    const dash = cliAsync(['dashboard', url, '--port', '0']);
    const closed = new Promise<number | null>((r) => dash.on('close', (code) => r(code)));
    try {
      const address = await firstLine(dash);
      expect(address).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const before = await page(address);
      expect(before).toContain('dashpg');
      expect(before).toContain('data-trials="3"');

      // More trials of the same study, appended by another process while the dashboard runs.
      const more = await cli(['search', cfg, '--ledger', url, '--trials', '5', '--json'], { cwd: dir });
      expect(more.code, more.stderr).toBe(0);
      const t0 = performance.now();
      let now = '';
      while (performance.now() - t0 < 30_000) {
        now = await page(address);
        if (now.includes('data-trials="5"')) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(now).toContain('data-trials="5"');
    } finally {
      dash.kill('SIGTERM');
    }
    expect(await closed).toBe(0);
  });

  it('an unreachable server: show and dashboard give up after LOCKSTEP_PG_RETRY_S, in one line', async () => {
    const env = { LOCKSTEP_PG_RETRY_S: '1' };
    for (const args of [
      ['show', DEAD_URL],
      ['verify', DEAD_URL],
      ['dashboard', DEAD_URL, '--port', '0'],
    ]) {
      const t0 = performance.now();
      const r = await cli(args, { env });
      const seconds = (performance.now() - t0) / 1000;
      expect(r.code, `${args[0]}: ${r.stderr}`).toBe(2);
      expect(oneLine(r)).toMatch(/PostgreSQL unreachable for \d+ s \(.*ECONNREFUSED/);
      // The hard-coded wait was 30 s; with LOCKSTEP_PG_RETRY_S=1 it is about one second (plus Node's start).
      expect(seconds, args[0]).toBeLessThan(12);
    }
  });

  it('a setting in the environment that is not a number is one line naming it', async () => {
    const schema = uniqueSchema('env');
    schemas.push(schema);
    const url = schemaUrl(schema);
    const made = await cli(['search', join(dir, 'study.yaml'), '--ledger', url, '--json'], { cwd: dir });
    expect(made.code, made.stderr).toBe(0);
    for (const [name, value] of [
      ['LOCKSTEP_PG_RETRY_S', 'soon'],
      ['LOCKSTEP_PG_RETRY_S', '-1'],
      ['LOCKSTEP_PG_LOCK_TIMEOUT_MS', '1.5'],
      ['LOCKSTEP_PG_IDLE_TX_TIMEOUT_MS', 'x'],
    ] as const) {
      const r = await cli(['show', url], { env: { [name]: value } });
      expect(r.code, `${name}=${value}: ${r.stderr}`).toBe(2);
      expect(oneLine(r)).toContain(`${name}: expected`);
    }
    expect(jsonOut(await cli(['show', url, '--json'])).digest).toBe(jsonOut(made).digest);
  });
});
