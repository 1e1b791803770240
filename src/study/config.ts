import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import * as z from 'zod';
import { ConfigError, NotFoundError } from '../errors.js';
import { canonicalJson } from '../ledger/canonical.js';
import { isPgUrl } from '../ledger/url.js';
import { fixedEpochs, parsePrunerConfig } from '../pruners/index.js';
import { parseSamplerConfig } from '../samplers/index.js';
import { parseSpace } from '../space/index.js';
import type { SearchSpace } from '../space/types.js';
import { MLP_DEFAULTS } from '../train/params.js';
import { zodLine } from '../zod-line.js';
import { enqueuedParams } from './enqueue.js';
import { studyObjectives } from './objectives.js';

const require = createRequire(import.meta.url);

const SplitSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('holdout'),
      train: z.number().gt(0).lt(1),
      validation: z.number().gt(0).lt(1),
      test: z.number().gt(0).lt(1),
    })
    .strict(),
  z
    .object({
      kind: z.literal('kfold'),
      k: z.number().int().min(2),
      fold: z.number().int().min(0),
      test: z.number().gt(0).lt(1),
    })
    .strict(),
]);

const SamplerSchema = z.union([z.string(), z.object({ name: z.string() }).loose()]);
const PrunerSchema = z.union([z.string(), z.object({ name: z.string() }).loose()]);

const ParamsSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

/** The study config as a user writes it (JSON or YAML). Defaults are filled in by parsing. */
export const StudyConfigSchema = z
  .object({
    name: z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
        'expected a name of letters, digits, ".", "_" or "-" (at most 64)',
      ),
    seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
    dataset: z.string().min(1).optional(),
    target: z.string().min(1).optional(),
    task: z.enum(['binary', 'multiclass', 'regression']).optional(),
    /** Declared column types; a value that does not fit is an error naming the row. Others are inferred. */
    columns: z.record(z.string(), z.enum(['numeric', 'categorical', 'boolean'])).optional(),
    /** Columns left out of the features. */
    exclude: z.array(z.string()).optional(),
    split: SplitSchema.default({ kind: 'holdout', train: 0.6, validation: 0.2, test: 0.2 }),
    metric: z.enum(['accuracy', 'log_loss', 'roc_auc', 'rmse', 'mae', 'r2']).optional(),
    direction: z.enum(['minimize', 'maximize']).optional(),
    objective: z
      .union([
        z.literal('mlp'),
        z.object({ module: z.string().min(1) }).strict(),
        // A function given through the API: its name and the SHA-256 of its source text (the study's identity).
        z.object({ function: z.string().min(1), sha256: z.string().regex(/^[0-9a-f]{64}$/) }).strict(),
      ])
      .default('mlp'),
    /**
     * Several objectives: each a metric or a model measure (param_count, size_bytes), with its direction
     * (a name alone takes the metric's own). The first is the study's score. See study/objectives.ts.
     */
    objectives: z
      .array(
        z.union([
          z.string().min(1),
          z
            .object({ name: z.string().min(1), direction: z.enum(['minimize', 'maximize']).optional() })
            .strict(),
        ]),
      )
      .min(1)
      .max(8)
      .optional(),
    /** Bounds a feasible trial keeps (Optuna's constraints_func: feasible when every value is <= 0). */
    constraints: z
      .array(
        z
          .object({ name: z.string().min(1), min: z.number().optional(), max: z.number().optional() })
          .strict()
          .refine((c) => c.min !== undefined || c.max !== undefined, 'expected min, max or both'),
      )
      .min(1)
      .max(16)
      .optional(),
    /**
     * The study accepts that its choices depend on the machine: required for `inference_ms` as an objective
     * or constraint (a timing: its values, and so the sampled trials and the digest, differ between machines).
     */
    machine_dependent: z.boolean().optional(),
    /** Parameter sets tried first, in order (Optuna's enqueue_trial): trial k takes the k-th. */
    enqueue: z.array(ParamsSchema).max(10_000).optional(),
    /**
     * Another study's ledger file (same space and dataset): its finished trials enter the history every
     * sampler sees, before this study's own. Recorded by reference: its path and its digest.
     */
    warm_start: z.string().min(1).optional(),
    space: z.unknown().default('mlp-default'),
    params: ParamsSchema.default({}),
    sampler: SamplerSchema.default('tpe'),
    pruner: PrunerSchema.default('none'),
    parallelism: z.number().int().min(0).max(1024).default(4),
    budget: z
      .object({
        trials: z.number().int().min(1).max(1_000_000).default(20),
        minutes: z.number().positive().optional(),
      })
      .strict()
      .default({ trials: 20 }),
    backend: z.enum(['wasm', 'cpu', 'tensorflow']).default('wasm'),
    refit: z.boolean().default(true),
    /** A trial running longer than this fails with cause 'environment' (retried); default none. */
    /** Where the ledger lives: a file path or a postgres:// URL (default `<out>/<name>/ledger.jsonl`). Not part of the study's identity. */
    ledger: z.string().min(1).optional(),
    trial_timeout_s: z
      .number()
      .positive()
      .max(7 * 24 * 3600)
      .optional(),
    /** Each worker thread's JS heap limit (MiB); a trial past it fails with cause 'environment'. */
    worker_memory_mb: z
      .number()
      .int()
      .min(16)
      .max(1 << 20)
      .optional(),
  })
  .strict();

