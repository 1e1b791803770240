import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, jsonOut, oneLine, tempDir } from '../helpers/cli.js';

/** A study on a user objective that fails for some parameters: the failure is recorded and the search goes on. */
describe('show and export of a study with failed trials', () => {
  let dir: string;
  let ledger: string;
  beforeAll(async () => {
    dir = tempDir();
    writeFileSync(
      join(dir, 'obj.mjs'),
      `export function objective(p, ctx) {
  for (let e = 1; e <= 3; e++) ctx.report(e, { value: (p.x - 0.2) ** 2 + 1 / e });
  if (p.kind === 'bad') throw new Error('bad kind "' + p.kind + '", with a comma');
  return (p.x - 0.2) ** 2;
}\n`,
    );
    writeFileSync(
      join(dir, 'fn.yaml'),
      'name: fn\nseed: 2\nobjective: { module: ./obj.mjs }\ndirection: minimize\nsampler: random\nparallelism: 1\nbudget: { trials: 12 }\nspace: { x: { type: float, low: -1, high: 1 }, kind: [good, bad] }\n',
    );
    const r = await cli(['search', join(dir, 'fn.yaml'), '--out', join(dir, 'runs'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    ledger = jsonOut(r).ledger as string;
  });

  it('show --json lists every trial, the failed ones with their error, and the best among the complete', async () => {
    const s = jsonOut(await cli(['show', ledger, '--json']));
    const trials = s.trials as {
      state: string;
      error: string | null;
      score: number | null;
      params: { kind: string };
    }[];
    expect(trials).toHaveLength(12);
    const failed = trials.filter((t) => t.state === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    for (const t of failed) {
      expect(t.params.kind).toBe('bad');
      expect(t.error).toMatch(/bad kind "bad", with a comma/);
      expect(t.score).toBeNull();
    }
    const complete = trials.filter((t) => t.state === 'complete');
    const best = s.best as { score: number };
    expect(best.score).toBe(Math.min(...complete.map((t) => t.score!)));
  });

  it('export --format csv quotes what needs quoting and has one row per trial', async () => {
    const out = join(dir, 'trials.csv');
    const r = await cli(['export', ledger, '--format', 'csv', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(out, 'utf8');
    const lines = text.trim().split('\n');
    expect(lines[0]).toBe('index,id,state,score,epochs,error,param_kind,param_x');
    expect(lines).toHaveLength(13);
    expect(text).toContain('"Error: bad kind ""bad"", with a comma"');
  });

  it('export --format json round-trips the scores', async () => {
    const r = await cli(['export', ledger, '--format', 'json']);
    const j = JSON.parse(r.stdout) as { trials: { score: number | null }[] };
    const s = jsonOut(await cli(['show', ledger, '--json']));
    expect(j.trials.map((t) => t.score)).toEqual(
      (s.trials as { score: number | null }[]).map((t) => t.score),
    );
  });

  it('an unknown format is one line, exit 2', async () => {
    const r = await cli(['export', ledger, '--format', 'xml']);
    expect(r.code).toBe(2);
    expect(oneLine(r)).toMatch(/--format: expected csv or json, but got 'xml'/);
  });
});
