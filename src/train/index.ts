export type { BackendInfo, Environment } from './backend.js';
export { currentBackend, environment, initBackend, NUMERIC_VERSION } from './backend.js';
export { loadMetadata, loadModel, METADATA_FILE, MODEL_FILE, saveModel, WEIGHTS_FILE } from './export.js';
export type { PartName, TrainOptions, TrainResult } from './loop.js';
export { evaluateModel, trainMlp, weightsHash } from './loop.js';
export {
  accuracy,
  binaryAuc,
  checkMetric,
  defaultMetric,
  logLoss,
  METRIC_DIRECTION,
  mae,
  metricsFor,
  r2,
  rmse,
  rocAuc,
  TASK_METRICS,
} from './metrics.js';
export type { Mlp } from './mlp.js';
export { buildMlp, forward, predictRaw } from './mlp.js';
export type { FlatParams } from './params.js';
export { ACTIVATIONS, INITS, MAX_LAYERS, MLP_DEFAULTS, OPTIMIZERS, resolveMlpParams } from './params.js';
export type {
  Activation,
  BackendName,
  Direction,
  EpochCallback,
  EpochMetrics,
  InitName,
  MetricName,
  MlpParams,
  OptimizerName,
  TrainOutcome,
} from './types.js';
