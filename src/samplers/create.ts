import * as z from 'zod';
import { ConfigError } from '../errors.js';
import { unknownNameError, zodLine } from '../zod-line.js';
import { CmaEsSampler } from './cmaes.js';
import { GpSampler } from './gp.js';
import { GridSampler } from './grid.js';
import { MotpeSampler } from './motpe.js';
import { Nsga2Sampler } from './nsga2.js';
import { RandomSampler } from './random.js';
import { SobolSampler } from './sobol.js';
import { TpeSampler } from './tpe.js';
import type { Sampler } from './types.js';

export const SAMPLER_NAMES = ['random', 'grid', 'sobol', 'tpe', 'cmaes', 'gp', 'nsga2', 'motpe'] as const;
export type SamplerName = (typeof SAMPLER_NAMES)[number];

const count = (name: string, min: number) =>
  z
    .number({ error: (iss) => `${name} must be a number, but got ${JSON.stringify(iss.input)}` })
    .refine((v) => Number.isInteger(v) && v >= min, {
      error: (iss) => `${name} must be an integer >= ${min}, but got ${String(iss.input)}`,
    });

const unknownKeys = (known: string) => (iss: { code?: string; keys?: string[] }) =>
  iss.code === 'unrecognized_keys'
    ? `unknown option(s) ${iss.keys?.map((k) => `'${k}'`).join(', ')} (known: ${known})`
    : undefined;

const RandomConfigSchema = z.strictObject({ name: z.literal('random') }, { error: unknownKeys('name') });
const SobolConfigSchema = z.strictObject({ name: z.literal('sobol') }, { error: unknownKeys('name') });
const GridConfigSchema = z.strictObject(
  {
    name: z.literal('grid'),
    grid_points: z.union([count('grid_points', 2), z.record(z.string(), count('grid_points', 2))]).optional(),
    order: z
      .enum(['shuffled', 'fixed'], {
        error: (iss) => `order must be 'shuffled' or 'fixed', but got ${JSON.stringify(iss.input)}`,
      })
      .optional(),
  },
  { error: unknownKeys('name, grid_points, order') },
);
const TpeConfigSchema = z.strictObject(
  {
    name: z.literal('tpe'),
    n_startup_trials: count('n_startup_trials', 0).optional(),
    n_ei_candidates: count('n_ei_candidates', 1).optional(),
    gamma: z
      .number()
      .refine((v) => v > 0 && v <= 1, {
        error: (iss) => `gamma must be in (0, 1], but got ${String(iss.input)}`,
      })
      .optional(),
    gamma_cap: count('gamma_cap', 1).optional(),
    prior_weight: z
      .number()
      .refine((v) => v > 0 && Number.isFinite(v), {
        error: (iss) => `prior_weight must be > 0, but got ${String(iss.input)}`,
      })
      .optional(),
    multivariate: z.boolean().optional(),
  },
  {
    error: unknownKeys(
      'name, n_startup_trials, n_ei_candidates, gamma, gamma_cap, prior_weight, multivariate',
    ),
  },
);

const CmaEsConfigSchema = z.strictObject(
  {
    name: z.literal('cmaes'),
    sigma0: z
      .number()
      .refine((v) => v > 0 && v <= 1, {
        error: (iss) => `sigma0 must be in (0, 1] (the unit cube), but got ${String(iss.input)}`,
      })
      .optional(),
    popsize: count('popsize', 2).optional(),
    n_startup_trials: count('n_startup_trials', 0).optional(),
    restart: z
      .enum(['none', 'ipop'], {
        error: (iss) => `restart must be 'none' or 'ipop', but got ${JSON.stringify(iss.input)}`,
      })
      .optional(),
  },
  { error: unknownKeys('name, sigma0, popsize, n_startup_trials, restart') },
);
const GpConfigSchema = z.strictObject(
  {
    name: z.literal('gp'),
    n_startup_trials: count('n_startup_trials', 0).optional(),
    n_candidates: count('n_candidates', 1).optional(),
    max_history: count('max_history', 2).optional(),
  },
  { error: unknownKeys('name, n_startup_trials, n_candidates, max_history') },
);

