/**
 * The typed API: its types (tsc on a fixture with expected errors), the README's example compiled with tsc
 * and run as a user would (two processes give the same digests), and a function objective's guarantees:
 * it gets the prepared split and seeded streams, replays exact from code, and a changed function is refused.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { categorical, float, int, search, space, when } from '../../src/api.js';
import { replay } from '../../src/study/replay.js';
import { cli, oneLine, ROOT, tempDir } from '../helpers/cli.js';

const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

describe('typed API', () => {
  it('infers parameter types from the space (tsc accepts the fixture and each @ts-expect-error is an error)', () => {
    const r = spawnSync(process.execPath, [TSC, '-p', join(ROOT, 'test/docs/fixtures/tsconfig.json')], {
      encoding: 'utf8',
    });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  describe('the example examples/api.ts, compiled and run as a user would', () => {
    let first: string;
    beforeAll(() => {
      execFileSync(process.execPath, [TSC, '-p', join(ROOT, 'examples/tsconfig.json')], { stdio: 'pipe' });
      const cwd = tempDir();
      first = execFileSync(process.execPath, [join(ROOT, 'examples/dist/api.js')], { cwd, encoding: 'utf8' });
    }, 120_000);

    it('is the example the README shows, verbatim', () => {
      const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
      expect(readme).toContain(`\`\`\`ts\n${readFileSync(join(ROOT, 'examples/api.ts'), 'utf8')}\`\`\``);
    });

    it('runs both studies and prints their results', () => {
      expect(first).toMatch(/^MLP: best accuracy [\d.]+ \(trial [0-9a-f]{8}-\d+\), digest [0-9a-f]{64}$/m);
      expect(first).toMatch(/^own objective: best \d\.\d+ at \{.*"x":.*\}, digest [0-9a-f]{64}$/m);
    });

    it('gives the same digests in another process, from scratch', () => {
      const cwd = tempDir();
      const again = execFileSync(process.execPath, [join(ROOT, 'examples/dist/api.js')], {
        cwd,
        encoding: 'utf8',
      });
      const digests = (t: string) => [...t.matchAll(/digest ([0-9a-f]{64})/g)].map((m) => m[1]);
      expect(digests(again)).toEqual(digests(first));
      expect(digests(first)).toHaveLength(2);
    });
  });
});

describe('an objective function', () => {
  const s = space(
    float('x', -2, 2),
    int('k', 1, 4),
    categorical('c', ['p', 'q']),
    ...when({ c: 'q' }, float('y', 0, 1)),
  );
  const objective = (
    p: { x: number; k: number; c: 'p' | 'q'; y?: number },
    ctx: { stream(n: string): { float(): number } },
  ) => (p.x - 0.5) * (p.x - 0.5) + p.k / 10 + (p.y ?? 0) + 0.01 * ctx.stream('noise').float();

  it('replays exact from code; another function, or none, is refused with one clear line', async () => {
    const out = tempDir();
    const r = await search(
      {
        name: 'fn',
        seed: 3,
        space: s,
        direction: 'minimize',
        budget: { trials: 8 },
        sampler: 'tpe',
        objective,
      },
      { out },
    );
    expect(r.complete).toBe(8);
    const id = r.best!.id;
    const v = await replay({ id, ledger: r.ledger, objective: objective as never });
    expect(v.verdict).toBe('exact');
    const other = (p: { x: number }) => p.x;
    await expect(replay({ id, ledger: r.ledger, objective: other as never })).rejects.toThrow(
      /the function's source hashes to [0-9a-f]{12}…, the study recorded/,
    );
    await expect(replay({ id, ledger: r.ledger })).rejects.toThrow(
      /objective is a function \(objective\); pass it/,
    );
    const c = await cli(['replay', id, '--ledger', r.ledger]);
    expect(c.code).toBe(2);
    expect(oneLine(c)).toMatch(/objective is a function/);
    // The study's identity holds the function's source: a changed function does not resume it.
    await expect(
      search(
        {
          name: 'fn',
          seed: 3,
          space: s,
          direction: 'minimize',
          budget: { trials: 8 },
          sampler: 'tpe',
          objective: other,
        },
        { out },
      ),
    ).rejects.toThrow(/cannot resume this study: its config differs/);
  });

  it("receives the study's prepared split and the trial's seed and index", async () => {
    const seen: { n: number; features: number; seed: number; index: number }[] = [];
    const r = await search(
      {
        name: 'fn-data',
        dataset: join(ROOT, 'examples/churn/churn.csv'),
        target: 'churned',
        exclude: ['customer_id'],
        space: space(float('w', 0, 1)),
        budget: { trials: 3 },
        sampler: 'random',
        objective: (p, ctx) => {
          seen.push({
            n: ctx.data!.train.n,
            features: ctx.data!.nFeatures,
            seed: ctx.seed,
            index: ctx.index,
          });
          return p.w;
        },
      },
      { out: tempDir() },
    );
    expect(r.complete).toBe(3);
    expect(seen.map((x) => x.index)).toEqual([0, 1, 2]);
    expect(seen.every((x) => x.n === 360 && x.features > 5)).toBe(true);
    expect(new Set(seen.map((x) => x.seed)).size).toBe(3);
    const ledger = readFileSync(r.ledger, 'utf8');
    expect(ledger).toContain('"function":"objective"');
  });
});
