export type { CmaEsOptions } from './cmaes.js';
export { CMAES_DEFAULTS, CmaEsSampler, CmaState } from './cmaes.js';
export type { SamplerConfig, SamplerName } from './create.js';
export { createSampler, parseSamplerConfig, SAMPLER_NAMES, SamplerConfigSchema } from './create.js';
export type { GpOptions } from './gp.js';
export { GP_DEFAULTS, GpSampler, logEi } from './gp.js';
export type { GridOptions } from './grid.js';
export { feistelPermute, GRID_DEFAULTS, GridSampler } from './grid.js';
export { hypervolume, hypervolumeContributions } from './hypervolume.js';
export { backSolve, cholesky, choleskyInverse, forwardSolve, jacobiEigen } from './linalg.js';
export type { MotpeOptions } from './motpe.js';
export {
  belowWeightsOf,
  greedyHypervolumeSubset,
  MOTPE_DEFAULTS,
  MotpeSampler,
  nadirReference,
  splitMultiObjective,
} from './motpe.js';
export type { Nsga2Options, Population } from './nsga2.js';
export { NSGA2_DEFAULTS, Nsga2Sampler, selectElite } from './nsga2.js';
export type { ParetoPoint } from './pareto.js';
export {
  constrainedDominates,
  crowdingDistance,
  dominates,
  fastNonDominatedSort,
  nonDominationRanks,
  objectiveValues,
  paretoFront,
  paretoPoints,
  studyDirections,
  toLosses,
  violationOf,
} from './pareto.js';
export { RandomSampler, unitDraw } from './random.js';
export { SOBOL_MAX_DIMENSIONS, SobolSampler, sobolPoints } from './sobol.js';
export type { TpeOptions } from './tpe.js';
export { split, TPE_DEFAULTS, TpeSampler } from './tpe.js';
export type { FinishedTrial, SampleContext, Sampler } from './types.js';
