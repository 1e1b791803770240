import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParamError } from '../../src/errors.js';
import {
  canonicalParams,
  cardinality,
  decodeParams,
  fromUnit,
  isActive,
  toUnit,
  validateParams,
} from '../../src/space/codec.js';
import { mlpDefaultSpace, parseSpace } from '../../src/space/schema.js';
import type { Distribution } from '../../src/space/types.js';

const discrete: [string, Distribution, (number | string | boolean)[]][] = [
  ['int', { type: 'int', low: -3, high: 4 }, [-3, -2, -1, 0, 1, 2, 3, 4]],
  ['int step', { type: 'int', low: 0, high: 12, step: 4 }, [0, 4, 8, 12]],
  ['log int', { type: 'int', low: 1, high: 300, log: true }, Array.from({ length: 300 }, (_, i) => i + 1)],
  ['float step', { type: 'float', low: 0, high: 0.5, step: 0.1 }, [0, 0.1, 0.2, 0.3, 0.4, 0.5]],
  ['categorical', { type: 'categorical', choices: ['a', 2, true, 'z'] }, ['a', 2, true, 'z']],
  ['fixed', { type: 'fixed', value: 'x' }, ['x']],
];

describe('codec round trips', () => {
  it.each(discrete)(
    '%s: fromUnit(toUnit(v)) === v for every value, and toUnit(v) ∈ [0, 1)',
    (_, dist, values) => {
      for (const v of values) {
        const u = toUnit(dist, v);
        expect(u).toBeGreaterThanOrEqual(0);
        expect(u).toBeLessThan(1);
        expect(fromUnit(dist, u)).toBe(v);
      }
      expect(cardinality(dist)).toBe(values.length);
    },
  );

  it.each(discrete)('%s: fromUnit covers every value and nothing else', (_, dist, values) => {
    const seen = new Set<unknown>();
    const n = values.length * 20;
    for (let i = 0; i < n; i++) seen.add(fromUnit(dist, (i + 0.5) / n));
    expect([...seen].sort()).toEqual([...values].sort());
  });

  it('categorical index is floor(u * k)', () => {
    const d: Distribution = { type: 'categorical', choices: ['a', 'b', 'c'] };
    expect(fromUnit(d, 0)).toBe('a');
    expect(fromUnit(d, 0.3333)).toBe('a');
    expect(fromUnit(d, 0.3334)).toBe('b');
    expect(fromUnit(d, 0.9999999)).toBe('c');
  });

  it('log int rounds a log-uniform draw over [low - 0.5, high + 0.5], as Optuna does', () => {
    const d: Distribution = { type: 'int', low: 1, high: 8, log: true };
    const a = Math.log(0.5);
    const b = Math.log(8.5);
    // The bin of 1 is [0.5, 1.5): its share of the log range.
    const edge = (Math.log(1.5) - a) / (b - a);
    expect(fromUnit(d, edge - 1e-9)).toBe(1);
    expect(fromUnit(d, edge + 1e-9)).toBe(2);
  });

  it.each<[string, Distribution]>([
    ['float', { type: 'float', low: -2, high: 5 }],
    ['log float', { type: 'float', low: 1e-7, high: 1e-2, log: true }],
  ])('%s: monotone, inside the bounds, and round-trips to within 1e-12', (_, dist) => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (u, w) => {
          const a = fromUnit(dist, Math.min(u, w)) as number;
          const b = fromUnit(dist, Math.max(u, w)) as number;
          expect(a).toBeLessThanOrEqual(b);
          if (dist.type !== 'float') throw new Error('unreachable');
          expect(a).toBeGreaterThanOrEqual(dist.low);
          expect(b).toBeLessThanOrEqual(dist.high);
          expect(Math.abs(toUnit(dist, a) - Math.min(u, w))).toBeLessThan(1e-9);
        },
      ),
    );
    if (dist.type !== 'float') return;
    expect(toUnit(dist, dist.low)).toBe(0);
    expect(toUnit(dist, dist.high)).toBeCloseTo(1, 12);
  });

  it('clamps out-of-range unit values instead of leaving the bounds', () => {
    const d: Distribution = { type: 'float', low: 1, high: 2 };
    expect(fromUnit(d, -0.5)).toBe(1);
    expect(fromUnit(d, 7)).toBeLessThanOrEqual(2);
    expect(fromUnit({ type: 'int', low: 0, high: 3 }, 1)).toBe(3);
    expect(fromUnit({ type: 'int', low: 0, high: 3 }, Number.NaN)).toBe(0);
  });

  it('toUnit rejects a value that is not a choice', () => {
    expect(() => toUnit({ type: 'categorical', choices: ['a'] }, 'b')).toThrow(ParamError);
    expect(() => toUnit({ type: 'int', low: 0, high: 3 }, 'b')).toThrow(ParamError);
  });
});

