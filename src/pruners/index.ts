export type { PrunerConfig, PrunerName } from './create.js';
export { createPruner, fixedEpochs, PRUNER_NAMES, PrunerConfigSchema, parsePrunerConfig } from './create.js';
export type { HalvingOptions } from './halving.js';
export {
  HALVING_DEFAULTS,
  HyperbandPruner,
  pruneAtRung,
  rungsOf,
  SuccessiveHalvingPruner,
  weightedRoundRobin,
} from './halving.js';
export { NopPruner } from './none.js';
export type { PercentileOptions } from './percentile.js';
export { PERCENTILE_DEFAULTS, PercentilePruner } from './percentile.js';
export { bestOf, better, percentile } from './rank.js';
export type { PruneContext, Pruner } from './types.js';
