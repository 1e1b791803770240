/**
 * A suite's problems as studies: the config of one run (problem × strategy × seed), and what is known
 * of each problem's optimum.
 */
import { compiledFile } from '../paths.js';
import { intSeedFor } from '../rng/index.js';
import { mlpDefaultSpace } from '../space/index.js';
import type { StudyConfigInput } from '../study/config.js';
import type { Direction } from '../types.js';
import { functionSpace, testFunction } from './functions.js';
import type { ProblemSpec, StrategySpec } from './suite.js';
import { loadTable, tableOptimum, tableSpace } from './table.js';

/** The compiled objective module: a study imports it by path, so it must be JavaScript. */
export function objectiveFile(): string {
  return compiledFile('bench/objective.js', 'bench objective');
}

export interface ProblemInfo {
  label: string;
  kind: ProblemSpec['kind'];
  direction: Direction;
  /** The optimum in the problem's own units, when known (test functions, tables). */
  optimum: number | null;
  dims: number | null;
}

export function problemInfo(p: ProblemSpec): ProblemInfo {
  switch (p.kind) {
    case 'function': {
      const fn = testFunction(p.name, p.dims);
      return { label: p.label, kind: p.kind, direction: 'minimize', optimum: fn.optimum, dims: fn.dims };
    }
    case 'table': {
      const t = loadTable(p.path);
      return {
        label: p.label,
        kind: p.kind,
        direction: t.direction,
        optimum: tableOptimum(t),
        dims: Object.keys(t.grid).length,
      };
    }
    case 'mlp':
      return {
        label: p.label,
        kind: p.kind,
        direction:
          p.metric === 'log_loss' || p.metric === 'rmse' || p.metric === 'mae' ? 'minimize' : 'maximize',
        optimum: null,
        dims: null,
      };
    default: {
      const never: never = p;
      throw new Error(`unreachable ${JSON.stringify(never)}`);
    }
  }
}

/** The mlp-default space as a record, with `epochs` fixed to the problem's. */
function mlpSpace(epochs: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of mlpDefaultSpace().params) {
    out[s.name] =
      s.name === 'epochs'
        ? { type: 'fixed', value: epochs }
        : { ...s.dist, ...(s.when ? { when: s.when } : {}) };
  }
  return out;
}

/** The study seed of run k: shared by every strategy and problem, so that strategies meet the same seeds. */
export function studySeed(suiteSeed: number, k: number): number {
  return intSeedFor(suiteSeed, 'bench', k);
}

/** The study name of one run: `<problem>.<strategy>.s<k>`. */
export function studyName(problem: string, strategy: string, k: number): string {
  return `${problem}.${strategy}.s${k}`;
}

/** The backend a suite's module studies declare: that of its MLP problems, else 'cpu' (the cheapest to initialise). */
export function moduleBackend(problems: readonly ProblemSpec[]): 'wasm' | 'cpu' | 'tensorflow' {
  const mlp = problems.find((p) => p.kind === 'mlp');
  return mlp === undefined ? 'cpu' : ((mlp.backend ?? 'wasm') as 'wasm' | 'cpu' | 'tensorflow');
}

/** The full study config (input form) of one run: a sequential study (parallelism 0) of `trials` trials. */
export function runConfig(
  p: ProblemSpec,
  s: StrategySpec,
  k: number,
  suiteSeed: number,
  trials: number,
  /** The backend of test-function and table studies (they never use it: the one the suite's MLP problems use, so a worker initialises one). */
  moduleBackend: 'wasm' | 'cpu' | 'tensorflow' = 'cpu',
): StudyConfigInput {
  const common = {
    name: studyName(p.label, s.label, k),
    seed: studySeed(suiteSeed, k),
    sampler: s.sampler,
    parallelism: 0,
    budget: { trials },
    refit: false,
  };
  switch (p.kind) {
    case 'function': {
      const fn = testFunction(p.name, p.dims);
      return {
        ...common,
        objective: { module: objectiveFile() },
        direction: 'minimize',
        space: functionSpace(fn),
        backend: moduleBackend,
      };
    }
    case 'table': {
      const t = loadTable(p.path);
      return {
        ...common,
        objective: { module: objectiveFile() },
        direction: t.direction,
        space: tableSpace(t, p.path),
        backend: moduleBackend,
      };
    }
    case 'mlp':
      return {
        ...common,
        dataset: p.dataset,
        ...(p.target === undefined ? {} : { target: p.target }),
        ...(p.task === undefined ? {} : { task: p.task as 'binary' | 'multiclass' | 'regression' }),
        ...(p.metric === undefined ? {} : { metric: p.metric as 'accuracy' }),
        space: p.space ?? mlpSpace(p.epochs),
        backend: (p.backend ?? 'wasm') as 'wasm',
      };
    default: {
      const never: never = p;
      throw new Error(`unreachable ${JSON.stringify(never)}`);
    }
  }
}
