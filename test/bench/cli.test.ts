import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from '../helpers/cli.js';

// Run `npx tsc -p tsconfig.json` first: these tests run the compiled CLI in its own process.

const TINY = `name: tiny
problems: [branin, hartmann6]
strategies: [random, { name: tpe, n_startup_trials: 4 }]
seeds: 2
trials: 10
budgets: [5]
`;

function withoutTimings(file: string): string {
  const r = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  delete r.timings;
  return JSON.stringify(r);
}

describe('lockstep bench', () => {
  it('gives identical results (timings aside) when run twice, and with 1 and 2 workers', async () => {
    const dir = tempDir('lockstep-bench-');
    const suite = join(dir, 'tiny.yaml');
    writeFileSync(suite, TINY);
    const runs = [];
    for (const args of [
      ['--workers', '1', '--out', join(dir, 'a')],
      ['--workers', '1', '--out', join(dir, 'b')],
      ['--workers', '2', '--out', join(dir, 'c')],
    ]) {
      runs.push(await cli(['bench', suite, ...args]));
    }
    for (const r of runs) expect(r.stderr + r.stdout).toMatch(/bench tiny: 8 runs/);
    for (const r of runs) expect(r.code).toBe(0);
    const [a, b, c] = ['a', 'b', 'c'].map((d) => withoutTimings(join(dir, d, 'results.json')));
    expect(b).toBe(a);
    expect(c).toBe(a);
    const parsed = JSON.parse(a!) as {
      runs: { values: number[]; problem: string; strategy: string; seed: number }[];
      stats: { problems: unknown[] };
    };
    expect(parsed.runs).toHaveLength(8);
    expect(parsed.runs.map((r) => `${r.problem}/${r.strategy}/${r.seed}`)).toEqual([
      'branin/random/0',
      'branin/random/1',
      'branin/tpe-n_startup_trials-4/0',
      'branin/tpe-n_startup_trials-4/1',
      'hartmann6/random/0',
      'hartmann6/random/1',
      'hartmann6/tpe-n_startup_trials-4/0',
      'hartmann6/tpe-n_startup_trials-4/1',
    ]);
    for (const r of parsed.runs) expect(r.values).toHaveLength(10);
    // Different seeds give different runs.
    expect(parsed.runs[0]!.values).not.toEqual(parsed.runs[1]!.values);
    const html = readFileSync(join(dir, 'a', 'report.html'), 'utf8');
    expect(html.match(/<svg/g)?.length).toBe(3);
    expect(html).not.toMatch(/<script|src="http/);
    expect(readFileSync(join(dir, 'a', 'summary.md'), 'utf8')).toMatch(/\| branin \| random \|/);
  }, 120_000);

  const bad: [string, string, RegExp][] = [
    [
      'unknown problem',
      'name: x\nproblems: [himmelblau]\nstrategies: [random]\nseeds: 1\ntrials: 5\n',
      /problems\[0\]: unknown problem 'himmelblau'/,
    ],
    [
      'unknown strategy',
      'name: x\nproblems: [branin]\nstrategies: [random, annealing]\nseeds: 1\ntrials: 5\n',
      /strategies\[1\]: unknown strategy 'annealing'/,
    ],
    [
      'bad strategy option',
      'name: x\nproblems: [branin]\nstrategies: [{ name: tpe, gama: 0.2 }]\nseeds: 1\ntrials: 5\n',
      /strategies\[0\]: unknown option\(s\) 'gama'/,
    ],
    [
      'seeds < 1',
      'name: x\nproblems: [branin]\nstrategies: [random]\nseeds: 0\ntrials: 5\n',
      /seeds: expected a count >= 1/,
    ],
    ['missing trials', 'name: x\nproblems: [branin]\nstrategies: [random]\nseeds: 2\n', /trials: /],
    ['bad YAML', 'name: x\nproblems: [branin\n', /not valid YAML/],
    [
      'budget over trials',
      'name: x\nproblems: [branin]\nstrategies: [random]\nseeds: 1\ntrials: 5\nbudgets: [10]\n',
      /budgets: 10 is more than trials \(5\)/,
    ],
    [
      'missing table',
      'name: x\nproblems: [{ name: table, path: nope.json }]\nstrategies: [random]\nseeds: 1\ntrials: 5\n',
      /table not found: .*nope\.json/,
    ],
  ];
  for (const [what, text, message] of bad) {
    it(`rejects a suite with ${what}: one line, exit 2`, async () => {
      const dir = tempDir('lockstep-bench-bad-');
      const file = join(dir, 'bad.yaml');
      writeFileSync(file, text);
      const r = await cli(['bench', file, '--out', join(dir, 'out')]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      if (what !== 'missing table') expect(r.stderr).toContain(file);
    });
  }
});
