import * as z from 'zod';
import { ConfigError } from '../errors.js';
import { zodLine } from '../zod-line.js';
import type { Condition, Distribution, ParamSpec, ParamValue, SearchSpace } from './types.js';

/**
 * The `space` field of a study config: the preset name `'mlp-default'`, or a record
 * name → spec. Shorthands: a bare number / string / boolean is a fixed value, an array is a
 * categorical. Every invariant is checked here, and each message says the invariant and the
 * value received: `space.lr: low <= high must hold, but got low=1, high=0.1`.
 */

export const PRESET_NAMES = ['mlp-default'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

/** Renders a received value for a message: strings quoted, the rest as JSON. */
export function show(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (v === undefined) return 'undefined';
  if (typeof v === 'number') return String(v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `the string ${show(v)}`;
  if (typeof v === 'number') return `the number ${v}`;
  return `${typeof v} ${String(v)}`;
}

const ParamValueSchema = z.union([z.string(), z.number(), z.boolean()], {
  error: (iss) => `expected a string, number or boolean, but got ${kindOf(iss.input)}`,
});

const RangeSchema = z.strictObject(
  {
    gte: z.number().optional(),
    lte: z.number().optional(),
    gt: z.number().optional(),
    lt: z.number().optional(),
  },
  {
    error: (iss) =>
      iss.code === 'unrecognized_keys'
        ? `unknown range key(s) ${iss.keys.map(show).join(', ')} (known: gte, lte, gt, lt)`
        : undefined,
  },
);

const ConditionValueSchema = z.union([ParamValueSchema, z.array(ParamValueSchema), RangeSchema], {
  error: (iss) =>
    `expected a value, a list of values, or a range { gte, lte, gt, lt }, but got ${kindOf(iss.input)}`,
});

const ConditionSchema = z.record(z.string(), ConditionValueSchema, {
  error: (iss) =>
    iss.code === 'invalid_type'
      ? `expected a record parent → value, but got ${kindOf(iss.input)}`
      : undefined,
});

const finite = (name: string) =>
  z
    .number({ error: (iss) => `${name} must be a finite number, but got ${kindOf(iss.input)}` })
    .refine(Number.isFinite, {
      error: (iss) => `${name} must be a finite number, but got ${show(iss.input)}`,
    });

const strict = <S extends z.ZodRawShape>(shape: S) =>
  z.strictObject(shape, {
    error: (iss) =>
      iss.code === 'unrecognized_keys'
        ? `unknown key(s) ${iss.keys.map(show).join(', ')} (known: ${Object.keys(shape).join(', ')})`
        : iss.code === 'invalid_type'
          ? `expected a parameter spec, but got ${kindOf(iss.input)}`
          : undefined,
  });

const numericShape = {
  low: finite('low'),
  high: finite('high'),
  log: z.boolean().optional(),
  step: finite('step').optional(),
  when: ConditionSchema.optional(),
};

const FloatSpecSchema = strict({ type: z.literal('float'), ...numericShape });
const IntSpecSchema = strict({ type: z.literal('int'), ...numericShape });
const CategoricalSpecSchema = strict({
  type: z.literal('categorical'),
  choices: z.array(ParamValueSchema),
  when: ConditionSchema.optional(),
});
const FixedSpecSchema = strict({
  type: z.literal('fixed'),
  value: ParamValueSchema,
  when: ConditionSchema.optional(),
});

const SPEC_TYPES = ['float', 'int', 'categorical', 'fixed'];

/** One parameter's spec in its long form (shorthands are expanded before this). */
export const ParamSpecInputSchema = z.preprocess(
  (v) => {
    if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean')
      return { type: 'fixed', value: v };
    if (Array.isArray(v)) return { type: 'categorical', choices: v };
    return v;
  },
  z.discriminatedUnion('type', [FloatSpecSchema, IntSpecSchema, CategoricalSpecSchema, FixedSpecSchema], {
    error: (iss) => {
      const input = iss.input as Record<string, unknown> | null | undefined;
      if (input === null || typeof input !== 'object') {
        return `expected a parameter spec (an object with a type, a value, or a list of choices), but got ${kindOf(input)}`;
      }
      return `expected one of ${SPEC_TYPES.join(', ')}, but got ${show(input.type)}`;
    },
  }),
);
export type ParamSpecInput = z.output<typeof ParamSpecInputSchema>;

/** Describes every invariant that a space must hold; returns the first broken one per parameter. */
function checkSpace(record: Record<string, ParamSpecInput>, ctx: z.RefinementCtx): void {
  const add = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  const names = Object.keys(record);
  if (names.length === 0) {
    add([], 'at least one parameter is needed, but got none');
    return;
  }
  for (const name of names) {
    const spec = record[name]!;
    if (name.length === 0) add([name], 'parameter names must not be empty');
    const problem = checkDistribution(spec);
    if (problem !== undefined) add([name], problem);
    if (spec.when !== undefined) {
      for (const [parent, cond] of Object.entries(spec.when)) {
        const p = record[parent];
        if (p === undefined) {
          add([name, 'when'], `unknown parameter '${parent}'`);
          continue;
        }
        if (parent === name) {
          add([name, 'when'], `a parameter cannot depend on itself, but got '${name}'`);
          continue;
        }
        const condProblem = checkCondition(parent, p, cond);
        if (condProblem !== undefined) add([name, 'when', parent], condProblem);
      }
    }
  }
  const cycle = findCycle(record);
  if (cycle !== undefined) add([], `conditions must not form a cycle, but got ${cycle.join(' -> ')}`);
}

function checkDistribution(spec: ParamSpecInput): string | undefined {
  switch (spec.type) {
    case 'float':
    case 'int': {
      const { low, high, log, step } = spec;
      if (spec.type === 'int' && (!Number.isInteger(low) || !Number.isInteger(high))) {
        return `int bounds must be integers, but got low=${low}, high=${high}`;
      }
      if (!(low <= high)) return `low <= high must hold, but got low=${low}, high=${high}`;
      if (log === true && !(low > 0)) return `log needs low > 0, but got low=${low}`;
      if (step !== undefined) {
        if (!(step > 0)) return `step > 0 must hold, but got step=${step}`;
        if (spec.type === 'int' && !Number.isInteger(step))
          return `int step must be an integer, but got step=${step}`;
        if (log === true && !(spec.type === 'int' && step === 1)) {
          return `log and step cannot be used together (except step=1 for int), but got step=${step}`;
        }
        const k = (high - low) / step;
        const ok =
          spec.type === 'int' ? Number.isInteger(k) : Math.abs(k - Math.round(k)) <= 1e-9 * Math.max(1, k);
        if (!ok)
          return `(high - low) must be a multiple of step, but got low=${low}, high=${high}, step=${step}`;
      }
      return undefined;
    }
    case 'categorical': {
      if (spec.choices.length === 0) return 'choices must not be empty, but got []';
      const seen = new Set<ParamValue>();
      for (const c of spec.choices) {
        if (typeof c === 'number' && !Number.isFinite(c)) return `choices must be finite, but got ${c}`;
        if (seen.has(c)) return `choices must not contain duplicates, but got ${show(c)} twice`;
        seen.add(c);
      }
      return undefined;
    }
    case 'fixed':
      if (typeof spec.value === 'number' && !Number.isFinite(spec.value)) {
        return `value must be finite, but got ${spec.value}`;
      }
      return undefined;
    default:
      return assertNever(spec);
  }
}

function checkCondition(parent: string, p: ParamSpecInput, cond: Condition[string]): string | undefined {
  if (cond !== null && typeof cond === 'object' && !Array.isArray(cond)) {
    const keys = Object.keys(cond);
    if (keys.length === 0) return 'a range needs at least one of gte, lte, gt, lt, but got {}';
    if (
      p.type === 'categorical'
        ? !p.choices.every((c) => typeof c === 'number')
        : p.type !== 'float' && p.type !== 'int'
    ) {
      return `a range needs a numeric parent, but '${parent}' is ${p.type === 'fixed' ? 'fixed' : 'not numeric'}`;
    }
    return undefined;
  }
  const values = Array.isArray(cond) ? cond : [cond];
  if (values.length === 0) return 'a list of values must not be empty, but got []';
  const possible = possibleValues(p);
  if (possible !== undefined) {
    for (const v of values) {
      if (!possible.includes(v)) {
        return `${show(v)} is not a possible value of '${parent}' (possible: ${possible.map(show).join(', ')})`;
      }
    }
  }
  return undefined;
}

/** The values a categorical or fixed parameter can take; undefined for numeric ranges. */
function possibleValues(p: ParamSpecInput): ParamValue[] | undefined {
  if (p.type === 'categorical') return p.choices;
  if (p.type === 'fixed') return [p.value];
  return undefined;
}

function findCycle(record: Record<string, ParamSpecInput>): string[] | undefined {
  const state = new Map<string, 1 | 2>(); // 1: on the stack, 2: done
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    const s = state.get(name);
    if (s === 2) return undefined;
    if (s === 1) return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, 1);
    stack.push(name);
    const parents = Object.keys(record[name]?.when ?? {})
      .filter((p) => p in record && p !== name)
      .sort();
    for (const p of parents) {
      const c = visit(p);
      if (c !== undefined) return c;
    }
    stack.pop();
    state.set(name, 2);
    return undefined;
  };
  for (const name of Object.keys(record).sort()) {
    const c = visit(name);
    if (c !== undefined) return c.reverse(); // parent -> child order
  }
  return undefined;
}