export type StudyConfigInput = z.input<typeof StudyConfigSchema>;
export type StudyConfig = z.output<typeof StudyConfigSchema>;

/** Validates a config object; `where` names its origin in messages. */
export function parseStudyConfig(input: unknown, where = 'config'): StudyConfig {
  const r = StudyConfigSchema.safeParse(input);
  if (!r.success) throw new ConfigError(zodLine(r.error, { where, unknownFields: true }));
  const c = r.data;
  if (c.split.kind === 'holdout') {
    const sum = c.split.train + c.split.validation + c.split.test;
    if (Math.abs(sum - 1) > 1e-9) {
      throw new ConfigError(`${where}: split: train + validation + test must be 1, but got ${sum}`);
    }
  } else if (c.split.fold >= c.split.k) {
    throw new ConfigError(`${where}: split.fold: must be < k (${c.split.k}), but got ${c.split.fold}`);
  }
  try {
    const space = parseSpace(c.space, 'space');
    parseSamplerConfig(c.sampler, 'sampler');
    parsePrunerConfig(c.pruner, 'pruner', {
      epochs: c.objective === 'mlp' ? trialEpochs(space) : undefined,
      objective: c.objective === 'mlp' ? 'mlp' : 'module',
    });
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(`${where}: ${e.message}`);
    throw e;
  }
  try {
    if (c.enqueue !== undefined) enqueuedParams(parseSpace(c.space, 'space'), c.enqueue, where);
    studyObjectives(c, c.task);
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(e.message.replace(/^config:/, `${where}:`));
    throw e;
  }
  if (c.objective === 'mlp' && c.dataset === undefined) {
    throw new ConfigError(
      `${where}: dataset: required for the built-in MLP objective (a path, or builtin:<name>)`,
    );
  }
  return c;
}

const MAX_CONFIG_BYTES = 1 << 20;

/**
 * Reads and validates a JSON or YAML study config file.
 */
export function loadStudyConfig(path: string): {
  config: StudyConfig;
  path: string;
  resolved: ResolvedPaths;
} {
  const abs = resolve(path);
  let text: string;
  try {
    const st = statSync(abs);
    if (st.isDirectory())
      throw new ConfigError(`${path}: is a directory, expected a JSON or YAML config file`);
    // A device or a pipe (/dev/zero, a FIFO) has no size to check and may never end: refused.
    if (!st.isFile())
      throw new ConfigError(`${path}: is not a regular file, expected a JSON or YAML config file`);
    if (st.size > MAX_CONFIG_BYTES)
      throw new ConfigError(`${path}: config is ${st.size} bytes, more than 1 MiB`);
    text = readFileSync(abs, 'utf8');
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new NotFoundError(`config not found: ${path}`);
  }
  const raw = parseConfigText(text, path, /\.json$/i.test(abs) ? 'JSON' : 'YAML');
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(`${path}: expected a mapping of fields (name, dataset, space, …)`);
  }
  const config = parseStudyConfig(raw, path);
  return { config, path: abs, resolved: resolvePaths(config, dirname(abs), path) };
}

/**
 * Parses a config's text as JSON or YAML. A syntax error is one line that says where, as compilers and
 * editors write it: `<file>:<line>:<col>: not valid YAML: <message>` (the yaml package's errors carry
 * their position; V8's JSON errors say `at position N` for most mistakes and nothing for some, which
 * then keep the plain `<file>: not valid JSON: <message>`).
 */
function parseConfigText(text: string, path: string, format: 'JSON' | 'YAML'): unknown {
  // The YAML parser is loaded for a YAML config only (~50 ms of a search's start-up), and required: its Node
  // build is CommonJS, which an import would first lex for export names.
  const { parse: parseYaml, YAMLError } =
    format === 'YAML'
      ? (require('yaml') as typeof import('yaml'))
      : { parse: undefined, YAMLError: undefined };
  try {
    return format === 'JSON'
      ? JSON.parse(text)
      : parseYaml!(text, { maxAliasCount: 50, prettyErrors: true, logLevel: 'error' });
  } catch (e) {
    let message = e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e);
    let at: { line: number; col: number } | undefined;
    if (YAMLError !== undefined && e instanceof YAMLError && e.linePos !== undefined) {
      at = e.linePos[0];
      message = message.replace(/ at line \d+, column \d+:?$/, '');
    } else if (format === 'JSON' && e instanceof SyntaxError) {
      const position = /^Unexpected end of JSON input$/.test(message)
        ? text.length
        : Number(/ in JSON at position (\d+)/.exec(message)?.[1] ?? Number.NaN);
      if (Number.isInteger(position)) {
        at = lineAndColumn(text, position);
        message = message.replace(/ in JSON at position \d+.*$/, '');
      }
    }
    throw new ConfigError(`${path}${at ? `:${at.line}:${at.col}` : ''}: not valid ${format}: ${message}`);
  }
}

