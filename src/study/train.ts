import { join, resolve } from 'node:path';
import { ParamError } from '../errors.js';
import type { Params } from '../space/types.js';
import { environment, initBackend } from '../train/backend.js';
import { saveModel } from '../train/export.js';
import { trainMlp } from '../train/loop.js';
import { resolveMlpParams } from '../train/params.js';
import type { BackendName, EpochCallback, EpochMetrics, MetricName } from '../train/types.js';
import { loadStudyConfig, resolvePaths, type StudyConfig } from './config.js';
import { prepareStudyData, requireDataset } from './data.js';
import { objectiveOf } from './objective.js';

export interface TrainOptions {
  config: string | StudyConfig;
  base?: string;
  /** Overrides on top of the config's `params`. */
  params?: Params;
  seed?: number;
  backend?: BackendName;
  /** Where the model goes; default `runs/<name>/train-<seed>`. */
  out?: string;
  onEpoch?: EpochCallback;
}

export interface TrainResult {
  seed: number;
  params: Params;
  metric: string;
  score: number;
  metrics: EpochMetrics;
  history: EpochMetrics[];
  weightsHash: string;
  datasetHash: string;
  modelDir: string;
}

/** Trains one configuration of the built-in MLP, exports the model and its metadata. */
export async function train(o: TrainOptions): Promise<TrainResult> {
  const loaded =
    typeof o.config === 'string'
      ? loadStudyConfig(o.config)
      : { config: o.config, resolved: resolvePaths(o.config, resolve(o.base ?? '.')) };
  const config = loaded.config;
  if (config.objective !== 'mlp')
    throw new ParamError(`train: the config's objective is a module; train runs the built-in MLP only`);
  const seed = o.seed ?? config.seed;
  const params = { ...config.params, ...(o.params ?? {}) };
  const mlp = resolveMlpParams(params);
  const backend = o.backend ?? (config.backend as BackendName);
  await initBackend(backend);
  const sd = await prepareStudyData(config, requireDataset(loaded.resolved.dataset));
  const { metric } = objectiveOf(config, sd.schema.task);
  const out = await trainMlp(sd.data, mlp, {
    seed,
    metric: metric as MetricName,
    onEpoch: o.onEpoch,
    keepModel: true,
  });
  const modelDir = resolve(o.out ?? join('runs', config.name, `train-${seed}`));
  try {
    await saveModel(out.model!, modelDir, {
      study: config.name,
      seed,
      params,
      resolvedParams: mlp,
      metric,
      dataset: { source: sd.source, hash: sd.hash, rows: sd.rows, schema: sd.schema },
      preprocessing: sd.pipeline,
      split: config.split,
      metrics: out.metrics,
      history: out.history,
      score: out.score,
      weightsHash: out.weightsHash,
      environment: environment(),
    });
  } finally {
    out.model!.dispose();
  }
  return {
    seed,
    params,
    metric,
    score: out.score,
    metrics: out.metrics,
    history: out.history,
    weightsHash: out.weightsHash,
    datasetHash: sd.hash,
    modelDir,
  };
}
