import { ParamError } from '../errors.js';
import type { Params } from '../space/types.js';
import type { Activation, InitName, MlpParams, OptimizerName } from './types.js';

/** A flat trial parameter record, as a sampler produces it: the space's Params (the name the trainer's tests use). */
export type FlatParams = Params;

export const MAX_LAYERS = 8;

/**
 * The most epochs a trial may train: beyond, a trial is more likely a typo (1e7) than a plan, and its progress
 * records, sampled (ledger/progress.ts), would still take hours to reach its end.
 */
export const MAX_EPOCHS = 100_000;

/**
 * An integer with commas between thousands ('100,000'), as toLocaleString('en-US') writes it, without Intl: this
 * module loads in every worker thread, and the first toLocaleString call there set up ICU (~15 ms per thread).
 */
function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export const ACTIVATIONS = [
  'relu',
  'tanh',
  'elu',
  'sigmoid',
  'selu',
] as const satisfies readonly Activation[];
export const OPTIMIZERS = ['adam', 'sgd', 'rmsprop'] as const satisfies readonly OptimizerName[];
export const INITS = ['torch', 'he'] as const satisfies readonly InitName[];

/** The defaults of every MLP parameter, in the user's (flat) names. */
export const MLP_DEFAULTS = {
  layers: 2,
  units: 64,
  activation: 'relu',
  dropout: 0,
  l2: 0,
  optimizer: 'adam',
  init: 'torch',
  learning_rate: 0.001,
  momentum: 0,
  batch_size: 64,
  epochs: 20,
} as const;

// Numbers may arrive as numeric strings (from a CLI flag or a YAML grid); nothing else is coerced.
// Checked by hand rather than with zod: this module runs in every worker thread, and loading zod there cost
// ~55 ms per thread at start.
const NUMERIC_STRING = /^\s*[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?\s*$/i;

interface NumberRule {
  int?: boolean;
  min?: number;
  max?: number;
  /** Exclusive bounds. */
  gt?: number;
  lt?: number;
}

/** The value when it passes, else undefined. */
type Check = (value: unknown) => unknown;

function numeric(rule: NumberRule): Check {
  return (v) => {
    const x = typeof v === 'string' && NUMERIC_STRING.test(v) ? Number(v) : v;
    if (typeof x !== 'number' || !Number.isFinite(x)) return undefined;
    if (rule.int && !Number.isSafeInteger(x)) return undefined;
    if (rule.min !== undefined && x < rule.min) return undefined;
    if (rule.max !== undefined && x > rule.max) return undefined;
    if (rule.gt !== undefined && !(x > rule.gt)) return undefined;
    if (rule.lt !== undefined && !(x < rule.lt)) return undefined;
    return x;
  };
}

function oneOf(values: readonly string[]): Check {
  return (v) => (typeof v === 'string' && values.includes(v) ? v : undefined);
}

const intAtLeast1 = numeric({ int: true, min: 1 });

interface Field {
  check: Check;
  expected: string;
}

const FIELDS: Record<string, Field> = {
  layers: {
    check: numeric({ int: true, min: 1, max: MAX_LAYERS }),
    expected: `an integer in [1, ${MAX_LAYERS}]`,
  },
  units: { check: intAtLeast1, expected: 'an integer >= 1' },
  activation: { check: oneOf(ACTIVATIONS), expected: `one of ${ACTIVATIONS.join(', ')}` },
  dropout: { check: numeric({ min: 0, lt: 1 }), expected: 'a number in [0, 1)' },
  l2: { check: numeric({ min: 0 }), expected: 'a number >= 0' },
  optimizer: { check: oneOf(OPTIMIZERS), expected: `one of ${OPTIMIZERS.join(', ')}` },
  init: { check: oneOf(INITS), expected: `one of ${INITS.join(', ')}` },
  learning_rate: { check: numeric({ gt: 0 }), expected: 'a number > 0' },
  momentum: { check: numeric({ min: 0, lt: 1 }), expected: 'a number in [0, 1)' },
  batch_size: { check: intAtLeast1, expected: 'an integer >= 1' },
  epochs: {
    check: numeric({ int: true, min: 1, max: MAX_EPOCHS }),
    expected: `an integer in [1, ${thousands(MAX_EPOCHS)}]`,
  },
};

const UNITS_K = /^units_(\d+)$/;

function render(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

function parseField<T>(key: string, field: Field, value: unknown): T {
  const v = field.check(value);
  if (v === undefined)
    throw new ParamError(`params.${key}: expected ${field.expected}, got ${render(value)}`);
  return v as T;
}

/**
 * Turns a flat parameter record into MlpParams, filling defaults. `units` sets every hidden
 * layer's width; `units_k` (1-based) overrides layer k. `units_k` for k > layers (up to
 * MAX_LAYERS) is ignored, so that one flat space can serve every depth. Any other key is an error.
 *
 * @throws ParamError naming the field, what was expected and what was given.
 */
export function resolveMlpParams(flat: Params): MlpParams {
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
      perLayer.set(k, parseField<number>(key, { check: intAtLeast1, expected: 'an integer >= 1' }, value));
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
    init: get('init') as InitName,
    learningRate: get('learning_rate') as number,
    momentum: get('momentum') as number,
    batchSize: get('batch_size') as number,
    epochs: get('epochs') as number,
  };
}
