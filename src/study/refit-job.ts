import { join } from 'node:path';
import type { PreparedData } from '../data/types.js';
import type { StudyBody } from '../ledger/index.js';
import { intSeedFor } from '../rng/seed.js';
import type { Params } from '../space/types.js';
import type { StudyData } from './data.js';

export interface RefitRecord {
  index: number;
  params: Params;
  seed: number;
  testMetrics: Record<string, number>;
  testScore: number;
  weightsHash: string;
}

export interface RefitResult extends RefitRecord {
  modelDir: string;
}

/** The seed of the final refit of a study with root seed `seed`. */
export function refitSeed(seed: number): number {
  return intSeedFor(seed, 'refit');
}

/**
 * A refit, as plain structured-cloneable data: it runs on the calling thread (runRefit, in refit.ts) or in a worker of
 * the study's pool (TrainerPool.refit), whose thread has tfjs loaded already. Either gives the same bits.
 */
export interface RefitJob {
  /** The study's prepared split: train + validation train the model, test scores it. */
  data: PreparedData;
  /** The trial whose configuration is retrained. */
  best: { id: string; index: number; params: Params };
  /** The study's root seed: the refit's own seed derives from it ({@link refitSeed}). */
  studySeed: number;
  metric: string;
  /** Where the model and its metadata go. */
  modelDir: string;
  /** What the model's metadata says of its study. */
  study: Pick<StudyBody, 'name' | 'key' | 'dataset' | 'preprocessing' | 'environment'>;
  note: string;
}

/** A study's refit, as its callers name it. */
export interface RefitArgs {
  studyData: StudyData;
  /** The trial whose configuration is retrained. */
  best: { id: string; index: number; params: Params };
  /** The study's root seed. */
  seed: number;
  metric: string;
  /** The study's folder. */
  dir: string;
  body: StudyBody;
  /** Where the model goes; default `<dir>/best`. */
  modelDir?: string;
}

/** The job of a refit's arguments. */
export function refitJob(o: RefitArgs): RefitJob {
  const { name, key, dataset, preprocessing, environment } = o.body;
  return {
    data: o.studyData.data,
    best: { id: o.best.id, index: o.best.index, params: o.best.params },
    studySeed: o.seed,
    metric: o.metric,
    modelDir: o.modelDir ?? join(o.dir, 'best'),
    study: { name, key, dataset, preprocessing, environment },
    note:
      o.modelDir === undefined
        ? 'the best trial’s configuration retrained on train + validation; metrics are on the test split'
        : 'the trial’s configuration retrained on train + validation; metrics are on the test split',
  };
}
