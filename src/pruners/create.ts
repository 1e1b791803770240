import * as z from 'zod';
import { ConfigError } from '../errors.js';
import type { SearchSpace } from '../space/types.js';
import { formatPath, unknownNameError, zodLine } from '../zod-line.js';
import {
  HALVING_DEFAULTS,
  type HalvingOptions,
  HyperbandPruner,
  SuccessiveHalvingPruner,
} from './halving.js';
import { NopPruner } from './none.js';
import { PercentilePruner } from './percentile.js';
import type { Pruner } from './types.js';

export const PRUNER_NAMES = ['none', 'median', 'percentile', 'successive_halving', 'hyperband'] as const;
export type PrunerName = (typeof PRUNER_NAMES)[number];

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

const medianShape = {
  n_startup_trials: count('n_startup_trials', 0).optional(),
  n_warmup_steps: count('n_warmup_steps', 0).optional(),
  interval_steps: count('interval_steps', 1).optional(),
};
const MEDIAN_KEYS = 'name, n_startup_trials, n_warmup_steps, interval_steps';
const halvingShape = {
  min_epochs: count('min_epochs', 1).optional(),
  max_epochs: count('max_epochs', 1).optional(),
  eta: count('eta', 2).optional(),
};
const HALVING_KEYS = 'name, min_epochs, max_epochs, eta';

const NoneConfigSchema = z.strictObject({ name: z.literal('none') }, { error: unknownKeys('name') });
const MedianConfigSchema = z.strictObject(
  { name: z.literal('median'), ...medianShape },
  { error: unknownKeys(MEDIAN_KEYS) },
);
const PercentileConfigSchema = z.strictObject(
  {
    name: z.literal('percentile'),
    percentile: z
      .number({
        error: (iss) =>
          `percentile must be a number in [0, 100] (the top percentile kept), but got ${JSON.stringify(iss.input)}`,
      })
      .refine((v) => v >= 0 && v <= 100, {
        error: (iss) => `percentile must be in [0, 100], but got ${String(iss.input)}`,
      }),
    ...medianShape,
  },
  { error: unknownKeys(`${MEDIAN_KEYS}, percentile`) },
);
const SuccessiveHalvingConfigSchema = z.strictObject(
  { name: z.literal('successive_halving'), ...halvingShape },
  { error: unknownKeys(HALVING_KEYS) },
);
const HyperbandConfigSchema = z.strictObject(
  { name: z.literal('hyperband'), ...halvingShape },
  { error: unknownKeys(HALVING_KEYS) },
);

/**
 * The study config's `pruner` field: a name, or `{ name, ...options }`. A bare name is normalised to
 * `{ name }`, so that the canonical config has one form.
 */
export const PrunerConfigSchema = z.preprocess(
  (v) => (typeof v === 'string' ? { name: v } : v),
  z.discriminatedUnion(
    'name',
    [
      NoneConfigSchema,
      MedianConfigSchema,
      PercentileConfigSchema,
      SuccessiveHalvingConfigSchema,
      HyperbandConfigSchema,
    ],
    { error: unknownNameError('pruner', PRUNER_NAMES) },
  ),
);
export type PrunerConfig = z.output<typeof PrunerConfigSchema>;

/**
 * The `epochs` every trial of `space` trains: its fixed value, `whenAbsent` (the model's default) when the
 * space has no `epochs`, or undefined when the space samples it.
 */
export function fixedEpochs(space: SearchSpace, whenAbsent: number): number | undefined {
  const spec = space.params.find((p) => p.name === 'epochs');
  if (spec === undefined) return whenAbsent;
  return spec.dist.type === 'fixed' && spec.when === undefined && typeof spec.dist.value === 'number'
    ? spec.dist.value
    : undefined;
}

/**
 * Parses a `pruner` field; throws ConfigError with one line naming the field. For successive halving and
 * Hyperband, `budget.epochs` is what every trial trains (the space's fixed `epochs`; undefined for a
 * module objective or a sampled `epochs`): max_epochs defaults to it and must agree with it, so that a
 * trial that is never stopped completes at max_epochs and replays as recorded.
 */
export function parsePrunerConfig(
  input: unknown,
  path = 'pruner',
  budget?: { epochs: number | undefined; objective: 'mlp' | 'module' },
): PrunerConfig {
  const r = PrunerConfigSchema.safeParse(input);
  if (!r.success) throw new ConfigError(zodLine(r.error, { field: path, nameIsField: true }));
  const c = r.data;
  if (c.name === 'successive_halving' || c.name === 'hyperband') {
    const min = c.min_epochs ?? HALVING_DEFAULTS.min_epochs;
    if (budget?.objective === 'mlp') {
      if (budget.epochs === undefined) {
        throw new ConfigError(
          `${path}: ${c.name} needs a fixed 'epochs' in the space (every trial's full budget), but the space samples it`,
        );
      }
      if (c.max_epochs !== undefined && c.max_epochs !== budget.epochs) {
        throw new ConfigError(
          `${formatPath(path, ['max_epochs'])}: must equal the space's epochs (${budget.epochs}), every trial's full budget, but got ${c.max_epochs}; leave it out to use the space's`,
        );
      }
    } else if (budget?.objective === 'module' && c.max_epochs === undefined) {
      throw new ConfigError(
        `${formatPath(path, ['max_epochs'])}: required for ${c.name} with a module objective (the epochs a trial reports at most)`,
      );
    }
    const max = c.max_epochs ?? budget?.epochs;
    if (max !== undefined && min > max) {
      throw new ConfigError(
        `${path}: min_epochs <= max_epochs must hold, but got min_epochs=${min}, max_epochs=${max}`,
      );
    }
  }
  return c;
}

/** Builds a pruner from its config; `epochs` resolves max_epochs for successive halving and Hyperband. */
export function createPruner(config: unknown, budget: { epochs: number | undefined }): Pruner {
  const c = parsePrunerConfig(config);
  switch (c.name) {
    case 'none':
      return new NopPruner();
    case 'median': {
      const { name: _, ...options } = c;
      return new PercentilePruner({ ...options, percentile: 50 }, 'median');
    }
    case 'percentile': {
      const { name: _, ...options } = c;
      return new PercentilePruner(options);
    }
    case 'successive_halving':
    case 'hyperband': {
      const max = c.max_epochs ?? budget.epochs;
      if (max === undefined) throw new ConfigError(`pruner.max_epochs: required for ${c.name}`);
      const options: HalvingOptions = {
        min_epochs: c.min_epochs ?? HALVING_DEFAULTS.min_epochs,
        max_epochs: max,
        eta: c.eta ?? HALVING_DEFAULTS.eta,
      };
      if (options.min_epochs > max) {
        throw new ConfigError(
          `pruner: min_epochs <= max_epochs must hold, but got min_epochs=${options.min_epochs}, max_epochs=${max}`,
        );
      }
      return c.name === 'hyperband' ? new HyperbandPruner(options) : new SuccessiveHalvingPruner(options);
    }
    default:
      throw new Error(`unreachable: ${JSON.stringify(c satisfies never)}`);
  }
}
