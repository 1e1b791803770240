import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { createPruner, fixedEpochs, HyperbandPruner, parsePrunerConfig } from '../../src/pruners/index.js';
import { parseSpace } from '../../src/space/index.js';
import { parseStudyConfig, trialEpochs } from '../../src/study/config.js';

const base = {
  name: 's',
  dataset: 'data.csv',
  space: { lr: { type: 'float', low: 0.001, high: 0.1 }, epochs: 9 },
};
const message = (pruner: unknown, extra: object = {}) => {
  try {
    parseStudyConfig({ ...base, ...extra, pruner }, 'study.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('pruner config', () => {
  it('accepts every pruner by name or with options, and defaults to none', () => {
    expect(parseStudyConfig(base).pruner).toBe('none');
    for (const p of [
      'none',
      'median',
      'successive_halving',
      'hyperband',
      { name: 'percentile', percentile: 30 },
    ]) {
      expect(() => parseStudyConfig({ ...base, pruner: p })).not.toThrow();
    }
  });

  it('names an unknown pruner and lists the known ones', () => {
    expect(message('x')).toBe(
      "study.yaml: pruner: unknown pruner 'x' (known: none, median, percentile, successive_halving, hyperband)",
    );
    expect(message({ name: 'asha' })).toMatch(/^study.yaml: pruner: unknown pruner 'asha'/);
  });

  it('refuses eta < 2, min_epochs > max_epochs, unknown options and a bad percentile, naming the field', () => {
    expect(message({ name: 'hyperband', eta: 1 })).toBe(
      'study.yaml: pruner.eta: eta must be an integer >= 2, but got 1',
    );
    expect(message({ name: 'successive_halving', min_epochs: 10, max_epochs: 9 })).toBe(
      'study.yaml: pruner: min_epochs <= max_epochs must hold, but got min_epochs=10, max_epochs=9',
    );
    // max_epochs from the space's epochs (9).
    expect(message({ name: 'hyperband', min_epochs: 10 })).toBe(
      'study.yaml: pruner: min_epochs <= max_epochs must hold, but got min_epochs=10, max_epochs=9',
    );
    expect(message({ name: 'median', warmup: 3 })).toBe(
      "study.yaml: pruner: unknown option(s) 'warmup' (known: name, n_startup_trials, n_warmup_steps, interval_steps)",
    );
    expect(message({ name: 'percentile', percentile: 120 })).toBe(
      'study.yaml: pruner.percentile: percentile must be in [0, 100], but got 120',
    );
    expect(message({ name: 'median', interval_steps: 0 })).toBe(
      'study.yaml: pruner.interval_steps: interval_steps must be an integer >= 1, but got 0',
    );
  });

  it('makes max_epochs agree with the space: every trial trains the space epochs unless stopped', () => {
    expect(message({ name: 'hyperband', max_epochs: 27 })).toBe(
      "study.yaml: pruner.max_epochs: must equal the space's epochs (9), every trial's full budget, but got 27; leave it out to use the space's",
    );
    expect(
      message('hyperband', {
        space: { lr: { type: 'float', low: 0.001, high: 0.1 }, epochs: { type: 'int', low: 2, high: 9 } },
      }),
    ).toMatch(/^study.yaml: pruner: hyperband needs a fixed 'epochs' in the space/);
    expect(fixedEpochs(parseSpace({ lr: 0.1 }, 'space'), 20)).toBe(20);
    expect(trialEpochs(parseSpace({ lr: 0.1 }, 'space'))).toBe(20); // the MLP's default
    const hb = createPruner('hyperband', { epochs: fixedEpochs(parseSpace({ epochs: 27 }, 'space'), 20) });
    expect(hb).toBeInstanceOf(HyperbandPruner);
    expect((hb as HyperbandPruner).rungs).toEqual([1, 3, 9]);
  });

  it('needs max_epochs for a module objective', () => {
    expect(() =>
      parsePrunerConfig('hyperband', 'pruner', { epochs: undefined, objective: 'module' }),
    ).toThrow('pruner.max_epochs: required for hyperband with a module objective');
  });
});
