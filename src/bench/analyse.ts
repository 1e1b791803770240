/**
 * The statistics of a finished suite, from its runs' values (pure). Losses are values in the minimising
 * direction (a maximised score is negated), so that lower is better everywhere below.
 */
import type { Direction } from '../types.js';
import type { ProblemInfo } from './problems.js';
import type { RunResult } from './run.js';
import {
  bestSoFar,
  mean,
  meanRanks,
  median,
  normalisedArea,
  normalisedScore,
  type PairwiseTest,
  pairwiseTests,
  timingSummary,
} from './stats.js';

export interface StrategyStats {
  /** Mean best-so-far value (the problem's own units) at each trial count 1 … trials. */
  meanBest: number[];
  /** Mean regret at each trial count (when the optimum is known or estimated). */
  meanRegret: number[];
  /** At each budget: mean and median regret, mean normalised score, mean best value. */
  atBudget: Record<string, { meanBest: number; meanRegret: number; medianRegret: number; score: number }>;
  /** Mean normalised area under the best-so-far curve (0 is ideal). */
  area: number;
  /** Final best value of each seed (the problem's units). */
  finalBest: number[];
}

export interface ProblemStats {
  label: string;
  kind: string;
  direction: Direction;
  /** The optimum used for regret: known, or the best value any run found (then `optimumKnown` is false). */
  optimum: number;
  optimumKnown: boolean;
  /** Bayesmark's reference: the median over seeds of random search's first value (or of every strategy's first, without random). */
  reference: number;
  strategies: Record<string, StrategyStats>;
  /** Mean rank of each strategy over the seeds, at each budget. */
  ranks: Record<string, Record<string, number>>;
  /** One-sided Mann–Whitney U tests on the final best values, every ordered pair. */
  tests: PairwiseTest[];
  wins: Record<string, number>;
}

export interface SuiteStats {
  budgets: number[];
  problems: ProblemStats[];
  /** Mean rank over every (problem, seed), at each budget. */
  ranks: Record<string, Record<string, number>>;
  /** Mean normalised score over the problems, at each budget. */
  scores: Record<string, Record<string, number>>;
  /** Total wins (pairs won at p < 0.05) over the problems. */
  wins: Record<string, number>;
}

export interface TimingStats {
  perStrategy: Record<string, { msPerSuggestion: number; wallMsPerRun: number }>;
  perRun: { study: string; wallMs: number; msPerSuggestion: number }[];
}

/** Groups the runs: runs[problem][strategy][seed]. */
function group(runs: readonly RunResult[]): Map<string, Map<string, RunResult[]>> {
  const m = new Map<string, Map<string, RunResult[]>>();
  for (const r of runs) {
    const p = m.get(r.problem) ?? new Map<string, RunResult[]>();
    m.set(r.problem, p);
    const s = p.get(r.strategy) ?? [];
    p.set(r.strategy, s);
    s[r.seed] = r;
  }
  return m;
}

