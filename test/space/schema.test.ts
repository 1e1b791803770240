import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { mlpDefaultSpace, parseSpace, SpaceInputSchema } from '../../src/space/schema.js';

function messageOf(input: unknown): string {
  try {
    parseSpace(input);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).code).toBe('E_CONFIG');
    return (e as Error).message;
  }
  throw new Error('parseSpace accepted the input');
}

describe('parseSpace error messages', () => {
  it.each([
    [
      { lr: { type: 'float', low: 1, high: 0.1 } },
      'space.lr: low <= high must hold, but got low=1, high=0.1',
    ],
    [{ lr: { type: 'float', low: 0, high: 1, log: true } }, 'space.lr: log needs low > 0, but got low=0'],
    [{ n: { type: 'int', low: 0, high: 10, step: 0 } }, 'space.n: step > 0 must hold, but got step=0'],
    [{ n: { type: 'int', low: 0, high: 10, step: -2 } }, 'space.n: step > 0 must hold, but got step=-2'],
    [
      { n: { type: 'int', low: 1, high: 10, step: 2 } },
      'space.n: (high - low) must be a multiple of step, but got low=1, high=10, step=2',
    ],
    [
      { n: { type: 'int', low: 0.5, high: 3 } },
      'space.n: int bounds must be integers, but got low=0.5, high=3',
    ],
    [
      { n: { type: 'int', low: 0, high: 3, step: 1.5 } },
      'space.n: int step must be an integer, but got step=1.5',
    ],
    [{ act: { type: 'categorical', choices: [] } }, 'space.act: choices must not be empty, but got []'],
    [{ act: [] }, 'space.act: choices must not be empty, but got []'],
    [
      { act: ['relu', 'tanh', 'relu'] },
      "space.act: choices must not contain duplicates, but got 'relu' twice",
    ],
    [
      {
        optimizer: ['adam', 'sgd'],
        momentum: { type: 'float', low: 0, high: 1, when: { optimiser: 'sgd' } },
      },
      "space.momentum.when: unknown parameter 'optimiser'",
    ],
    [
      {
        a: { type: 'categorical', choices: [1, 2], when: { b: 1 } },
        b: { type: 'categorical', choices: [1, 2], when: { a: 1 } },
      },
      'space: conditions must not form a cycle, but got a -> b -> a',
    ],
    [
      { a: { type: 'int', low: 0, high: 3, when: { a: 1 } } },
      "space.a.when: a parameter cannot depend on itself, but got 'a'",
    ],
    [
      { opt: ['adam', 'sgd'], m: { type: 'float', low: 0, high: 1, when: { opt: 'sgdd' } } },
      "space.m.when.opt: 'sgdd' is not a possible value of 'opt' (possible: 'adam', 'sgd')",
    ],
    [
      { lr: { type: 'flot', low: 0, high: 1 } },
      "space.lr.type: expected one of float, int, categorical, fixed, but got 'flot'",
    ],
    [
      { lr: { type: 'float', low: 0, high: 1, lo: 3 } },
      "space.lr: unknown key(s) 'lo' (known: type, low, high, log, step, when)",
    ],
    [
      { lr: { type: 'float', low: 'a', high: 1 } },
      "space.lr.low: low must be a finite number, but got the string 'a'",
    ],
    [
      { lr: { type: 'float', low: 1e-3, high: 1, log: true, step: 0.1 } },
      'space.lr: log and step cannot be used together (except step=1 for int), but got step=0.1',
    ],
    ['mlp', "space: expected 'mlp-default' or a record of parameters, but got the string 'mlp'"],
    [{}, 'space: at least one parameter is needed, but got none'],
    [
      { x: null },
      'space.x: expected a parameter spec (an object with a type, a value, or a list of choices), but got null',
    ],
  ])('%j → %s', (input, expected) => {
    expect(messageOf(input)).toBe(expected);
  });

  it('names the path it is given', () => {
    expect(() => parseSpace({ lr: { type: 'float', low: 1, high: 0 } }, 'study.space')).toThrow(
      'study.space.lr: low <= high must hold, but got low=1, high=0',
    );
  });

  it('reports the same message through SpaceInputSchema embedded in another schema', () => {
    const r = SpaceInputSchema.safeParse({ lr: { type: 'float', low: 0, high: 1, log: true } });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['lr']);
    expect(r.error?.issues[0]?.message).toBe('log needs low > 0, but got low=0');
  });
});

