/**
 * lockstep's public API: reproducible hyperparameter search for neural networks on tabular data.
 *
 * ```ts
 * import { search, replay } from 'lockstep';
 * const r = await search({ config: 'configs/penguins.yaml' });
 * const v = await replay({ id: r.best!.id, ledger: r.ledger }); // v.verdict === 'exact'
 * ```
 */

export type {
  NumericOptions,
  ObjectiveContext,
  ObjectiveFunction,
  ObjectiveResult,
  Param,
  ParamSpecInput,
  ParamsOf,
  RunOptions,
  Space,
  Study,
} from './api.js';
export { categorical, fixed, float, int, search, space, studyConfig, when } from './api.js';
export { prepare, syntheticCsv, syntheticTable } from './data/index.js';
export type { PreparedData, RawTable, Schema, Task } from './data/types.js';
export type { ErrorCode } from './errors.js';
export { ConfigError, DataError, LedgerError, LockstepError, NotFoundError, ParamError } from './errors.js';
export type { StudyState } from './ledger/index.js';
export { foldLedger, readLedger, studyDigest, verifyLedger } from './ledger/index.js';
export { intSeedFor, Stream, seedFor } from './rng/index.js';
export { createSampler } from './samplers/index.js';
export type { FinishedTrial, SampleContext, Sampler } from './samplers/types.js';
export { mlpDefaultSpace, parseSpace } from './space/index.js';
export type { Distribution, ParamSpec, Params, SearchSpace } from './space/types.js';
export type { StudyConfig, StudyConfigInput } from './study/config.js';
export { loadStudyConfig, parseStudyConfig } from './study/config.js';
export type { ReplayOptions, ReplayResult, Verdict } from './study/replay.js';
export { replay } from './study/replay.js';
export type { StudySummary } from './study/summary.js';
export { summarize } from './study/summary.js';
export type { TrainOptions, TrainResult } from './study/train.js';
export { train } from './study/train.js';
export type { BestTrial, FrontTrial, SearchOptions, SearchResult } from './study/types.js';
export { environment, initBackend } from './train/backend.js';
export { loadModel as loadLayersModel, saveModel } from './train/export.js';
export type { InputRow, Model, ModelMetadata, Predictions } from './train/predictor.js';
export { loadModel } from './train/predictor.js';
export type { BackendName, MetricName, MlpParams } from './train/types.js';
export { version } from './version.js';
