import { dirname, join, resolve } from 'node:path';
import { DataError, LockstepError, NotFoundError, ParamError } from '../errors.js';
import { readLedger, type StudyState } from '../ledger/index.js';
import type { Params } from '../space/types.js';
import { environment, initBackend } from '../train/backend.js';
import { saveModel } from '../train/export.js';
import { trainMlp } from '../train/loop.js';
import { resolveMlpParams } from '../train/params.js';
import type { BackendName, EpochCallback, EpochMetrics, MetricName } from '../train/types.js';
import { loadStudyConfig, type ResolvedPaths, resolvePaths, type StudyConfig } from './config.js';
import { prepareStudyData, requireDataset } from './data.js';
import { objectiveOf } from './objective.js';
import { runRefit } from './refit.js';

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
  const loaded = mlpConfig(o);
  const config = loaded.config;
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

export interface TrainTrialOptions {
  config: string | StudyConfig;
  base?: string;
  /** The trial: its id (`<key>-<index>`) or its index. */
  trial: string;
  /** The study's ledger file; default `<out>/<name>/ledger.jsonl` with out `runs`. */
  ledger?: string;
  /** Where the model goes; default `<study folder>/trial-<index>`. */
  out?: string;
}

export interface TrainTrialResult {
  trial: string;
  index: number;
  params: Params;
  seed: number;
  metric: string;
  /** On the test split, after training on train + validation (the study's refit recipe). */
  testScore: number;
  testMetrics: EpochMetrics;
  weightsHash: string;
  /** When the trial is the study's recorded refit: whether this retraining gave its bits again. */
  sameAsRefit: boolean | null;
  modelDir: string;
}

/**
 * Retrains one trial of a study as its refit does (train + validation, the refit seed, scored on the test
 * split) and exports the model, for `lockstep predict`: how a member of a Pareto front other than the one
 * the study refitted is put to use. Refuses a trial that did not complete.
 */
export async function trainTrial(o: TrainTrialOptions): Promise<TrainTrialResult> {
  const loaded = mlpConfig(o);
  const config = loaded.config;
  const ledgerPath = o.ledger ?? loaded.resolved.ledger ?? join('runs', config.name, 'ledger.jsonl');
  let state: StudyState;
  try {
    state = readLedger(ledgerPath).state;
  } catch (e) {
    if (e instanceof LockstepError) throw e;
    throw new NotFoundError(`${ledgerPath}: no study ledger here (give --ledger PATH)`);
  }
  const t = state.trials.find((x) => x.id === o.trial || String(x.index) === o.trial);
  if (t === undefined) {
    throw new ParamError(
      `--trial: no trial ${o.trial} in ${ledgerPath} (ids ${state.trials[0]?.id ?? '…'} … ${state.trials.at(-1)?.id ?? '…'}, or an index)`,
    );
  }
  if (t.state !== 'complete')
    throw new ParamError(`--trial: trial ${t.id} is ${t.state}; only a complete trial is refitted`);
  await initBackend(config.backend as BackendName);
  const sd = await prepareStudyData(config, requireDataset(loaded.resolved.dataset));
  if (sd.hash !== state.study.dataset?.hash) {
    throw new DataError(
      `${sd.source}: dataset hash ${sd.hash.slice(0, 16)}… differs from the study's ${state.study.dataset?.hash.slice(0, 16)}…`,
    );
  }
  const { metric } = objectiveOf(config, sd.schema.task);
  const dir = dirname(resolve(ledgerPath));
  const r = await runRefit({
    studyData: sd,
    best: { id: t.id, index: t.index, params: t.params },
    seed: config.seed,
    metric,
    dir,
    body: state.study,
    modelDir: resolve(o.out ?? join(dir, `trial-${t.index}`)),
  });
  const refit = state.refit;
  return {
    trial: t.id,
    index: t.index,
    params: t.params,
    seed: r.record.seed,
    metric,
    testScore: r.record.testScore,
    testMetrics: r.record.testMetrics,
    weightsHash: r.record.weightsHash,
    sameAsRefit:
      refit !== null && refit.index === t.index ? refit.weightsHash === r.record.weightsHash : null,
    modelDir: r.modelDir,
  };
}

/** The config of `train`: its built-in MLP only. */
function mlpConfig(o: { config: string | StudyConfig; base?: string }): {
  config: StudyConfig;
  resolved: ResolvedPaths;
} {
  const loaded =
    typeof o.config === 'string'
      ? loadStudyConfig(o.config)
      : { config: o.config, resolved: resolvePaths(o.config, resolve(o.base ?? '.')) };
  if (loaded.config.objective !== 'mlp')
    throw new ParamError(`train: the config's objective is a module; train runs the built-in MLP only`);
  return loaded;
}
