/**
 * `show` and `search` of a study with several objectives: a real NSGA-II search on penguins (two worker
 * threads, three epochs a trial, ~3 s) whose listed front must be the ledger's own Pareto front.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { foldLedger, readLedger, type StudyState } from '../../src/ledger/index.js';
import { isFeasible } from '../../src/study/objectives.js';
import { type FrontTrial, paretoFrontOf } from '../../src/study/result.js';
import { type CliResult, cli, jsonOut, tempDir, writeFiles } from '../helpers/cli.js';

/** accuracy against parameter count, models over 6000 bytes infeasible: some trials are, some are not. */
const STUDY = `name: front
seed: 3
dataset: builtin:penguins
target: Species
objectives: [accuracy, { name: param_count, direction: minimize }]
constraints: [{ name: size_bytes, max: 6000 }]
space:
  units_1: { type: int, low: 2, high: 64, log: true }
  learning_rate: { type: float, low: 1.0e-3, high: 1.0e-1, log: true }
  epochs: 3
sampler: nsga2
parallelism: 2
budget: { trials: 8 }
`;

/** The same study with one objective and the constraint: its best is the best feasible trial. */
const CONSTRAINED = STUDY.replace(/^name: front$/m, 'name: constrained')
  .replace(/^objectives: .*\n/m, 'metric: accuracy\n')
  .replace('sampler: nsga2', 'sampler: random');

/** The lines of a text output from the `front:` heading's next line up to the first unindented one. */
function frontBlock(stdout: string): string[] {
  const lines = stdout.split('\n');
  const start = lines.findIndex((l) => l.startsWith('front: '));
  expect(start, stdout).toBeGreaterThanOrEqual(0);
  const block: string[] = [];
  for (const l of lines.slice(start + 1)) {
    if (!l.startsWith('  ')) break;
    block.push(l.trim());
  }
  return block;
}

/** How the text outputs print a value: six significant digits. */
const printed = (v: number) => String(Number(v.toPrecision(6)));

/** The front as the text lists it: best accuracy first, ties by index. */
const listed = (front: FrontTrial[]) =>
  [...front].sort((a, b) => b.values[0]! - a.values[0]! || a.index - b.index);

