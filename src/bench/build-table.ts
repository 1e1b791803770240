/**
 * `lockstep bench build-table`: trains every configuration of a small grid once, deterministically,
 * and stores configuration → validation score as a table problem.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import * as z from 'zod';
import { ConfigError, NotFoundError } from '../errors.js';
import { packageRoot } from '../paths.js';
import { intSeedFor } from '../rng/index.js';
import { parseStudyConfig, resolvePaths } from '../study/config.js';
import { prepareStudyData, requireDataset } from '../study/data.js';
import { objectiveOf } from '../study/objective.js';
import { environment, initBackend } from '../train/backend.js';
import { trainMlp } from '../train/loop.js';
import { resolveMlpParams } from '../train/params.js';
import type { BackendName, MetricName } from '../train/types.js';
import { zodLine } from '../zod-line.js';
import { gridPoints, type Table, tableOptimum } from './table.js';

const Value = z.union([z.string(), z.number(), z.boolean()]);

/** A table spec: the dataset as in a study config, the grid, and the parameters every point shares. */
export const TableSpecSchema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'expected a name of letters, digits, ".", "_" or "-"'),
    dataset: z.string().min(1),
    target: z.string().min(1).optional(),
    task: z.enum(['binary', 'multiclass', 'regression']).optional(),
    seed: z.number().int().min(0).default(0),
    split: z.unknown().optional(),
    metric: z.enum(['accuracy', 'log_loss', 'roc_auc', 'rmse', 'mae', 'r2']).optional(),
    backend: z.enum(['wasm', 'cpu', 'tensorflow']).default('wasm'),
    fixed: z.record(z.string(), Value).default({}),
    grid: z
      .record(z.string(), z.array(Value).min(1, 'expected at least one value'))
      .refine((g) => Object.keys(g).length > 0, 'expected at least one parameter'),
  })
  .strict();

/** Trains every grid point of a spec (in row-major order) and returns the table. */
export async function buildTable(
  specInput: unknown,
  where: string,
  base: string,
  command: string,
  onProgress?: (done: number, total: number) => void,
): Promise<Table> {
  const r = TableSpecSchema.safeParse(specInput);
  if (!r.success) throw new ConfigError(zodLine(r.error, { where, unknownFields: true }));
  const spec = r.data;
  const points = gridPoints(spec.grid);
  if (points.length > 10_000)
    throw new ConfigError(`${where}: grid: ${points.length} points, more than 10000`);
  for (const k of Object.keys(spec.grid)) {
    if (k in spec.fixed) throw new ConfigError(`${where}: fixed.${k}: also in the grid`);
  }
  const config = parseStudyConfig(
    {
      name: spec.name,
      seed: spec.seed,
      dataset: spec.dataset,
      ...(spec.target === undefined ? {} : { target: spec.target }),
      ...(spec.task === undefined ? {} : { task: spec.task }),
      ...(spec.split === undefined ? {} : { split: spec.split }),
      ...(spec.metric === undefined ? {} : { metric: spec.metric }),
      backend: spec.backend,
    },
    where,
  );
  // Every point's parameters are checked before any training starts.
  const flat = points.map((p, i) => {
    try {
      return { params: { ...spec.fixed, ...p }, mlp: resolveMlpParams({ ...spec.fixed, ...p }) };
    } catch (e) {
      throw new ConfigError(
        `${where}: grid point ${i} ${JSON.stringify(p)}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  });
  await initBackend(spec.backend as BackendName);
  const sd = await prepareStudyData(config, requireDataset(resolvePaths(config, base).dataset));
  const { metric, direction } = objectiveOf(config, sd.schema.task);
  // One seed for every point: the grid's differences are the configurations', not the seeds'.
  const seed = intSeedFor(spec.seed, 'table');
  const entries: Table['entries'] = [];
  for (const [i, f] of flat.entries()) {
    const out = await trainMlp(sd.data, f.mlp, { seed, metric: metric as MetricName });
    entries.push({ params: points[i]!, score: out.score, weightsHash: out.weightsHash });
    onProgress?.(i + 1, flat.length);
  }
  const env = environment();
  return {
    format: 'lockstep-table/1',
    name: spec.name,
    command,
    dataset: { source: spec.dataset, hash: sd.hash, rows: sd.rows },
    metric,
    direction,
    seed: spec.seed,
    grid: spec.grid,
    fixed: spec.fixed,
    entries,
    environment: {
      lockstep: env.lockstep,
      tfjs: env.tfjs,
      backend: env.backend,
      backendVersion: env.backendVersion,
    },
  };
}

/** A path as the rebuild command should show it: relative to the package root when inside it. */
function shown(path: string): string {
  const rel = relative(packageRoot(), path);
  return rel.startsWith('..') || isAbsolute(rel) ? path : rel.split('\\').join('/');
}

/** Reads a spec file, builds its table and writes it (default: beside the spec, `<name>.json`). */
export async function buildTableFile(
  specPath: string,
  outPath?: string,
  onProgress?: (done: number, total: number) => void,
): Promise<{ path: string; table: Table; best: number }> {
  const abs = resolve(specPath);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch {
    throw new NotFoundError(`table spec not found: ${specPath}`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text, { maxAliasCount: 50, prettyErrors: false });
  } catch (e) {
    throw new ConfigError(
      `${specPath}: not valid YAML: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`,
    );
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(`${specPath}: expected a mapping of fields (name, dataset, grid, …)`);
  }
  const name = (raw as { name?: unknown }).name;
  const out = resolve(outPath ?? resolve(dirname(abs), `${typeof name === 'string' ? name : 'table'}.json`));
  const command = `lockstep bench build-table ${shown(abs)} --out ${shown(out)}`;
  const table = await buildTable(raw, specPath, dirname(abs), command, onProgress);
  writeFileSync(out, `${JSON.stringify(table, null, 1)}\n`);
  return { path: out, table, best: tableOptimum(table) };
}
