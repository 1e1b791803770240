import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zdt1 } from '../../src/bench/zdt.js';
import { createSampler } from '../../src/samplers/create.js';
import type { FinishedTrial } from '../../src/samplers/types.js';

/**
 * NSGA-II and MOTPE runs (ZDT1, lag P = 2, a constraint on f1) in two fresh Node processes, on code
 * compiled by tsc, give the same trials bit for bit as each other and as this process.
 */
const root = resolve(import.meta.dirname, '../..');
// Inside node_modules so that the compiled code resolves zod and pure-rand like dist/ does.
const out = mkdtempSync(join(root, 'node_modules', '.lockstep-multiobjective-test-'));

const configs: unknown[] = [
  { name: 'nsga2', population_size: 10 },
  'motpe',
  { name: 'motpe', n_startup_trials: 5 },
];

/** The run, as source text evaluated here and in the children alike. */
const RUN = `(createSampler, zdt1, configs) => {
  const problem = zdt1(10);
  const directions = ['minimize', 'minimize'];
  const runs = [];
  for (const c of configs) {
    const sampler = createSampler(c);
    const done = [];
    for (let i = 0; i < 60; i++) {
      const visible = done.filter((t) => t.index < i - 2);
      const params = sampler.sample(problem.space, visible, { seed: 77, index: i, direction: 'minimize', directions });
      const values = problem.f(problem.pointOf(params));
      // Feasible when f1 <= 0.8.
      done.push({ index: i, params, state: i % 9 === 8 ? 'failed' : 'complete', value: undefined, intermediate: [],
        ...(i % 9 === 8 ? {} : { values, constraints: [values[0] - 0.8] }) });
    }
    runs.push(done.map((t) => t.params));
  }
  return runs;
}`;

const digest = (x: unknown) => createHash('sha256').update(JSON.stringify(x)).digest('hex');

describe('multi-objective samplers in other processes', () => {
  beforeAll(() => {
    execFileSync(
      process.execPath,
      [
        join(root, 'node_modules/typescript/bin/tsc'),
        join(root, 'src/samplers/index.ts'),
        join(root, 'src/bench/zdt.ts'),
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

  it('two fresh processes give the same NSGA-II and MOTPE runs (same SHA-256) as each other and as this one', () => {
    const run = new Function(`return ${RUN}`)() as (
      c: typeof createSampler,
      z: typeof zdt1,
      configs: unknown[],
    ) => FinishedTrial['params'][][];
    const here = run(createSampler, zdt1, configs);
    const script = `
      import { createHash } from 'node:crypto';
      import { createSampler } from ${JSON.stringify(join(out, 'samplers/index.js'))};
      import { zdt1 } from ${JSON.stringify(join(out, 'bench/zdt.js'))};
      const runs = (${RUN})(createSampler, zdt1, ${JSON.stringify(configs)});
      process.stdout.write(createHash('sha256').update(JSON.stringify(runs)).digest('hex'));
    `;
    const child = () =>
      execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        encoding: 'utf8',
        env: { ...process.env, LOCKSTEP_STRICT_RANDOM: '1' },
      });
    const a = child();
    const b = child();
    expect(a).toBe(b);
    expect(a).toBe(digest(here));
    // The runs are not trivial: the samplers breed (NSGA-II) and model (MOTPE) after their startup trials.
    expect(here).toHaveLength(3);
    expect(new Set(here.flat().map((p) => JSON.stringify(p))).size).toBeGreaterThan(150);
  });
});
