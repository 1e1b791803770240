import { describe, expect, test } from 'vitest';
import { ParamError } from '../../src/errors.js';
import { resolveMlpParams } from '../../src/train/params.js';

describe('resolveMlpParams', () => {
  test('fills every default from an empty record', () => {
    expect(resolveMlpParams({})).toEqual({
      layers: 2,
      units: [64, 64],
      activation: 'relu',
      dropout: 0,
      l2: 0,
      optimizer: 'adam',
      init: 'torch',
      learningRate: 0.001,
      momentum: 0,
      batchSize: 64,
      epochs: 20,
    });
  });

  test('units applies to every layer and units_k overrides layer k', () => {
    const p = resolveMlpParams({ layers: 3, units: 32, units_2: 8 });
    expect(p.units).toEqual([32, 8, 32]);
  });

  test('units_k beyond the depth is ignored, so one flat space serves every depth', () => {
    expect(resolveMlpParams({ layers: 1, units_1: 5, units_4: 7 }).units).toEqual([5]);
  });

  test('numeric strings are read as numbers; other strings are not', () => {
    const p = resolveMlpParams({ learning_rate: '0.01', batch_size: '32', epochs: 3 });
    expect(p.learningRate).toBe(0.01);
    expect(p.batchSize).toBe(32);
    expect(() => resolveMlpParams({ dropout: 'half' })).toThrow(
      'params.dropout: expected a number in [0, 1), got "half"',
    );
  });

  test.each([
    [{ units_1: 0 }, 'params.units_1: expected an integer >= 1, got 0'],
    [{ units: 2.5 }, 'params.units: expected an integer >= 1, got 2.5'],
    [{ optimizer: 'adagrad' }, 'params.optimizer: expected one of adam, sgd, rmsprop, got "adagrad"'],
    [{ activation: 'gelu' }, 'params.activation: expected one of relu, tanh, elu, sigmoid, selu, got "gelu"'],
    [{ init: 'xavier' }, 'params.init: expected one of torch, he, got "xavier"'],
    [{ init: 0 }, 'params.init: expected one of torch, he, got 0'],
    [{ layers: 9 }, 'params.layers: expected an integer in [1, 8], got 9'],
    [{ dropout: 1 }, 'params.dropout: expected a number in [0, 1), got 1'],
    [{ learning_rate: 0 }, 'params.learning_rate: expected a number > 0, got 0'],
    [{ momentum: -0.1 }, 'params.momentum: expected a number in [0, 1), got -0.1'],
    [{ l2: -1 }, 'params.l2: expected a number >= 0, got -1'],
    [{ batch_size: true }, 'params.batch_size: expected an integer >= 1, got true'],
    [{ epochs: 0 }, 'params.epochs: expected an integer in [1, 100,000], got 0'],
    [{ epochs: 1e7 }, 'params.epochs: expected an integer in [1, 100,000], got 10000000'],
  ])('%o is rejected naming the field', (params, message) => {
    let caught: unknown;
    try {
      resolveMlpParams(params);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ParamError);
    expect((caught as ParamError).code).toBe('E_PARAM');
    expect((caught as ParamError).message).toBe(message);
  });

  test('init: torch (the default) and he are accepted; any other value is one line naming params.init', () => {
    expect(resolveMlpParams({ init: 'torch' }).init).toBe('torch');
    expect(resolveMlpParams({ init: 'he' }).init).toBe('he');
    expect(resolveMlpParams({ init: 'he' })).toEqual({ ...resolveMlpParams({}), init: 'he' });
    let caught: unknown;
    try {
      resolveMlpParams({ init: 'xavier' });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ParamError);
    const message = (caught as ParamError).message;
    expect(message).not.toContain('\n');
    expect(message).toMatch(/^params\.init: /);
    expect(message).toContain('torch, he');
  });

  test('an unknown key is rejected, naming it and the known keys', () => {
    expect(() => resolveMlpParams({ lr: 0.1 })).toThrow(
      /^params\.lr: unknown parameter; expected one of layers, units/,
    );
    expect(() => resolveMlpParams({ units_9: 3 })).toThrow(/^params\.units_9: unknown parameter/);
    expect(() => resolveMlpParams({ units_0: 3 })).toThrow(ParamError);
  });
});