describe('isActive', () => {
  const space = parseSpace({
    layers: { type: 'int', low: 1, high: 3 },
    opt: ['adam', 'sgd', 'rmsprop'],
    u2: { type: 'int', low: 1, high: 3, when: { layers: { gte: 2 } } },
    m: { type: 'float', low: 0, high: 1, when: { opt: ['sgd', 'rmsprop'] } },
    b: { type: 'float', low: 0, high: 1, when: { opt: 'adam', layers: { gt: 1, lt: 3 } } },
    deep: { type: 'float', low: 0, high: 1, when: { u2: 3 } },
  });
  const spec = (n: string) => space.params.find((p) => p.name === n)!;

  it('evaluates equality, lists, ranges, conjunctions, and absent parents', () => {
    expect(isActive(spec('u2'), { layers: 1 })).toBe(false);
    expect(isActive(spec('u2'), { layers: 2 })).toBe(true);
    expect(isActive(spec('m'), { opt: 'adam' })).toBe(false);
    expect(isActive(spec('m'), { opt: 'rmsprop' })).toBe(true);
    expect(isActive(spec('b'), { opt: 'adam', layers: 2 })).toBe(true);
    expect(isActive(spec('b'), { opt: 'adam', layers: 3 })).toBe(false);
    expect(isActive(spec('b'), { opt: 'sgd', layers: 2 })).toBe(false);
    expect(isActive(spec('deep'), { layers: 1 })).toBe(false);
    expect(isActive(spec('deep'), { layers: 2, u2: 3 })).toBe(true);
    expect(isActive(spec('layers'), {})).toBe(true);
  });
});

describe('validateParams', () => {
  const space = mlpDefaultSpace();
  const ok = {
    layers: 2,
    units_1: 32,
    units_2: 64,
    activation: 'relu',
    dropout: 0.1,
    optimizer: 'sgd',
    learning_rate: 0.01,
    momentum: 0.9,
    batch_size: 64,
    l2: 1e-5,
    epochs: 30,
  };

  it('accepts a valid point', () => {
    expect(() => validateParams(space, ok)).not.toThrow();
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      'out of range',
      { learning_rate: 2 },
      'params.learning_rate: expected a value in [0.0001, 0.1], but got 2',
    ],
    ['not an integer', { units_1: 32.5 }, 'params.units_1: expected an integer in [16, 256], but got 32.5'],
    [
      'not a choice',
      { activation: 'gelu' },
      "params.activation: expected one of 'relu', 'tanh', 'elu', but got 'gelu'",
    ],
    [
      'inactive but present',
      { units_3: 16 },
      'params.units_3: must be absent while its condition does not hold, but got 16',
    ],
    ['active but missing', { layers: 3 }, 'params.units_3: missing, but the parameter is active'],
    ['wrong fixed', { epochs: 31 }, 'params.epochs: expected the fixed value 30, but got 31'],
    [
      'unknown',
      { foo: 1 },
      'params.foo: unknown parameter (known: activation, batch_size, dropout, epochs, l2, layers, learning_rate, optimizer, momentum, units_1, units_2, units_3)',
    ],
  ])('%s → ParamError naming the parameter', (_, patch, message) => {
    const params = { ...ok, ...patch } as Record<string, string | number | boolean>;
    let err: unknown;
    try {
      validateParams(space, params);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ParamError);
    expect((err as ParamError).code).toBe('E_PARAM');
    expect((err as Error).message).toBe(message);
  });

  it('checks the step grid', () => {
    const s = parseSpace({ x: { type: 'float', low: 0, high: 1, step: 0.25 } });
    expect(() => validateParams(s, { x: 0.75 })).not.toThrow();
    expect(() => validateParams(s, { x: 0.7 })).toThrow(
      'params.x: expected a value on the grid 0 + k * 0.25, but got 0.7',
    );
  });
});

describe('canonicalParams and decodeParams', () => {
  it('sorts keys', () => {
    expect(Object.keys(canonicalParams({ b: 1, a: 2, c: 'x' }))).toEqual(['a', 'b', 'c']);
  });

  it('decodes only active parameters, parents first, and the result validates', () => {
    const space = mlpDefaultSpace();
    for (const u of [0, 0.3, 0.7, 0.999]) {
      const p = decodeParams(space, () => u);
      expect(() => validateParams(space, p)).not.toThrow();
      expect(p.epochs).toBe(30);
    }
    const low = decodeParams(space, () => 0);
    expect(low.layers).toBe(1);
    expect('units_2' in low).toBe(false);
    expect('momentum' in low).toBe(false);
  });
});