function assertNever(x: never): never {
  throw new Error(`unexpected value ${JSON.stringify(x)}`);
}

/** The record form of a space, shorthands expanded and every invariant checked. */
export const SpaceRecordSchema = z
  .record(z.string(), ParamSpecInputSchema, {
    error: (iss) =>
      iss.code === 'invalid_type'
        ? `expected ${PRESET_NAMES.map(show).join(' or ')} or a record of parameters, but got ${kindOf(iss.input)}`
        : undefined,
  })
  .superRefine(checkSpace);

/**
 * The study config's `space` field. A preset name is expanded to its record form, so that the
 * canonical config (and its hash) names the space it actually searched.
 */
export const SpaceInputSchema = z.preprocess(
  (v) =>
    typeof v === 'string' && (PRESET_NAMES as readonly string[]).includes(v)
      ? presetRecord(v as PresetName)
      : v,
  SpaceRecordSchema,
);
export type SpaceInput = z.output<typeof SpaceInputSchema>;

/** The same field, parsed all the way to a SearchSpace. */
export const SpaceSchema = SpaceInputSchema.transform((record) => spaceFromRecord(record));

/** Builds a SearchSpace from a checked record: parents before children, ties by name. */
export function spaceFromRecord(record: SpaceInput): SearchSpace {
  const specs = new Map<string, ParamSpec>();
  for (const [name, s] of Object.entries(record)) {
    let dist: Distribution;
    switch (s.type) {
      case 'float':
      case 'int': {
        const d: Distribution & { type: 'float' | 'int' } = { type: s.type, low: s.low, high: s.high };
        if (s.log === true) d.log = true;
        if (s.step !== undefined && !(s.log === true)) d.step = s.step;
        dist = d;
        break;
      }
      case 'categorical':
        dist = { type: 'categorical', choices: [...s.choices] };
        break;
      case 'fixed':
        dist = { type: 'fixed', value: s.value };
        break;
      default:
        assertNever(s);
    }
    const spec: ParamSpec = { name, dist };
    if (s.when !== undefined && Object.keys(s.when).length > 0) spec.when = sortKeys(s.when) as Condition;
    specs.set(name, spec);
  }
  return { params: topologicalOrder(specs) };
}

