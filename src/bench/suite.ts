import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import * as z from 'zod';
import { ConfigError, LockstepError, NotFoundError } from '../errors.js';
import { parseSamplerConfig } from '../samplers/index.js';
import { zodLine } from '../zod-line.js';
import { isFunctionName, testFunction } from './functions.js';

const NamedSchema = z.union([z.string().min(1), z.object({ name: z.string().min(1) }).loose()]);

/** A suite file as a user writes it. */
export const SuiteSchema = z
  .object({
    name: z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
        'expected a name of letters, digits, ".", "_" or "-" (at most 64)',
      ),
    /** Root seed of the suite; run k of every strategy uses the study seed derived from (seed, k). */
    seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
    problems: z.array(NamedSchema).min(1, 'expected at least one problem'),
    strategies: z.array(NamedSchema).min(1, 'expected at least one strategy'),
    seeds: z.number().int().min(1, 'expected a count >= 1').max(10_000),
    trials: z.number().int().min(1, 'expected a budget >= 1').max(100_000),
    budgets: z.array(z.number().int().min(1)).optional(),
  })
  .strict();

export type SuiteInput = z.input<typeof SuiteSchema>;

export type ProblemSpec =
  | { kind: 'function'; label: string; name: string; dims: number }
  | { kind: 'table'; label: string; path: string }
  | {
      kind: 'mlp';
      label: string;
      dataset: string;
      target?: string;
      task?: string;
      metric?: string;
      epochs: number;
      space?: unknown;
      backend?: string;
    };

export interface StrategySpec {
  label: string;
  /** The study config's `sampler` field. */
  sampler: Record<string, unknown> & { name: string };
}

export interface Suite {
  name: string;
  /** The suite file (absolute), or '<inline>'. */
  file: string;
  seed: number;
  problems: ProblemSpec[];
  strategies: StrategySpec[];
  seeds: number;
  trials: number;
  /** Sorted, each ≤ trials, the last one = trials. */
  budgets: number[];
}

const LABEL = /^[A-Za-z0-9][A-Za-z0-9_-]{0,23}$/;

function sanitise(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '');
}

function defaultStrategyLabel(name: string, options: Record<string, unknown>): string {
  const parts = [name];
  for (const k of Object.keys(options).sort()) {
    const v = options[k];
    parts.push(v === true ? k : `${k}-${String(v)}`);
  }
  return sanitise(parts.join('-'));
}

