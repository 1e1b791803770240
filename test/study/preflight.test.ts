/**
 * What is sure to fail every trial is refused before the first one: parameter names the MLP does not know,
 * values it refuses over a whole range, a metric the task does not measure. Each message names the field.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../../src/errors.js';
import { parseSpace } from '../../src/space/index.js';
import { parseStudyConfig } from '../../src/study/config.js';
import { checkStudy } from '../../src/study/preflight.js';

const base = { name: 's', dataset: 'd.csv', target: 'y' };

function check(fields: Record<string, unknown>, task?: 'binary' | 'multiclass' | 'regression'): void {
  const config = parseStudyConfig({ ...base, ...fields }, 's.yaml');
  checkStudy(config, parseSpace(config.space, 'space'), task, 's.yaml');
}

const refusal = (fields: Record<string, unknown>, task?: 'binary' | 'multiclass' | 'regression') => {
  try {
    check(fields, task);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a refusal');
};

describe('checkStudy', () => {
  it('refuses a parameter name the built-in MLP does not have, naming the field and the known names', () => {
    expect(refusal({ space: { lr: { type: 'float', low: 1e-4, high: 0.1, log: true } } })).toBe(
      's.yaml: space.lr: not a parameter of the built-in MLP; expected one of layers, units, activation, dropout, l2, optimizer, init, learning_rate, momentum, batch_size, epochs, units_1..units_8',
    );
    expect(refusal({ space: { units_9: 4 } })).toMatch(/^s\.yaml: space\.units_9: not a parameter/);
  });

  it('refuses a fixed value, a categorical or a range with no valid value', () => {
    expect(refusal({ space: { batch_size: 0 } })).toBe(
      's.yaml: space.batch_size: expected an integer >= 1, got 0',
    );
    expect(refusal({ space: { activation: ['gelu', 'swish'] } })).toBe(
      's.yaml: space.activation: no choice is valid: expected one of relu, tanh, elu, sigmoid, selu, got "gelu"',
    );
    expect(refusal({ space: { init: { type: 'fixed', value: 'nope' } } })).toBe(
      's.yaml: space.init: expected one of torch, he, got "nope"',
    );
    expect(refusal({ space: { init: 'xavier' } })).toBe(
      's.yaml: space.init: expected one of torch, he, got "xavier"',
    );
    expect(refusal({ space: { init: ['xavier', 'lecun'] } })).toBe(
      's.yaml: space.init: no choice is valid: expected one of torch, he, got "xavier"',
    );
    expect(refusal({ space: { dropout: { type: 'float', low: 1, high: 2 } } })).toBe(
      's.yaml: space.dropout: no value in [1, 2] is valid: expected a number in [0, 1), got 1',
    );
    expect(refusal({ space: { learning_rate: { type: 'float', low: -1, high: 0 } } })).toMatch(
      /space\.learning_rate: no value in \[-1, 0\] is valid: expected a number > 0/,
    );
    expect(refusal({ space: { batch_size: { type: 'float', low: 1.2, high: 1.7 } } })).toMatch(
      /space\.batch_size: no value in \[1\.2, 1\.7\]/,
    );
  });

  it('accepts a range that holds a valid value, also when both its ends are invalid', () => {
    expect(() => check({ space: { layers: { type: 'int', low: 0, high: 20 } } })).not.toThrow();
    expect(() => check({ space: { dropout: { type: 'float', low: -1, high: 2 } } })).not.toThrow();
    expect(() => check({ space: { momentum: { type: 'float', low: -0.5, high: 0.2 } } })).not.toThrow();
    expect(() => check({ space: { activation: ['gelu', 'relu'] } })).not.toThrow();
    expect(() => check({ space: { init: ['torch', 'he'] } })).not.toThrow();
    expect(() => check({ space: { init: 'he' } })).not.toThrow();
    expect(() => check({ space: 'mlp-default' })).not.toThrow();
  });

  it('refuses a metric that the task does not measure, once the task is known', () => {
    expect(refusal({ metric: 'accuracy' }, 'regression')).toBe(
      "s.yaml: metric: 'accuracy' does not apply to a regression task; expected one of rmse, mae, r2",
    );
    expect(() => check({ metric: 'accuracy' })).not.toThrow(); // the task is not known yet
    expect(() => check({ metric: 'rmse' }, 'regression')).not.toThrow();
  });

  it('leaves a user module objective alone: only its code knows its parameters', () => {
    expect(() =>
      check({ objective: { module: './m.mjs' }, direction: 'minimize', space: { lr: 0 } }),
    ).not.toThrow();
  });

  it('accepts the space mapping that the README’s study config shows', () => {
    const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
    const line = readme.split('\n').find((l) => /^space: mlp-default\s+# or a mapping: /.test(l));
    expect(line).toBeDefined();
    const mapping = line!.replace(/^.*# or a mapping: /, '').replace(/, …\s*\}$/, ' }');
    expect(() => check({ space: parseYaml(mapping) })).not.toThrow();
  });
});
