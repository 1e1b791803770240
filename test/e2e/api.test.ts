import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, jsonOut, ROOT, smallCsv, tempDir, writeFiles } from '../helpers/cli.js';

/** Runs an ES module snippet in a fresh Node process, from the package root (so 'lockstep' resolves to itself). */
function node(code: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
      cwd: ROOT,
      env: { ...process.env, LOCKSTEP_STRICT_RANDOM: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (c) => resolve({ code: c, stdout, stderr }));
  });
}

describe("the programmatic API: import { search, replay } from 'lockstep'", () => {
  it('runs a study and replays its best trial exact; the digest equals the CLI run on another worker count', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'data.csv': smallCsv(120, 9) });
    const cfg = join(dir, 'api.yaml');
    writeFileSync(
      cfg,
      'name: api\nseed: 3\ndataset: data.csv\ntarget: label\nsampler: random\nparallelism: 2\nbudget: { trials: 4 }\nspace: { layers: 1, units_1: [4, 8], learning_rate: { type: float, low: 0.001, high: 0.1, log: true }, epochs: 2 }\n',
    );
    const r = await node(`
      import { search, replay } from 'lockstep';
      const s = await search({ config: ${JSON.stringify(cfg)}, workers: 2, out: ${JSON.stringify(join(dir, 'api-out'))} });
      const v = await replay({ id: s.best.id, ledger: s.ledger });
      console.log(JSON.stringify({ digest: s.digest, trials: s.trials, verdict: v.verdict }));
    `);
    expect(r.code, r.stderr).toBe(0);
    const api = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(api.trials).toBe(4);
    expect(api.verdict).toBe('exact');
    const c = await cli(['search', cfg, '--workers', '1', '--out', join(dir, 'cli-out'), '--json']);
    expect(c.code, c.stderr).toBe(0);
    expect(jsonOut(c).digest).toBe(api.digest);
  });

  it('several objectives from code: a function returns its metrics, nsga2 searches them; the front is in the result', async () => {
    const dir = tempDir();
    const r = await node(`
      import { search, space, float } from 'lockstep';
      const s = space(float('x', 0, 1), float('y', 0, 1));
      // ZDT1-like, two dimensions: f1 = x, f2 = g (1 - sqrt(f1 / g)) with g = 1 + 9 y.
      const result = await search({
        name: 'two-objectives', seed: 5, space: s, budget: { trials: 24 },
        objectives: [{ name: 'f1', direction: 'minimize' }, { name: 'f2', direction: 'minimize' }],
        constraints: [{ name: 'f1', min: 0.05 }],
        sampler: { name: 'nsga2', population_size: 8 },
        enqueue: [{ x: 0.5, y: 0 }],
        objective: (p) => {
          const g = 1 + 9 * p.y;
          const f2 = g * (1 - Math.sqrt(p.x / g));
          return { score: p.x, metrics: { f1: p.x, f2 } };
        },
      }, { out: ${JSON.stringify(join(dir, 'out'))} });
      console.log(JSON.stringify({ digest: result.digest, front: result.front }));
    `);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as {
      front: { index: number; values: number[]; params: { x: number; y: number } }[];
    };
    expect(out.front.length).toBeGreaterThan(1);
    for (const f of out.front) {
      expect(f.values[0]).toBe(f.params.x);
      expect(f.values[0]).toBeGreaterThanOrEqual(0.05); // the constraint holds on the front
    }
    // The enqueued point (x 0.5 on the true front, y 0) is trial 0, and no other trial dominates it.
    expect(out.front.some((f) => f.index === 0)).toBe(true);
  });
});