/** The 1-based line and column of a character offset into `text`. */
function lineAndColumn(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset).split(/\r\n|\n|\r/);
  return { line: before.length, col: (before.at(-1)?.length ?? 0) + 1 };
}

/**
 * Where a study's files are: a relative `dataset`, `objective.module` or `ledger` is taken from `base`
 * (the config's folder); a `postgres://` ledger is kept as written.
 */
export interface ResolvedPaths {
  dataset: string | undefined;
  module: string | undefined;
  ledger: string | undefined;
  warmStart: string | undefined;
}

/**
 * Resolves the config's relative paths against `base`. The config itself keeps them as written, so that
 * the study's identity does not depend on where the project is checked out.
 *
 * A relative path may not climb out of `base` (`../data.csv`), neither as written nor through a symbolic
 * link (`data.csv -> /etc/passwd`): a config names the files beside it or below it, so that copying a
 * project folder never makes a study read (and echo in an error) or write a file outside it. The same
 * rule holds for the three paths: the dataset and the module it reads, the ledger it writes. A file
 * elsewhere is named by an absolute path, which is taken as it is.
 */
export function resolvePaths(config: StudyConfig, base: string, where = 'config'): ResolvedPaths {
  const inside = (field: string, p: string): string => {
    if (isAbsolute(p)) return p;
    const abs = resolve(base, p);
    if (climbsOut(base, abs)) {
      throw new ConfigError(
        `${where}: ${field}: '${p}' climbs out of the config's folder (${base}); relative paths must stay inside it, give an absolute path for a file elsewhere`,
      );
    }
    const real = realPathOf(abs);
    if (climbsOut(realPathOf(base), real)) {
      throw new ConfigError(
        `${where}: ${field}: '${p}' leads out of the config's folder (${base}) through a symbolic link, to ${real}; relative paths must stay inside it, give an absolute path for a file elsewhere`,
      );
    }
    return abs;
  };
  const d = config.dataset;
  const dataset = d === undefined || d.startsWith('builtin:') ? d : inside('dataset', d);
  const module =
    typeof config.objective === 'object' && 'module' in config.objective
      ? inside('objective.module', config.objective.module)
      : undefined;
  const l = config.ledger;
  const ledger = l === undefined || isPgUrl(l) ? l : inside('ledger', l);
  const w = config.warm_start;
  const warmStart = w === undefined ? undefined : inside('warm_start', w);
  return { dataset, module, ledger, warmStart };
}

function climbsOut(base: string, abs: string): boolean {
  const rel = relative(base, abs);
  return rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel);
}

/** The real path of `abs` through every symbolic link, for as much of it as exists (a ledger may not yet). */
function realPathOf(abs: string): string {
  if (existsSync(abs)) {
    try {
      return realpathSync(abs);
    } catch {
      return abs; // unreadable: the loader says why
    }
  }
  const up = dirname(abs);
  return up === abs ? abs : join(realPathOf(up), basename(abs));
}

/**
 * The canonical form of a config: defaults filled in, keys sorted. The budget and the operational
 * limits (trial timeout, worker memory) are left out of the study's identity: they never change a
 * finished trial's numbers, so a study can be resumed with a larger budget or other limits.
 */
export function canonicalConfig(config: StudyConfig): Record<string, unknown> {
  const {
    budget: _budget,
    trial_timeout_s: _timeout,
    worker_memory_mb: _memory,
    ledger: _ledger,
    ...rest
  } = config;
  return JSON.parse(canonicalJson(rest)) as Record<string, unknown>;
}

export function configHash(config: StudyConfig): string {
  return createHash('sha256')
    .update(canonicalJson(canonicalConfig(config)))
    .digest('hex');
}

/**
 * A config given as a file or as a parsed object (with `base`, the folder its relative paths are taken
 * from), with the trial budget optionally overridden.
 */
export function configFrom(
  input: string | StudyConfig,
  options: { base?: string; trials?: number } = {},
): { config: StudyConfig; resolved: ResolvedPaths } {
  let { config, resolved } =
    typeof input === 'string'
      ? loadStudyConfig(input)
      : { config: input, resolved: resolvePaths(input, resolve(options.base ?? '.')) };
  if (options.trials !== undefined)
    config = { ...config, budget: { ...config.budget, trials: options.trials } };
  return { config, resolved };
}

/** The epochs every MLP trial of `space` trains, or undefined when the space samples them. */
export function trialEpochs(space: SearchSpace): number | undefined {
  return fixedEpochs(space, MLP_DEFAULTS.epochs);
}