describe('a study with two objectives and a constraint', () => {
  let dir: string;
  let ledger: string;
  let searched: CliResult;
  let state: StudyState;
  let front: FrontTrial[];

  beforeAll(async () => {
    dir = tempDir('lockstep-front-');
    writeFiles(dir, { 'front.yaml': STUDY });
    searched = await cli(['search', join(dir, 'front.yaml'), '--out', join(dir, 'runs'), '--workers', '2']);
    expect(searched.code, searched.stderr).toBe(0);
    ledger = join(dir, 'runs', 'front', 'ledger.jsonl');
    state = foldLedger(readLedger(ledger).records);
    front = paretoFrontOf(state)!;
  });

  it('has a front to show, and trials on both sides of the constraint', () => {
    expect(state.trials.filter((t) => t.state === 'complete')).toHaveLength(8);
    expect(front.length).toBeGreaterThanOrEqual(1);
    const feasible = state.trials.filter((t) => isFeasible(t.constraints));
    expect(feasible.length).toBeGreaterThan(0);
    expect(feasible.length).toBeLessThan(8);
  });

  it('show lists the ledger’s Pareto front: id and each objective’s value, the feasible count', async () => {
    const r = await cli(['show', ledger]);
    expect(r.code, r.stderr).toBe(0);
    const feasible = state.trials.filter((t) => t.state === 'complete' && isFeasible(t.constraints)).length;
    expect(r.stdout).toMatch(/^study front \(accuracy ↑, param_count ↓; size_bytes ≤ 6000\) {2}8 trials /m);
    expect(r.stdout).toContain(
      `\nfront: ${front.length} ${front.length === 1 ? 'trial' : 'trials'} (accuracy ↑, param_count ↓); ${feasible} of 8 complete trials feasible (size_bytes ≤ 6000)\n`,
    );
    const block = frontBlock(r.stdout);
    expect(block[0]!.split(/ {2,}/)).toEqual(['id', 'accuracy ↑', 'param_count ↓']);
    expect(block.slice(1).map((l) => l.split(/ {2,}/))).toEqual(
      listed(front).map((t) => [t.id, ...t.values.map(printed)]),
    );
    // the trials table: each objective's value, feasibility, and a mark on exactly the front's rows
    const table = r.stdout.split('\n').slice(1, 10);
    const header = table[0]!.split(/ {2,}/);
    expect(header.slice(0, 6)).toEqual(['id', 'state', 'accuracy ↑', 'param_count ↓', 'feasible', 'front']);
    const at = table[0]!.indexOf('front');
    const onFront = new Set(front.map((t) => t.index));
    for (const t of state.trials) {
      const row = table.find((l) => l.startsWith(`${t.id} `))!;
      expect(row.slice(at, at + 5).trim(), t.id).toBe(onFront.has(t.index) ? '*' : '');
      expect(row).toContain(` ${isFeasible(t.constraints) ? 'yes' : 'no'} `);
      expect(row).toContain(` ${printed(t.values![1]!)} `);
    }
    expect(r.stdout).not.toMatch(/^best: /m);
    expect(r.stdout).toMatch(/^refit: trial \S+ \(the front's best accuracy\): test accuracy /m);
  });

  it('show --json carries the front (index order), the objectives and constraints, the feasible count', async () => {
    const s = jsonOut(await cli(['show', ledger, '--json']));
    expect(s.front).toEqual(front);
    expect(s.objectives).toEqual([
      { name: 'accuracy', direction: 'maximize' },
      { name: 'param_count', direction: 'minimize' },
    ]);
    expect(s.constraints).toEqual([{ name: 'size_bytes', max: 6000 }]);
    expect(s.feasible).toBe(state.trials.filter((t) => isFeasible(t.constraints)).length);
    const rows = s.trials as { index: number; values: number[]; feasible: boolean }[];
    expect(rows.map((t) => t.values)).toEqual(state.trials.map((t) => t.values));
    expect(rows.map((t) => t.feasible)).toEqual(state.trials.map((t) => isFeasible(t.constraints)));
    // best is the trial the refit took: the front's best accuracy
    expect((s.best as { index: number }).index).toBe(state.refit!.index);
    expect(front.some((t) => t.index === state.refit!.index)).toBe(true);
  });

  it('search lists the front at the end of its run, and --json carries it', async () => {
    const block = frontBlock(searched.stdout);
    expect(block.slice(1).map((l) => l.split(/ {2,}/)[0])).toEqual(listed(front).map((t) => t.id));
    expect(searched.stdout).not.toMatch(/^best /m);
    expect(searched.stdout).toMatch(/^refit trial \S+ \(the front's best accuracy\)$/m);
    const again = jsonOut(
      await cli(['search', join(dir, 'front.yaml'), '--out', join(dir, 'runs'), '--json']),
    );
    expect(again.alreadyComplete).toBe(true);
    expect(again.front).toEqual(front);
    expect(again.objectives).toEqual([
      { name: 'accuracy', direction: 'maximize' },
      { name: 'param_count', direction: 'minimize' },
    ]);
  });
});

describe('a study with one objective and a constraint', () => {
  it('shows the best feasible trial and which trials are feasible; --json has its one-objective front', async () => {
    const dir = tempDir('lockstep-front-');
    writeFiles(dir, { 'c.yaml': CONSTRAINED });
    const searched = await cli(['search', join(dir, 'c.yaml'), '--out', join(dir, 'runs')]);
    expect(searched.code, searched.stderr).toBe(0);
    const ledger = join(dir, 'runs', 'constrained', 'ledger.jsonl');
    const state = foldLedger(readLedger(ledger).records);
    const feasible = state.trials.filter((t) => t.state === 'complete' && isFeasible(t.constraints));
    const best = [...feasible].sort((a, b) => b.score! - a.score! || a.index - b.index)[0]!;
    const r = await cli(['show', ledger]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^study constrained \(accuracy, maximize; size_bytes ≤ 6000\) {2}8 trials /m);
    expect(r.stdout.split('\n')[1]!.split(/ {2,}/).slice(0, 5)).toEqual([
      'id',
      'state',
      'score',
      'feasible',
      'epochs',
    ]);
    expect(r.stdout).toContain(
      `\nbest: ${best.id}  accuracy ${best.score} (best of ${feasible.length} feasible)\n`,
    );
    const s = jsonOut(await cli(['show', ledger, '--json']));
    expect(s.front).toEqual(paretoFrontOf(state));
    expect((s.best as { id: string }).id).toBe(best.id);
  });
});
