/** One benchmark run: a study of one strategy on one problem with one seed. The body of a bench worker. */
import { join, relative } from 'node:path';
import { readLedger } from '../ledger/index.js';
import { createLogger, type Logger } from '../log.js';
import { createSampler } from '../samplers/index.js';
import type { FinishedTrial } from '../samplers/types.js';
import { parseSpace } from '../space/index.js';
import { parseStudyConfig, type StudyConfigInput } from '../study/config.js';
import { search } from '../study/search.js';
import { toFinishedTrial } from '../study/trial.js';
import type { Direction } from '../types.js';

/** What the runner posts to a worker: plain, structured-cloneable. */
export interface RunTask {
  /** Position in the suite's (problem, strategy, seed) order. */
  index: number;
  problem: string;
  strategy: string;
  /** Seed index k (0 … seeds − 1). */
  seed: number;
  config: StudyConfigInput;
  /** The bench's output folder; the study goes to `<out>/runs/<study>/`. */
  out: string;
  /** Time every `timingStride`-th suggestion again (timing only). */
  timingStride: number;
}

export interface RunTimings {
  /** Wall time of the whole study. */
  wallMs: number;
  /** Mean time of one `sampler.sample` call, over the re-timed suggestions. */
  msPerSuggestion: number;
  suggestions: number;
}

export interface RunResult {
  index: number;
  problem: string;
  strategy: string;
  seed: number;
  studySeed: number;
  study: string;
  digest: string;
  /** The ledger, relative to the bench's output folder. */
  ledger: string;
  /** Each trial's value in index order (null for a failed trial). */
  values: (number | null)[];
  timings: RunTimings;
}

let silent: Logger | undefined;

/** Runs (or resumes) the study of one run in this thread and reads its values back from the ledger. */
export async function runOne(task: RunTask): Promise<RunResult> {
  silent ??= createLogger({ level: 'silent' });
  const config = parseStudyConfig(task.config, task.config.name);
  const t0 = performance.now(); // timing only
  const r = await search({ config, inline: true, workers: 1, out: join(task.out, 'runs'), logger: silent });
  const wallMs = performance.now() - t0; // timing only
  const { state } = readLedger(r.ledger);
  const values = state.trials.map((t) => (t.state === 'complete' && t.score !== null ? t.score : null));

  // Time per suggestion, timing only: the sampler is asked again for some trials, with the same history.
  const space = parseSpace(config.space, 'space');
  const sampler = createSampler(config.sampler);
  const direction = (config.direction ?? 'minimize') as Direction;
  const history: FinishedTrial[] = state.trials
    .filter((t) => t.state !== 'running')
    .map((t) =>
      toFinishedTrial(
        t,
        t.state as 'complete' | 'pruned' | 'failed',
        t.score,
        t.progress.map((p) => p.metrics.value ?? Number.NaN),
      ),
    );
  let total = 0;
  let n = 0;
  for (let i = 0; i < history.length; i += task.timingStride) {
    const visible = history.slice(0, i);
    const s0 = performance.now(); // timing only
    sampler.sample(space, visible, { seed: config.seed, index: i, direction });
    total += performance.now() - s0; // timing only
    n++;
  }
  return {
    index: task.index,
    problem: task.problem,
    strategy: task.strategy,
    seed: task.seed,
    studySeed: config.seed,
    study: r.study,
    digest: r.digest,
    ledger: relative(task.out, r.ledger).split('\\').join('/'),
    values,
    timings: { wallMs, msPerSuggestion: n === 0 ? 0 : total / n, suggestions: n },
  };
}
