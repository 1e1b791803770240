export type { FailureCause } from './cause.js';
export { failureCause, ObjectiveLoadError } from './cause.js';
export type { PoolOptions, RunOptions } from './pool.js';
export { DEFAULT_WORKER_MEMORY_MB, TrainerPool, WorkerLostError, workerFile } from './pool.js';
export { runTrialTask } from './run.js';
export { isSharedData, preparedKey, toShared } from './shared.js';
export type {
  EpochMessage,
  MlpTask,
  ModuleTask,
  Objective,
  ObjectiveContext,
  ProgressCallback,
  SharedPreparedData,
  TrialResult,
  TrialTask,
  WorkerRequest,
} from './types.js';
export { REPLY_CONTINUE, REPLY_ERROR, REPLY_PENDING, REPLY_STOP } from './types.js';