export function analyse(
  problems: readonly ProblemInfo[],
  strategies: readonly string[],
  runs: readonly RunResult[],
  budgets: readonly number[],
  trials: number,
): SuiteStats {
  const byProblem = group(runs);
  const out: ProblemStats[] = [];
  const rankBlocks: Record<string, number[][]> = {};
  for (const b of budgets) rankBlocks[b] = strategies.map(() => []);

  for (const info of problems) {
    const sign = info.direction === 'maximize' ? -1 : 1;
    const toLoss = (v: number | null) => (v === null ? null : sign * v);
    const perStrategy = byProblem.get(info.label) ?? new Map<string, RunResult[]>();
    // best-so-far loss curves: curves[s][seed][t]
    const curves = strategies.map((s) =>
      (perStrategy.get(s) ?? []).map((r) => bestSoFar(r.values.map(toLoss)).slice(0, trials)),
    );
    let optLoss: number;
    let optimumKnown: boolean;
    if (info.optimum !== null) {
      optLoss = sign * info.optimum;
      optimumKnown = true;
    } else {
      optLoss = Math.min(...curves.flat().map((c) => c[c.length - 1] ?? Number.POSITIVE_INFINITY));
      optimumKnown = false;
    }
    const randomIndex = strategies.indexOf('random');
    const firsts = (randomIndex >= 0 ? [curves[randomIndex]!] : curves).flat().map((c) => c[0]!);
    const refLoss = median(firsts.filter(Number.isFinite));

    const stats: Record<string, StrategyStats> = {};
    strategies.forEach((s, si) => {
      const cs = curves[si]!;
      const meanLoss = Array.from({ length: trials }, (_, t) => mean(cs.map((c) => c[t]!)));
      const atBudget: StrategyStats['atBudget'] = {};
      for (const b of budgets) {
        const at = cs.map((c) => c[b - 1]!);
        atBudget[b] = {
          meanBest: sign * mean(at),
          meanRegret: mean(at.map((l) => l - optLoss)),
          medianRegret: median(at.map((l) => l - optLoss)),
          score: mean(at.map((l) => normalisedScore(l, optLoss, refLoss))),
        };
      }
      stats[s] = {
        meanBest: meanLoss.map((l) => sign * l),
        meanRegret: meanLoss.map((l) => l - optLoss),
        atBudget,
        area: mean(cs.map((c) => normalisedArea(c, optLoss, refLoss))),
        finalBest: cs.map((c) => sign * c[c.length - 1]!),
      };
    });

    const ranks: Record<string, Record<string, number>> = {};
    const seeds = Math.max(0, ...curves.map((c) => c.length));
    for (const b of budgets) {
      const matrix = curves.map((cs) =>
        Array.from({ length: seeds }, (_, k) => cs[k]?.[b - 1] ?? Number.POSITIVE_INFINITY),
      );
      const r = meanRanks(matrix);
      ranks[b] = Object.fromEntries(strategies.map((s, i) => [s, r[i]!]));
      for (const [i, row] of matrix.entries()) rankBlocks[b]![i]!.push(...row);
    }
    const finals = curves.map((cs) => cs.map((c) => c[c.length - 1]!));
    const { tests, wins } = pairwiseTests(strategies, finals);
    out.push({
      label: info.label,
      kind: info.kind,
      direction: info.direction,
      optimum: sign * optLoss,
      optimumKnown,
      reference: sign * refLoss,
      strategies: stats,
      ranks,
      tests,
      wins,
    });
  }

  const ranks: Record<string, Record<string, number>> = {};
  const scores: Record<string, Record<string, number>> = {};
  for (const b of budgets) {
    const r = meanRanks(rankBlocks[b]!);
    ranks[b] = Object.fromEntries(strategies.map((s, i) => [s, r[i]!]));
    scores[b] = Object.fromEntries(
      strategies.map((s) => [s, mean(out.map((p) => p.strategies[s]!.atBudget[b]!.score))]),
    );
  }
  const wins = Object.fromEntries(strategies.map((s) => [s, out.reduce((n, p) => n + (p.wins[s] ?? 0), 0)]));
  return { budgets: [...budgets], problems: out, ranks, scores, wins };
}

/** Timings, kept apart from everything else (they are the only numbers that vary between runs). */
export function timingStats(strategies: readonly string[], runs: readonly RunResult[]): TimingStats {
  const perStrategy: TimingStats['perStrategy'] = {};
  for (const s of strategies) {
    const rs = runs.filter((r) => r.strategy === s);
    perStrategy[s] = {
      msPerSuggestion: timingSummary(rs.map((r) => r.timings.msPerSuggestion)).mean,
      wallMsPerRun: timingSummary(rs.map((r) => r.timings.wallMs)).mean,
    };
  }
  return {
    perStrategy,
    perRun: runs.map((r) => ({
      study: r.study,
      wallMs: r.timings.wallMs,
      msPerSuggestion: r.timings.msPerSuggestion,
    })),
  };
}
