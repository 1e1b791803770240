import { ConfigError, ParamError } from '../errors.js';
import { isActive, validateParams } from '../space/codec.js';
import type { Params, SearchSpace } from '../space/types.js';

/**
 * The `enqueue` entries as points of the space: fixed parameters filled in where left out, then every entry
 * checked (each active parameter present and valid, none unknown or inactive).
 *
 * @throws ConfigError naming the entry and the parameter.
 */
export function enqueuedParams(space: SearchSpace, entries: readonly Params[], where = 'config'): Params[] {
  return entries.map((entry, k) => {
    const params: Params = { ...entry };
    for (const p of space.params) {
      if (p.dist.type === 'fixed' && params[p.name] === undefined && isActive(p, params))
        params[p.name] = p.dist.value;
    }
    try {
      validateParams(space, params, `enqueue.${k}`);
    } catch (e) {
      if (e instanceof ParamError) throw new ConfigError(`${where}: ${e.message}`);
      throw e;
    }
    const sorted: Params = {};
    for (const key of Object.keys(params).sort()) sorted[key] = params[key]!;
    return sorted;
  });
}