function problemSpec(entry: unknown, where: string, base: string): ProblemSpec {
  const obj = typeof entry === 'string' ? { name: entry } : (entry as Record<string, unknown>);
  const { name, label, ...options } = obj as { name: string; label?: unknown } & Record<string, unknown>;
  if (label !== undefined && (typeof label !== 'string' || !LABEL.test(label))) {
    throw new ConfigError(
      `${where}.label: expected letters, digits, '_' or '-' (at most 24), but got ${JSON.stringify(label)}`,
    );
  }
  const known = (keys: string[]) => {
    for (const k of Object.keys(options)) {
      if (!keys.includes(k)) {
        throw new ConfigError(
          `${where}: unknown option '${k}' for problem '${name}' (known: ${['name', 'label', ...keys].join(', ')})`,
        );
      }
    }
  };
  if (name === 'table') {
    known(['path']);
    if (typeof options.path !== 'string' || options.path === '') {
      throw new ConfigError(
        `${where}.path: a table problem needs the path of its table (a JSON file from 'lockstep bench build-table')`,
      );
    }
    const path = resolve(base, options.path);
    const stem = sanitise(options.path.replace(/^.*[\\/]/, '').replace(/\.json$/i, ''));
    return {
      kind: 'table',
      label: (label as string | undefined) ?? sanitise(`table-${stem}`).slice(0, 24),
      path,
    };
  }
  if (name === 'mlp') {
    known(['dataset', 'target', 'task', 'metric', 'epochs', 'space', 'backend']);
    if (typeof options.dataset !== 'string' || options.dataset === '') {
      throw new ConfigError(`${where}.dataset: an mlp problem needs a dataset (a path, or builtin:<name>)`);
    }
    const epochs = options.epochs ?? 10;
    if (typeof epochs !== 'number' || !Number.isInteger(epochs) || epochs < 1) {
      throw new ConfigError(`${where}.epochs: expected an integer >= 1, but got ${JSON.stringify(epochs)}`);
    }
    const dataset = options.dataset.startsWith('builtin:') ? options.dataset : resolve(base, options.dataset);
    const stem = sanitise(
      options.dataset
        .replace(/^builtin:/, '')
        .replace(/^.*[\\/]/, '')
        .replace(/\.[a-z]+$/i, ''),
    );
    const spec: ProblemSpec = {
      kind: 'mlp',
      label: (label as string | undefined) ?? `mlp-${stem}`.slice(0, 24),
      dataset,
      epochs,
    };
    for (const k of ['target', 'task', 'metric', 'backend'] as const) {
      const v = options[k];
      if (v !== undefined) {
        if (typeof v !== 'string')
          throw new ConfigError(`${where}.${k}: expected a string, but got ${JSON.stringify(v)}`);
        spec[k] = v;
      }
    }
    if (options.space !== undefined) spec.space = options.space;
    return spec;
  }
  if (!isFunctionName(name)) {
    throw new ConfigError(
      `${where}: unknown problem '${name}' (known: branin, hartmann6, rosenbrock[d], ackley[d], levy[d], table, mlp)`,
    );
  }
  known(['dims']);
  if (options.dims !== undefined && (typeof options.dims !== 'number' || !Number.isInteger(options.dims))) {
    throw new ConfigError(`${where}.dims: expected an integer, but got ${JSON.stringify(options.dims)}`);
  }
  let fn: ReturnType<typeof testFunction>;
  try {
    fn = testFunction(name, options.dims as number | undefined);
  } catch (e) {
    throw new ConfigError(`${where}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return { kind: 'function', label: (label as string | undefined) ?? fn.label, name: fn.name, dims: fn.dims };
}

function strategySpec(entry: unknown, where: string): StrategySpec {
  const obj = typeof entry === 'string' ? { name: entry } : (entry as Record<string, unknown>);
  const { label, ...sampler } = obj as { label?: unknown; name: string } & Record<string, unknown>;
  if (label !== undefined && (typeof label !== 'string' || !LABEL.test(label))) {
    throw new ConfigError(
      `${where}.label: expected letters, digits, '_' or '-' (at most 24), but got ${JSON.stringify(label)}`,
    );
  }
  try {
    parseSamplerConfig(sampler, where);
  } catch (e) {
    if (e instanceof LockstepError)
      throw new ConfigError(e.message.replace(`${where}: unknown sampler`, `${where}: unknown strategy`));
    throw e;
  }
  const { name, ...options } = sampler;
  const l = (label as string | undefined) ?? defaultStrategyLabel(name, options).slice(0, 24);
  return { label: l, sampler: sampler as StrategySpec['sampler'] };
}

/** Validates a suite object; `where` names its origin (the file) in messages, `base` resolves relative paths. */
export function parseSuite(input: unknown, where = 'suite', base = '.'): Suite {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new ConfigError(
      `${where}: expected a mapping of fields (name, problems, strategies, seeds, trials)`,
    );
  }
  const r = SuiteSchema.safeParse(input);
  if (!r.success) throw new ConfigError(zodLine(r.error, { where, unknownFields: true }));
  const s = r.data;
  const problems = s.problems.map((p, i) => problemSpec(p, `${where}: problems[${i}]`, base));
  const strategies = s.strategies.map((p, i) => strategySpec(p, `${where}: strategies[${i}]`));
  const dup = <T extends { label: string }>(xs: T[], field: string) => {
    const seen = new Map<string, number>();
    xs.forEach((x, i) => {
      const j = seen.get(x.label);
      if (j !== undefined) {
        throw new ConfigError(
          `${where}: ${field}[${i}]: label '${x.label}' is also ${field}[${j}]'s; give one a 'label'`,
        );
      }
      seen.set(x.label, i);
    });
  };
  dup(problems, 'problems');
  dup(strategies, 'strategies');
  const budgets = [...new Set([...(s.budgets ?? []), s.trials])].sort((a, b) => a - b);
  const over = budgets.find((b) => b > s.trials);
  if (over !== undefined)
    throw new ConfigError(`${where}: budgets: ${over} is more than trials (${s.trials})`);
  return {
    name: s.name,
    file: where,
    seed: s.seed,
    problems,
    strategies,
    seeds: s.seeds,
    trials: s.trials,
    budgets,
  };
}

const MAX_SUITE_BYTES = 1 << 20;

/** Reads and validates a suite YAML (or JSON) file. Errors are one line naming the file and the field. */
export function loadSuite(path: string): Suite {
  const abs = resolve(path);
  let text: string;
  try {
    const st = statSync(abs);
    if (st.isDirectory()) throw new ConfigError(`${path}: is a directory, expected a suite YAML file`);
    if (st.size > MAX_SUITE_BYTES)
      throw new ConfigError(`${path}: suite is ${st.size} bytes, more than 1 MiB`);
    text = readFileSync(abs, 'utf8');
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new NotFoundError(`suite not found: ${path}`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text, { maxAliasCount: 50, prettyErrors: false });
  } catch (e) {
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new ConfigError(`${path}: not valid YAML: ${msg}`);
  }
  const suite = parseSuite(raw, path, dirname(abs));
  return { ...suite, file: abs };
}
