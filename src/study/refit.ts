import { join } from 'node:path';
import type { StudyBody } from '../ledger/index.js';
import { intSeedFor } from '../rng/seed.js';
import type { Params } from '../space/types.js';
import { saveModel } from '../train/export.js';
import { trainMlp } from '../train/loop.js';
import { resolveMlpParams } from '../train/params.js';
import type { MetricName } from '../train/types.js';
import { refitData, type StudyData } from './data.js';

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
 * Retrains the best configuration on train + validation, scores it on the test split, and saves the model
 * with its metadata under `<dir>/best`.
 */
export async function runRefit(o: {
  studyData: StudyData;
  /** The trial whose configuration is retrained. */
  best: { id: string; index: number; params: Params };
  seed: number;
  metric: string;
  dir: string;
  body: StudyBody;
  /** Where the model goes; default `<dir>/best`. */
  modelDir?: string;
}): Promise<{ record: RefitRecord; modelDir: string }> {
  const seed = refitSeed(o.seed);
  const params = resolveMlpParams(o.best.params);
  const out = await trainMlp(refitData(o.studyData.data), params, {
    seed,
    metric: o.metric as MetricName,
    keepModel: true,
  });
  const model = out.model!;
  const record: RefitRecord = {
    index: o.best.index,
    params: o.best.params,
    seed,
    testMetrics: out.metrics,
    testScore: out.score,
    weightsHash: out.weightsHash,
  };
  const modelDir = o.modelDir ?? join(o.dir, 'best');
  try {
    await saveModel(model, modelDir, {
      study: o.body.name,
      studyKey: o.body.key,
      trial: o.best.id,
      note:
        o.modelDir === undefined
          ? 'the best trial’s configuration retrained on train + validation; metrics are on the test split'
          : 'the trial’s configuration retrained on train + validation; metrics are on the test split',
      seed,
      params: o.best.params,
      dataset: o.body.dataset,
      preprocessing: o.body.preprocessing,
      metrics: out.metrics,
      history: out.history,
      weightsHash: out.weightsHash,
      environment: o.body.environment,
    });
  } finally {
    model.dispose();
  }
  return { record, modelDir };
}
