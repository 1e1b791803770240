import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSampler } from '../../src/samplers/create.js';
import type { FinishedTrial } from '../../src/samplers/types.js';
import { mlpDefaultSpace } from '../../src/space/schema.js';
import type { Params } from '../../src/space/types.js';
import { makeHistory, mixedObjective, mixedSpace } from './fixtures.js';

/**
 * Optuna's `test_reproducible_in_other_process`: the same sampler calls in a fresh Node process,
 * on code compiled by tsc (not vitest's transform), must give the same parameters bit for bit.
 */
const root = resolve(import.meta.dirname, '../..');
// Inside node_modules so that the compiled code resolves zod and pure-rand like dist/ does.
const out = mkdtempSync(join(root, 'node_modules', '.lockstep-samplers-test-'));

const configs: unknown[] = [
  'random',
  'grid',
  'sobol',
  'tpe',
  { name: 'tpe', multivariate: true, n_startup_trials: 5 },
  'cmaes',
  { name: 'cmaes', restart: 'ipop', popsize: 4 },
  { name: 'gp', n_candidates: 64 },
];

function cases(): { history: FinishedTrial[]; mlpHistory: FinishedTrial[] } {
  const random = createSampler('random');
  const history = makeHistory(
    60,
    (i) => random.sample(mixedSpace, [], { seed: 5, index: i, direction: 'minimize' }),
    mixedObjective,
  );
  const mlpHistory = makeHistory(
    40,
    (i) => random.sample(mlpDefaultSpace(), [], { seed: 6, index: i, direction: 'maximize' }),
    (p) => (p.dropout as number) - Math.abs(Math.log10(p.learning_rate as number) + 2),
  );
  return { history, mlpHistory };
}

function compute(h: ReturnType<typeof cases>): Params[] {
  const results: Params[] = [];
  for (const c of configs) {
    const s = createSampler(c);
    for (const index of [60, 61, 97]) {
      results.push(s.sample(mixedSpace, h.history, { seed: 123, index, direction: 'minimize' }));
      results.push(s.sample(mlpDefaultSpace(), h.mlpHistory, { seed: 123, index, direction: 'maximize' }));
    }
  }
  return results;
}

const digest = (x: unknown) => createHash('sha256').update(JSON.stringify(x)).digest('hex');

describe('samplers in another process', () => {
  beforeAll(() => {
    execFileSync(
      process.execPath,
      [
        join(root, 'node_modules/typescript/bin/tsc'),
        join(root, 'src/samplers/index.ts'),
        join(root, 'src/space/index.ts'),
        ...[
          '--outDir',
          out,
          '--rootDir',
          join(root, 'src'),
          '--module',
          'nodenext',
          '--moduleResolution',
          'nodenext',
        ],
        ...['--target', 'es2022', '--skipLibCheck', '--types', 'node', '--strict'],
      ],
      { stdio: 'pipe' },
    );
  });

  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('gives the same params (same SHA-256) as this process, for every sampler', () => {
    const h = cases();
    const here = compute(h);
    const input = join(out, 'input.json');
    writeFileSync(
      input,
      JSON.stringify({ configs, mixed: mixedSpace, history: h.history, mlpHistory: h.mlpHistory }),
    );
    const script = `
      import { readFileSync } from 'node:fs';
      import { createHash } from 'node:crypto';
      import { createSampler } from ${JSON.stringify(join(out, 'samplers/index.js'))};
      import { mlpDefaultSpace } from ${JSON.stringify(join(out, 'space/index.js'))};
      const { configs, mixed, history, mlpHistory } = JSON.parse(readFileSync(${JSON.stringify(input)}, 'utf8'));
      const results = [];
      for (const c of configs) {
        const s = createSampler(c);
        for (const index of [60, 61, 97]) {
          results.push(s.sample(mixed, history, { seed: 123, index, direction: 'minimize' }));
          results.push(s.sample(mlpDefaultSpace(), mlpHistory, { seed: 123, index, direction: 'maximize' }));
        }
      }
      process.stdout.write(JSON.stringify({ digest: createHash('sha256').update(JSON.stringify(results)).digest('hex'), results }));
    `;
    const child = JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        encoding: 'utf8',
        env: { ...process.env, LOCKSTEP_STRICT_RANDOM: '1' },
      }),
    ) as { digest: string; results: Params[] };
    expect(child.results).toEqual(here);
    expect(child.digest).toBe(digest(here));
    expect(here).toHaveLength(configs.length * 6);
  });
});
