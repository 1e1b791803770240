import { ParamError } from '../errors.js';
import { exp, log } from '../math/index.js';
import { show } from './schema.js';
import type { Condition, Distribution, ParamSpec, Params, ParamValue, SearchSpace } from './types.js';

/**
 * The codec that every sampler shares: each distribution maps to and from the unit interval.
 *
 * Discrete distributions (int, float with step, categorical) split [0, 1) into k equal bins;
 * `toUnit` gives a bin's centre, so `fromUnit(toUnit(v)) === v` exactly. A log int is sampled
 * log-uniformly over [low − 0.5, high + 0.5] and rounded, as Optuna does; its `toUnit` is the
 * centre of its bin in log space. Continuous floats map linearly (or in log space) onto [0, 1],
 * monotone; `toUnit(high)` is 1.
 */

/** Number of values of a discrete distribution; undefined for a continuous one. */
export function cardinality(dist: Distribution): number | undefined {
  switch (dist.type) {
    case 'categorical':
      return dist.choices.length;
    case 'fixed':
      return 1;
    case 'int':
      return Math.round((dist.high - dist.low) / (dist.log === true ? 1 : (dist.step ?? 1))) + 1;
    case 'float':
      return dist.step === undefined ? undefined : Math.round((dist.high - dist.low) / dist.step) + 1;
    default:
      return assertNever(dist);
  }
}

/** Value of the i-th point of a stepped grid, cleaned of float noise (0.1 * 3 → 0.3). */
function gridValue(low: number, high: number, step: number, i: number): number {
  const v = low + i * step;
  return Math.min(high, Number(v.toPrecision(14)));
}

function clampUnit(u: number): number {
  if (!(u >= 0)) return 0; // also NaN
  if (u >= 1) return 1 - Number.EPSILON / 2;
  return u;
}

/** Maps u ∈ [0, 1) to a value of `dist`. u outside [0, 1) is clamped. */
export function fromUnit(dist: Distribution, u: number): ParamValue {
  u = clampUnit(u);
  switch (dist.type) {
    case 'fixed':
      return dist.value;
    case 'categorical':
      return dist.choices[Math.min(dist.choices.length - 1, Math.floor(u * dist.choices.length))]!;
    case 'int': {
      const { low, high } = dist;
      if (dist.log === true) {
        const a = log(low - 0.5);
        const b = log(high + 0.5);
        const v = Math.round(exp(a + u * (b - a)));
        return Math.min(high, Math.max(low, v));
      }
      const step = dist.step ?? 1;
      const k = Math.round((high - low) / step) + 1;
      return Math.min(high, low + Math.min(k - 1, Math.floor(u * k)) * step);
    }
    case 'float': {
      const { low, high } = dist;
      if (dist.step !== undefined) {
        const k = Math.round((high - low) / dist.step) + 1;
        return gridValue(low, high, dist.step, Math.min(k - 1, Math.floor(u * k)));
      }
      if (dist.log === true) {
        const a = log(low);
        const b = log(high);
        return Math.min(high, Math.max(low, exp(a + u * (b - a))));
      }
      return Math.min(high, Math.max(low, low + u * (high - low)));
    }
    default:
      return assertNever(dist);
  }
}

/** Maps a value of `dist` into [0, 1]: a bin's centre for discrete ones. Throws ParamError on a foreign value. */
export function toUnit(dist: Distribution, value: ParamValue): number {
  switch (dist.type) {
    case 'fixed':
      return 0.5;
    case 'categorical': {
      const i = dist.choices.indexOf(value);
      if (i < 0)
        throw new ParamError(`${show(value)} is not one of the choices ${dist.choices.map(show).join(', ')}`);
      return (i + 0.5) / dist.choices.length;
    }
    case 'int': {
      const v = num(value);
      const { low, high } = dist;
      if (dist.log === true) {
        const a = log(low - 0.5);
        const b = log(high + 0.5);
        const r = Math.min(high, Math.max(low, Math.round(v)));
        return (log(r - 0.5) + log(r + 0.5) - 2 * a) / (2 * (b - a));
      }
      const step = dist.step ?? 1;
      const k = Math.round((high - low) / step) + 1;
      const i = Math.min(k - 1, Math.max(0, Math.round((v - low) / step)));
      return (i + 0.5) / k;
    }
    case 'float': {
      const v = num(value);
      const { low, high } = dist;
      if (dist.step !== undefined) {
        const k = Math.round((high - low) / dist.step) + 1;
        const i = Math.min(k - 1, Math.max(0, Math.round((v - low) / dist.step)));
        return (i + 0.5) / k;
      }
      if (high === low) return 0.5;
      if (dist.log === true) return (log(v) - log(low)) / (log(high) - log(low));
      return (v - low) / (high - low);
    }
    default:
      return assertNever(dist);
  }
}

/**
 * `toUnit` for a value that may come from another space (an old history): undefined when the
 * value is not a value of `dist`, instead of throwing. Cheap enough for a sampler's inner loop.
 */
