import { refitData } from '../data/refit.js';
import { saveModel } from '../train/export.js';
import { trainMlp } from '../train/loop.js';
import { resolveMlpParams } from '../train/params.js';
import type { MetricName } from '../train/types.js';
import { type RefitArgs, type RefitJob, type RefitRecord, refitJob, refitSeed } from './refit-job.js';

export {
  type RefitArgs,
  type RefitJob,
  type RefitRecord,
  type RefitResult,
  refitJob,
  refitSeed,
} from './refit-job.js';

/**
 * Retrains the best configuration on train + validation, scores it on the test split, and saves the model
 * with its metadata under `<dir>/best` (or `modelDir`).
 */
export async function runRefit(o: RefitArgs): Promise<{ record: RefitRecord; modelDir: string }> {
  return await runRefitJob(refitJob(o));
}

/** Runs a {@link RefitJob} on this thread (tfjs and the study's backend initialised). */
export async function runRefitJob(job: RefitJob): Promise<{ record: RefitRecord; modelDir: string }> {
  const seed = refitSeed(job.studySeed);
  const params = resolveMlpParams(job.best.params);
  const out = await trainMlp(refitData(job.data), params, {
    seed,
    metric: job.metric as MetricName,
    keepModel: true,
  });
  const model = out.model!;
  const record: RefitRecord = {
    index: job.best.index,
    params: job.best.params,
    seed,
    testMetrics: out.metrics,
    testScore: out.score,
    weightsHash: out.weightsHash,
  };
  try {
    await saveModel(model, job.modelDir, {
      study: job.study.name,
      studyKey: job.study.key,
      trial: job.best.id,
      note: job.note,
      seed,
      params: job.best.params,
      dataset: job.study.dataset,
      preprocessing: job.study.preprocessing,
      metrics: out.metrics,
      history: out.history,
      weightsHash: out.weightsHash,
      environment: job.study.environment,
    });
  } finally {
    model.dispose();
  }
  return { record, modelDir: job.modelDir };
}
