/** The strategy benchmark: run a suite, analyse it, write its outputs. */
import { resolve } from 'node:path';
import { analyse, timingStats } from './analyse.js';
import { problemInfo } from './problems.js';
import { type BenchResults, benchResults, writeOutputs } from './report.js';
import type { RunResult } from './run.js';
import { runSuite } from './runner.js';
import type { Suite } from './suite.js';

export interface BenchOptions {
  workers?: number;
  /** Output folder; default `runs/bench-<suite name>`. */
  out?: string;
  onRun?: (r: RunResult, done: number, total: number) => void;
  signal?: AbortSignal;
  /** Write results.json, summary.md and report.html (default true). */
  write?: boolean;
}

export interface BenchOutcome {
  results: BenchResults;
  out: string;
  files: { results: string; summary: string; report: string } | null;
}

/** Runs a suite and writes its outputs. */
export async function bench(suite: Suite, opts: BenchOptions = {}): Promise<BenchOutcome> {
  const out = resolve(opts.out ?? `runs/bench-${suite.name}`);
  const problems = suite.problems.map(problemInfo);
  const t0 = performance.now(); // timing only
  const runs = await runSuite(suite, {
    out,
    ...(opts.workers === undefined ? {} : { workers: opts.workers }),
    ...(opts.onRun ? { onRun: opts.onRun } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  const wallMs = performance.now() - t0; // timing only
  const strategies = suite.strategies.map((s) => s.label);
  const stats = analyse(problems, strategies, runs, suite.budgets, suite.trials);
  const workers = opts.workers ?? (await import('node:os')).availableParallelism();
  const results = benchResults(suite, problems, runs, stats, {
    ...timingStats(strategies, runs),
    wallMs,
    workers,
  });
  const files = opts.write === false ? null : await writeOutputs(out, results);
  return { results, out, files };
}

export type { ProblemStats, StrategyStats, SuiteStats, TimingStats } from './analyse.js';
export { analyse, timingStats } from './analyse.js';
export type { TestFunction } from './functions.js';
export {
  ackley,
  branin,
  FUNCTION_NAMES,
  functionSpace,
  hartmann6,
  levy,
  rosenbrock,
  testFunction,
} from './functions.js';
export type { ProblemInfo } from './problems.js';
export { objectiveFile, problemInfo, runConfig, studySeed } from './problems.js';
export type { BenchResults } from './report.js';
export { summaryMarkdown, writeOutputs } from './report.js';
export type { RunResult, RunTask, RunTimings } from './run.js';
export { runOne } from './run.js';
export { runSuite, suiteTasks } from './runner.js';
export * from './stats.js';
export type { ProblemSpec, StrategySpec, Suite } from './suite.js';
export { loadSuite, parseSuite, SuiteSchema } from './suite.js';
export type { Table } from './table.js';
export { loadTable, lookup, tableOptimum, tableSpace } from './table.js';
