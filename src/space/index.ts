export {
  canonicalParams,
  cardinality,
  decodeParams,
  fromUnit,
  invalidReason,
  isActive,
  toUnit,
  tryToUnit,
  validateParams,
} from './codec.js';
export type { ParamSpecInput, PresetName, SpaceInput } from './schema.js';
export {
  mlpDefaultSpace,
  ParamSpecInputSchema,
  PRESET_NAMES,
  parseSpace,
  SpaceInputSchema,
  SpaceRecordSchema,
  SpaceSchema,
  spaceFromRecord,
} from './schema.js';
export type { Condition, Distribution, ParamSpec, Params, ParamValue, SearchSpace } from './types.js';
