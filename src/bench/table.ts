/**
 * Tabulated problems: a grid of MLP configurations on a dataset, each trained once, stored as JSON
 * (configuration → validation score). A strategy's suggestion is answered by looking up the
 * nearest grid point, so that strategies can be compared in seconds on a realistic landscape.
 */
import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { ConfigError, NotFoundError } from '../errors.js';
import { log } from '../math/index.js';
import type { Params } from '../space/types.js';
import { zodLine } from '../zod-line.js';

const ValueSchema = z.union([z.string(), z.number(), z.boolean()]);

export const TableSchema = z
  .object({
    format: z.literal('lockstep-table/1'),
    name: z.string(),
    /** How the table was rebuilt, bit for bit. */
    command: z.string(),
    dataset: z.object({ source: z.string(), hash: z.string(), rows: z.number() }),
    metric: z.string(),
    direction: z.enum(['minimize', 'maximize']),
    seed: z.number().int(),
    /** The grid: parameter → its values, in order. */
    grid: z.record(z.string(), z.array(ValueSchema).min(1)),
    /** Parameters every configuration shares. */
    fixed: z.record(z.string(), ValueSchema),
    /** One entry per grid point, in the grid's row-major order (last parameter fastest). */
    entries: z.array(
      z.object({
        params: z.record(z.string(), ValueSchema),
        score: z.number(),
        weightsHash: z.string(),
      }),
    ),
    environment: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export type Table = z.infer<typeof TableSchema>;

const cache = new Map<string, Table>();

/** Reads and checks a table file (cached per path). */
export function loadTable(path: string): Table {
  const hit = cache.get(path);
  if (hit) return hit;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(`table not found: ${path}`);
    throw new ConfigError(`${path}: not a valid table JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const r = TableSchema.safeParse(raw);
  if (!r.success) throw new ConfigError(zodLine(r.error, { where: path, unknownFields: true }));
  const t = r.data;
  const expected = Object.values(t.grid).reduce((n, vs) => n * vs.length, 1);
  if (t.entries.length !== expected) {
    throw new ConfigError(
      `${path}: entries: expected ${expected} (the grid's size), but got ${t.entries.length}`,
    );
  }
  cache.set(path, t);
  return t;
}

/** Parameter name that carries the table's path to the objective module. */
export const TABLE_PARAM = '__table';

/** The table's search space: each grid parameter as a categorical of its values, and the table's path as a fixed param. */
export function tableSpace(table: Table, path: string): Record<string, unknown> {
  const space: Record<string, unknown> = { [TABLE_PARAM]: { type: 'fixed', value: path } };
  for (const [k, values] of Object.entries(table.grid)) space[k] = { type: 'categorical', choices: values };
  return space;
}

/** Index of the value nearest to `v` among `values` (exact match for strings and booleans; log distance for positive numbers). */
function nearest(values: readonly (string | number | boolean)[], v: unknown, name: string): number {
  const exact = values.indexOf(v as string | number | boolean);
  if (exact >= 0) return exact;
  if (typeof v !== 'number' || !values.every((x) => typeof x === 'number')) {
    throw new ConfigError(
      `table: parameter ${name}: ${JSON.stringify(v)} is not a grid value (${values.map((x) => JSON.stringify(x)).join(', ')})`,
    );
  }
  const logScale = v > 0 && values.every((x) => (x as number) > 0);
  const d = (x: number) => (logScale ? Math.abs(log(x) - log(v)) : Math.abs(x - v));
  let best = 0;
  for (let i = 1; i < values.length; i++) if (d(values[i] as number) < d(values[best] as number)) best = i;
  return best;
}

/** The entry at the grid point nearest to `params` (a pure lookup). */
export function lookup(table: Table, params: Record<string, unknown>): Table['entries'][number] {
  let index = 0;
  for (const [k, values] of Object.entries(table.grid)) {
    index = index * values.length + nearest(values, params[k], k);
  }
  return table.entries[index]!;
}

/** The best score in the table: the problem's known optimum. */
export function tableOptimum(table: Table): number {
  const scores = table.entries.map((e) => e.score);
  return table.direction === 'maximize' ? Math.max(...scores) : Math.min(...scores);
}

/** Every grid point in row-major order (last parameter fastest). */
export function gridPoints(grid: Record<string, readonly (string | number | boolean)[]>): Params[] {
  let points: Params[] = [{}];
  for (const [k, values] of Object.entries(grid)) {
    const next: typeof points = [];
    for (const p of points) for (const v of values) next.push({ ...p, [k]: v });
    points = next;
  }
  return points;
}
