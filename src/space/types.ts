/** Shared shapes of search spaces. */

export type ParamValue = string | number | boolean;
export type Params = Record<string, ParamValue>;

export type Distribution =
  | { type: 'float'; low: number; high: number; log?: boolean; step?: number }
  | { type: 'int'; low: number; high: number; log?: boolean; step?: number }
  | { type: 'categorical'; choices: ParamValue[] }
  | { type: 'fixed'; value: ParamValue };

/**
 * When a parameter is active: every named parent must be active and its value must match.
 * `{ optimizer: 'sgd' }`, `{ optimizer: ['sgd', 'rmsprop'] }`, `{ layers: { gte: 2 } }`.
 */
export type Condition = Record<
  string,
  ParamValue | ParamValue[] | { gte?: number; lte?: number; gt?: number; lt?: number }
>;

export interface ParamSpec {
  name: string;
  dist: Distribution;
  when?: Condition;
}

/** A validated space: parameters in a fixed order in which every parent comes before its children. */
export interface SearchSpace {
  params: ParamSpec[];
}
