export type { SamplerConfig, SamplerName } from './create.js';
export { createSampler, parseSamplerConfig, SAMPLER_NAMES, SamplerConfigSchema } from './create.js';
export type { GridOptions } from './grid.js';
export { feistelPermute, GRID_DEFAULTS, GridSampler } from './grid.js';
export { RandomSampler, unitDraw } from './random.js';
export { SOBOL_MAX_DIMENSIONS, SobolSampler, sobolPoints } from './sobol.js';
export type { TpeOptions } from './tpe.js';
export { split, TPE_DEFAULTS, TpeSampler } from './tpe.js';
export type { FinishedTrial, SampleContext, Sampler, TrialState } from './types.js';
