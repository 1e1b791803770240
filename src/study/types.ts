import type { Logger } from '../log.js';
import type { Objective } from '../pool/types.js';
import type { Params } from '../space/types.js';
import type { StudyConfig } from './config.js';
import type { FailureCount } from './failures.js';
import type { RefitResult } from './refit.js';

export interface SearchOptions {
  /** A config file, or a parsed config with `base` (the folder its relative paths are taken from). */
  config: string | StudyConfig;
  base?: string;
  /** Worker threads; default min(parallelism, cores), at least 1. */
  workers?: number;
  /** Overrides the config's trial budget. */
  trials?: number;
  /** The folder under which `<study name>/` is written; default `runs`. */
  out?: string;
  signal?: AbortSignal;
  /** Called after each trial, for progress. */
  onTrial?: (e: TrialEvent) => void;
  logger?: Logger;
  /**
   * Run trials in this thread instead of a worker pool (one at a time). For callers that parallelise
   * across studies, like the strategy benchmark; the results are the same bits.
   */
  inline?: boolean;
  /** The ledger: a file (default `<out>/<study name>/ledger.jsonl`) or a `postgres://` URL (see study/distributed.ts). */
  ledger?: string;
  /**
   * The objective function of a config whose `objective` is `{ function, sha256 }` (the typed API's
   * `search` sets both): its source must hash to the recorded sha256. It runs in this thread, one trial
   * at a time (as `inline`).
   */
  objective?: Objective;
}

export interface SearchResult {
  study: string;
  digest: string;
  ledger: string;
  /** Finished trials (complete, pruned or failed). */
  trials: number;
  complete: number;
  pruned: number;
  failed: number;
  /** One objective: the best trial. Several: the front's best in the first objective (the one refitted). */
  best: BestTrial | null;
  /** Several objectives: the Pareto front (see paretoFrontOf); null for a study with one objective. */
  front: FrontTrial[] | null;
  refit: RefitResult | null;
  /** True when the run stopped before its budget (interrupted or out of time). */
  stopped: boolean;
  warnings: string[];
  epochs: number;
  /** The failed trials by error (their latest attempt), most frequent first. */
  failures: FailureCount[];
  /**
   * When the study stopped because its first trials all failed with one error (see failingFromTheStart):
   * that error; else null.
   */
  gaveUp: string | null;
}

/** A trial of the Pareto front: its objective values in the config's order. */
export interface FrontTrial {
  id: string;
  index: number;
  values: number[];
  params: Params;
}

export interface BestTrial {
  id: string;
  index: number;
  score: number;
  params: Params;
}

/** What a search reports after each trial, for progress. */
export interface TrialEvent {
  index: number;
  id: string;
  state: string;
  score: number | null;
  done: number;
  total: number;
  best: number | null;
}
