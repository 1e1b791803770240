import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { createSampler, parseSamplerConfig } from '../../src/samplers/create.js';
import { GridSampler } from '../../src/samplers/grid.js';
import { TpeSampler } from '../../src/samplers/tpe.js';

function messageOf(input: unknown): string {
  try {
    createSampler(input);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).code).toBe('E_CONFIG');
    return (e as Error).message;
  }
  throw new Error('createSampler accepted the input');
}

describe('createSampler', () => {
  it.each(['random', 'grid', 'sobol', 'tpe', 'cmaes', 'gp'])(
    'builds %s from its name and from { name }',
    (name) => {
      expect(createSampler(name).name).toBe(name);
      expect(createSampler({ name }).name).toBe(name);
    },
  );

  it('passes options through', () => {
    const tpe = createSampler({ name: 'tpe', n_startup_trials: 3, multivariate: true });
    expect(tpe).toBeInstanceOf(TpeSampler);
    expect((tpe as TpeSampler).options).toMatchObject({
      n_startup_trials: 3,
      multivariate: true,
      n_ei_candidates: 24,
    });
    expect(createSampler({ name: 'grid', order: 'fixed' })).toBeInstanceOf(GridSampler);
  });

  it('normalises a bare name to { name }', () => {
    expect(parseSamplerConfig('tpe')).toEqual({ name: 'tpe' });
  });

  it.each<[unknown, string]>([
    ['foo', "sampler: unknown sampler 'foo' (known: random, grid, sobol, tpe, cmaes, gp, nsga2, motpe)"],
    [
      { name: 'foo' },
      "sampler: unknown sampler 'foo' (known: random, grid, sobol, tpe, cmaes, gp, nsga2, motpe)",
    ],
    [42, 'sampler: expected a sampler name or { name, ...options }, but got 42'],
    [
      { name: 'tpe', n_startup_trials: -1 },
      'sampler.n_startup_trials: n_startup_trials must be an integer >= 0, but got -1',
    ],
    [
      { name: 'tpe', n_ei_candidates: 0 },
      'sampler.n_ei_candidates: n_ei_candidates must be an integer >= 1, but got 0',
    ],
    [{ name: 'tpe', gamma: 1.5 }, 'sampler.gamma: gamma must be in (0, 1], but got 1.5'],
    [
      { name: 'tpe', multivarite: true },
      "sampler: unknown option(s) 'multivarite' (known: name, n_startup_trials, n_ei_candidates, gamma, gamma_cap, prior_weight, multivariate)",
    ],
    [
      { name: 'grid', order: 'random' },
      "sampler.order: order must be 'shuffled' or 'fixed', but got \"random\"",
    ],
    [{ name: 'grid', grid_points: 1 }, 'sampler.grid_points: grid_points must be an integer >= 2, but got 1'],
    [{ name: 'cmaes', sigma0: 2 }, 'sampler.sigma0: sigma0 must be in (0, 1] (the unit cube), but got 2'],
    [{ name: 'cmaes', popsize: 1 }, 'sampler.popsize: popsize must be an integer >= 2, but got 1'],
    [
      { name: 'cmaes', restart: 'bipop' },
      "sampler.restart: restart must be 'none' or 'ipop', but got \"bipop\"",
    ],
    [{ name: 'gp', max_history: 1 }, 'sampler.max_history: max_history must be an integer >= 2, but got 1'],
    [
      { name: 'gp', kernel: 'rbf' },
      "sampler: unknown option(s) 'kernel' (known: name, n_startup_trials, n_candidates, max_history)",
    ],
    [{ name: 'random', seed: 3 }, "sampler: unknown option(s) 'seed' (known: name)"],
  ])('%j → %s', (input, expected) => {
    expect(messageOf(input)).toBe(expected);
  });
});