function sortKeys<T extends Record<string, unknown>>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o).sort()) out[k] = o[k];
  return out as T;
}

/** Kahn's algorithm; among the parameters whose parents are placed, the smallest name goes first. */
function topologicalOrder(specs: Map<string, ParamSpec>): ParamSpec[] {
  const placed = new Set<string>();
  const out: ParamSpec[] = [];
  const names = [...specs.keys()].sort();
  while (out.length < names.length) {
    const next = names.find(
      (n) => !placed.has(n) && Object.keys(specs.get(n)!.when ?? {}).every((p) => placed.has(p)),
    );
    if (next === undefined) throw new ConfigError('space: conditions must not form a cycle');
    placed.add(next);
    out.push(specs.get(next)!);
  }
  return out;
}

/**
 * Parses and checks a `space` field. Throws ConfigError with one line naming the field:
 * `space.lr: log needs low > 0, but got low=0`.
 */
export function parseSpace(input: unknown, path = 'space'): SearchSpace {
  const r = SpaceInputSchema.safeParse(input);
  if (!r.success) throw new ConfigError(zodLine(r.error, { field: path }));
  return spaceFromRecord(r.data);
}

function presetRecord(name: PresetName): Record<string, unknown> {
  switch (name) {
    case 'mlp-default':
      return {
        layers: { type: 'int', low: 1, high: 3 },
        units_1: { type: 'int', low: 16, high: 256, log: true },
        units_2: { type: 'int', low: 16, high: 256, log: true, when: { layers: { gte: 2 } } },
        units_3: { type: 'int', low: 16, high: 256, log: true, when: { layers: { gte: 3 } } },
        activation: { type: 'categorical', choices: ['relu', 'tanh', 'elu'] },
        dropout: { type: 'float', low: 0, high: 0.5 },
        optimizer: { type: 'categorical', choices: ['adam', 'sgd'] },
        learning_rate: { type: 'float', low: 1e-4, high: 1e-1, log: true },
        momentum: { type: 'float', low: 0, high: 0.99, when: { optimizer: 'sgd' } },
        batch_size: { type: 'categorical', choices: [32, 64, 128, 256] },
        l2: { type: 'float', low: 1e-7, high: 1e-2, log: true },
        epochs: { type: 'fixed', value: 30 },
      };
    default:
      return assertNever(name);
  }
}

/** The `mlp-default` preset: a small MLP search over depth, width, regularisation and optimiser. */
export function mlpDefaultSpace(): SearchSpace {
  return parseSpace('mlp-default');
}