describe('parseSpace accepts', () => {
  it('expands shorthands and orders parents first, ties by name', () => {
    const space = parseSpace({
      zeta: 3,
      momentum: { type: 'float', low: 0, high: 0.9, when: { optimizer: 'sgd' } },
      optimizer: ['sgd', 'adam'],
      flag: true,
      alpha: { type: 'float', low: 0, high: 1, step: 0.25 },
    });
    expect(space.params.map((p) => p.name)).toEqual(['alpha', 'flag', 'optimizer', 'momentum', 'zeta']);
    expect(space.params[1]!.dist).toEqual({ type: 'fixed', value: true });
    expect(space.params[2]!.dist).toEqual({ type: 'categorical', choices: ['sgd', 'adam'] });
    expect(space.params[3]!.when).toEqual({ optimizer: 'sgd' });
    expect(space.params[0]!.dist).toEqual({ type: 'float', low: 0, high: 1, step: 0.25 });
  });

  it('accepts a float step that divides the range up to rounding (0.1 into 0.3)', () => {
    expect(() => parseSpace({ x: { type: 'float', low: 0, high: 0.3, step: 0.1 } })).not.toThrow();
  });

  it('accepts a log int with step 1 and drops the redundant step', () => {
    const s = parseSpace({ u: { type: 'int', low: 1, high: 8, log: true, step: 1 } });
    expect(s.params[0]!.dist).toEqual({ type: 'int', low: 1, high: 8, log: true });
  });
});

describe('mlpDefaultSpace', () => {
  it('is exactly the documented preset', () => {
    const byName = Object.fromEntries(mlpDefaultSpace().params.map((p) => [p.name, p]));
    expect(byName).toEqual({
      layers: { name: 'layers', dist: { type: 'int', low: 1, high: 3 } },
      units_1: { name: 'units_1', dist: { type: 'int', low: 16, high: 256, log: true } },
      units_2: {
        name: 'units_2',
        dist: { type: 'int', low: 16, high: 256, log: true },
        when: { layers: { gte: 2 } },
      },
      units_3: {
        name: 'units_3',
        dist: { type: 'int', low: 16, high: 256, log: true },
        when: { layers: { gte: 3 } },
      },
      activation: { name: 'activation', dist: { type: 'categorical', choices: ['relu', 'tanh', 'elu'] } },
      dropout: { name: 'dropout', dist: { type: 'float', low: 0, high: 0.5 } },
      optimizer: { name: 'optimizer', dist: { type: 'categorical', choices: ['adam', 'sgd'] } },
      learning_rate: { name: 'learning_rate', dist: { type: 'float', low: 1e-4, high: 1e-1, log: true } },
      momentum: { name: 'momentum', dist: { type: 'float', low: 0, high: 0.99 }, when: { optimizer: 'sgd' } },
      batch_size: { name: 'batch_size', dist: { type: 'categorical', choices: [32, 64, 128, 256] } },
      l2: { name: 'l2', dist: { type: 'float', low: 1e-7, high: 1e-2, log: true } },
      epochs: { name: 'epochs', dist: { type: 'fixed', value: 30 } },
    });
  });

  it('puts every parent before its children', () => {
    const names = mlpDefaultSpace().params.map((p) => p.name);
    expect(names.indexOf('layers')).toBeLessThan(names.indexOf('units_2'));
    expect(names.indexOf('layers')).toBeLessThan(names.indexOf('units_3'));
    expect(names.indexOf('optimizer')).toBeLessThan(names.indexOf('momentum'));
    expect(names).toHaveLength(12);
  });

  it('is what the preset name parses to', () => {
    expect(parseSpace('mlp-default')).toEqual(mlpDefaultSpace());
  });
});