const probability = (name: string) =>
  z
    .number({ error: (iss) => `${name} must be a number, but got ${JSON.stringify(iss.input)}` })
    .refine((v) => v >= 0 && v <= 1, {
      error: (iss) => `${name} must be in [0, 1], but got ${String(iss.input)}`,
    });
const Nsga2ConfigSchema = z.strictObject(
  {
    name: z.literal('nsga2'),
    population_size: count('population_size', 2).optional(),
    mutation_prob: probability('mutation_prob').optional(),
    crossover_prob: probability('crossover_prob').optional(),
    swapping_prob: probability('swapping_prob').optional(),
  },
  { error: unknownKeys('name, population_size, mutation_prob, crossover_prob, swapping_prob') },
);
const MotpeConfigSchema = z.strictObject(
  {
    name: z.literal('motpe'),
    n_startup_trials: count('n_startup_trials', 0).optional(),
    n_ei_candidates: count('n_ei_candidates', 1).optional(),
    gamma: z
      .number()
      .refine((v) => v > 0 && v <= 1, {
        error: (iss) => `gamma must be in (0, 1], but got ${String(iss.input)}`,
      })
      .optional(),
    gamma_cap: count('gamma_cap', 1).optional(),
    prior_weight: z
      .number()
      .refine((v) => v > 0 && Number.isFinite(v), {
        error: (iss) => `prior_weight must be > 0, but got ${String(iss.input)}`,
      })
      .optional(),
  },
  { error: unknownKeys('name, n_startup_trials, n_ei_candidates, gamma, gamma_cap, prior_weight') },
);

/**
 * The study config's `sampler` field: a name, or `{ name, ...options }`. A bare name is
 * normalised to `{ name }`, so that the canonical config has one form.
 */
export const SamplerConfigSchema = z.preprocess(
  (v) => (typeof v === 'string' ? { name: v } : v),
  z.discriminatedUnion(
    'name',
    [
      RandomConfigSchema,
      GridConfigSchema,
      SobolConfigSchema,
      TpeConfigSchema,
      CmaEsConfigSchema,
      GpConfigSchema,
      Nsga2ConfigSchema,
      MotpeConfigSchema,
    ],
    { error: unknownNameError('sampler', SAMPLER_NAMES) },
  ),
);
export type SamplerConfig = z.output<typeof SamplerConfigSchema>;

/** Parses a `sampler` field; throws ConfigError with one line naming the field. */
export function parseSamplerConfig(input: unknown, path = 'sampler'): SamplerConfig {
  const r = SamplerConfigSchema.safeParse(input);
  if (!r.success) throw new ConfigError(zodLine(r.error, { field: path, nameIsField: true }));
  return r.data;
}

/** Builds a sampler from its config: `'tpe'`, `{ name: 'grid', grid_points: 3 }`, … */
export function createSampler(config: unknown): Sampler {
  const c = parseSamplerConfig(config);
  switch (c.name) {
    case 'random':
      return new RandomSampler();
    case 'sobol':
      return new SobolSampler();
    case 'grid': {
      const { name: _, ...options } = c;
      return new GridSampler(options);
    }
    case 'tpe': {
      const { name: _, ...options } = c;
      return new TpeSampler(options);
    }
    case 'cmaes': {
      const { name: _, ...options } = c;
      return new CmaEsSampler(options);
    }
    case 'gp': {
      const { name: _, ...options } = c;
      return new GpSampler(options);
    }
    case 'nsga2': {
      const { name: _, ...options } = c;
      return new Nsga2Sampler(options);
    }
    case 'motpe': {
      const { name: _, ...options } = c;
      return new MotpeSampler(options);
    }
    default:
      throw new Error(`unreachable: ${JSON.stringify(c satisfies never)}`);
  }
}
