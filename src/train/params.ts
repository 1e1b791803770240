import { z } from 'zod';
import { ParamError } from '../errors.js';
import type { Activation, MlpParams, OptimizerName } from './types.js';

/** A flat trial parameter record, as a sampler produces it. */
export type FlatParams = Record<string, string | number | boolean>;

export const MAX_LAYERS = 8;

export const ACTIVATIONS = [
  'relu',
  'tanh',
  'elu',
  'sigmoid',
  'selu',
] as const satisfies readonly Activation[];
export const OPTIMIZERS = ['adam', 'sgd', 'rmsprop'] as const satisfies readonly OptimizerName[];

/** The defaults of every MLP parameter, in the user's (flat) names. */
export const MLP_DEFAULTS = {
  layers: 2,
  units: 64,
  activation: 'relu',
  dropout: 0,
  l2: 0,
  optimizer: 'adam',
  learning_rate: 0.001,
  momentum: 0,
  batch_size: 64,
  epochs: 20,
} as const;

// Numbers may arrive as numeric strings (from a CLI flag or a YAML grid); nothing else is coerced.
const numeric = (inner: z.ZodNumber) =>
  z.preprocess(
    (v) => (typeof v === 'string' && /^\s*[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?\s*$/i.test(v) ? Number(v) : v),
    inner,
  );

const intAtLeast1 = numeric(z.number().int().min(1));

interface Field {
  schema: z.ZodType;
  expected: string;
}

const FIELDS: Record<string, Field> = {
  layers: {
    schema: numeric(z.number().int().min(1).max(MAX_LAYERS)),
    expected: `an integer in [1, ${MAX_LAYERS}]`,
  },
  units: { schema: intAtLeast1, expected: 'an integer >= 1' },
  activation: { schema: z.enum(ACTIVATIONS), expected: `one of ${ACTIVATIONS.join(', ')}` },
  dropout: { schema: numeric(z.number().min(0).lt(1)), expected: 'a number in [0, 1)' },
  l2: { schema: numeric(z.number().min(0)), expected: 'a number >= 0' },
  optimizer: { schema: z.enum(OPTIMIZERS), expected: `one of ${OPTIMIZERS.join(', ')}` },
  learning_rate: { schema: numeric(z.number().gt(0)), expected: 'a number > 0' },
  momentum: { schema: numeric(z.number().min(0).lt(1)), expected: 'a number in [0, 1)' },
  batch_size: { schema: intAtLeast1, expected: 'an integer >= 1' },
  epochs: { schema: intAtLeast1, expected: 'an integer >= 1' },
};

const UNITS_K = /^units_(\d+)$/;

function render(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

function parseField<T>(key: string, field: Field, value: unknown): T {
  const r = field.schema.safeParse(value);
  if (!r.success) throw new ParamError(`params.${key}: expected ${field.expected}, got ${render(value)}`);
  return r.data as T;
}

/**
 * Turns a flat parameter record into MlpParams, filling defaults. `units` sets every hidden
 * layer's width; `units_k` (1-based) overrides layer k. `units_k` for k > layers (up to
 * MAX_LAYERS) is ignored, so that one flat space can serve every depth. Any other key is an error.
 *
 * @throws ParamError naming the field, what was expected and what was given.
 */
export function resolveMlpParams(flat: FlatParams): MlpParams {
  const values: Record<string, unknown> = {};
  const perLayer = new Map<number, number>();
  for (const key of Object.keys(flat).sort()) {
    const value = flat[key];
    const field = FIELDS[key];
    if (field !== undefined) {
      values[key] = parseField(key, field, value);
      continue;
    }
    const m = UNITS_K.exec(key);
    const k = m ? Number(m[1]) : Number.NaN;
    if (m && k >= 1 && k <= MAX_LAYERS) {
      perLayer.set(k, parseField<number>(key, { schema: intAtLeast1, expected: 'an integer >= 1' }, value));
      continue;
    }
    const known = [...Object.keys(FIELDS), `units_1..units_${MAX_LAYERS}`].join(', ');
    throw new ParamError(`params.${key}: unknown parameter; expected one of ${known}`);
  }
  const get = <K extends keyof typeof MLP_DEFAULTS>(k: K) =>
    (values[k] ?? MLP_DEFAULTS[k]) as (typeof MLP_DEFAULTS)[K];
  const layers = get('layers') as number;
  const units: number[] = [];
  for (let k = 1; k <= layers; k++) units.push(perLayer.get(k) ?? (get('units') as number));
  return {
    layers,
    units,
    activation: get('activation') as Activation,
    dropout: get('dropout') as number,
    l2: get('l2') as number,
    optimizer: get('optimizer') as OptimizerName,
    learningRate: get('learning_rate') as number,
    momentum: get('momentum') as number,
    batchSize: get('batch_size') as number,
    epochs: get('epochs') as number,
  };
}