export function tryToUnit(dist: Distribution, value: ParamValue | undefined): number | undefined {
  if (value === undefined) return undefined;
  switch (dist.type) {
    case 'categorical': {
      const i = dist.choices.indexOf(value);
      return i < 0 ? undefined : (i + 0.5) / dist.choices.length;
    }
    case 'fixed':
      return value === dist.value ? 0.5 : undefined;
    case 'int':
    case 'float':
      if (typeof value !== 'number' || !(value >= dist.low && value <= dist.high)) return undefined;
      return toUnit(dist, value);
    default:
      return assertNever(dist);
  }
}

function num(v: ParamValue): number {
  if (typeof v !== 'number') throw new ParamError(`expected a number, but got ${show(v)}`);
  return v;
}

/** Whether `spec` is active given the values chosen so far (an absent parent is inactive). */
export function isActive(spec: ParamSpec, params: Readonly<Params>): boolean {
  if (spec.when === undefined) return true;
  for (const parent in spec.when) {
    if (!matches(spec.when[parent]!, params[parent])) return false;
  }
  return true;
}

function matches(cond: Condition[string], value: ParamValue | undefined): boolean {
  if (value === undefined) return false;
  if (Array.isArray(cond)) return cond.includes(value);
  if (cond !== null && typeof cond === 'object') {
    if (typeof value !== 'number') return false;
    if (cond.gte !== undefined && !(value >= cond.gte)) return false;
    if (cond.gt !== undefined && !(value > cond.gt)) return false;
    if (cond.lte !== undefined && !(value <= cond.lte)) return false;
    if (cond.lt !== undefined && !(value < cond.lt)) return false;
    return true;
  }
  return cond === value;
}

/** Why `value` is not a value of `dist`, or undefined when it is. */
export function invalidReason(dist: Distribution, value: ParamValue): string | undefined {
  switch (dist.type) {
    case 'fixed':
      return value === dist.value
        ? undefined
        : `expected the fixed value ${show(dist.value)}, but got ${show(value)}`;
    case 'categorical':
      return dist.choices.includes(value)
        ? undefined
        : `expected one of ${dist.choices.map(show).join(', ')}, but got ${show(value)}`;
    case 'int':
    case 'float': {
      const range = `[${dist.low}, ${dist.high}]`;
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        return `expected ${dist.type === 'int' ? 'an integer' : 'a number'} in ${range}, but got ${show(value)}`;
      }
      if (dist.type === 'int' && !Number.isInteger(value))
        return `expected an integer in ${range}, but got ${value}`;
      if (!(value >= dist.low && value <= dist.high)) return `expected a value in ${range}, but got ${value}`;
      if (dist.step !== undefined && !(dist.type === 'int' && dist.log === true)) {
        const k = (value - dist.low) / dist.step;
        if (Math.abs(k - Math.round(k)) > 1e-9 * Math.max(1, Math.abs(k))) {
          return `expected a value on the grid ${dist.low} + k * ${dist.step}, but got ${value}`;
        }
      }
      return undefined;
    }
    default:
      return assertNever(dist);
  }
}

/**
 * Checks that `params` is a point of `space`: every active parameter present and valid, no
 * inactive or unknown one. Throws ParamError naming the parameter.
 */
export function validateParams(space: SearchSpace, params: Readonly<Params>, path = 'params'): void {
  const known = new Set(space.params.map((p) => p.name));
  for (const name of Object.keys(params).sort()) {
    if (!known.has(name))
      throw new ParamError(`${path}.${name}: unknown parameter (known: ${[...known].join(', ')})`);
  }
  for (const spec of space.params) {
    const value = params[spec.name];
    const active = isActive(spec, params);
    if (!active) {
      if (value !== undefined) {
        throw new ParamError(
          `${path}.${spec.name}: must be absent while its condition does not hold, but got ${show(value)}`,
        );
      }
      continue;
    }
    if (value === undefined)
      throw new ParamError(`${path}.${spec.name}: missing, but the parameter is active`);
    const reason = invalidReason(spec.dist, value);
    if (reason !== undefined) throw new ParamError(`${path}.${spec.name}: ${reason}`);
  }
}

/** The same params with keys sorted, for hashing and display. */
export function canonicalParams(params: Readonly<Params>): Params {
  const out: Params = {};
  for (const k of Object.keys(params).sort()) out[k] = params[k]!;
  return out;
}

/**
 * Decodes one unit value per parameter into params, parents first: `unit(spec, i)` is asked only
 * for active, non-fixed parameters.
 */
export function decodeParams(space: SearchSpace, unit: (spec: ParamSpec, i: number) => number): Params {
  const out: Params = {};
  space.params.forEach((spec, i) => {
    if (!isActive(spec, out)) return;
    out[spec.name] = spec.dist.type === 'fixed' ? spec.dist.value : fromUnit(spec.dist, unit(spec, i));
  });
  return out;
}

function assertNever(x: never): never {
  throw new Error(`unexpected value ${JSON.stringify(x)}`);
}
