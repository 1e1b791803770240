import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { DataError, NotFoundError } from '../errors.js';
import { packageRoot } from '../paths.js';
import { zodLine } from '../zod-line.js';

/** One built-in dataset: a file shipped with lockstep, its expected hash and its learning problem. */
export const BuiltinEntrySchema = z.strictObject({
  description: z.string(),
  /** Path inside the registry's folder. */
  file: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  target: z.string(),
  task: z.enum(['binary', 'multiclass', 'regression']),
  /** Columns that are not features (identifiers, dates). */
  exclude: z.array(z.string()),
  /** Extra markers of a missing value, beyond the standard ones. */
  na: z.array(z.string()),
});

export const RegistrySchema = z.strictObject({
  version: z.literal(1),
  /** The folder of lockstep's package that holds the files (copied from vega-datasets: datasets/data/SOURCES.json). */
  folder: z.string(),
  datasets: z.record(z.string(), BuiltinEntrySchema),
});

export type BuiltinEntry = z.infer<typeof BuiltinEntrySchema>;
export type Registry = z.infer<typeof RegistrySchema>;

export interface ResolvedBuiltin {
  name: string;
  /** Absolute path of the data file. */
  path: string;
  entry: BuiltinEntry;
}

export const BUILTIN_PREFIX = 'builtin:';

let cached: Registry | undefined;

/** The checked-in registry, datasets/registry.json. */
export function loadRegistry(): Registry {
  if (cached !== undefined) return cached;
  const file = join(packageRoot(), 'datasets', 'registry.json');
  if (!existsSync(file)) throw new NotFoundError(`dataset registry not found: ${file}`);
  const parsed = RegistrySchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new DataError(zodLine(parsed.error, { where: file, emptyPath: '' }));
  cached = parsed.data;
  return cached;
}

/** Names of the built-in datasets, sorted. */
export function builtinNames(): string[] {
  return Object.keys(loadRegistry().datasets).sort(compareStrings);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `builtin:<name>` or `<name>` → the file path and its registry entry. Unknown name → NotFoundError. */
export function resolveBuiltin(source: string): ResolvedBuiltin {
  const name = source.startsWith(BUILTIN_PREFIX) ? source.slice(BUILTIN_PREFIX.length) : source;
  const registry = loadRegistry();
  const entry = Object.hasOwn(registry.datasets, name) ? registry.datasets[name] : undefined;
  if (entry === undefined) {
    throw new NotFoundError(`unknown built-in dataset '${name}' (known: ${builtinNames().join(', ')})`);
  }
  return { name, path: join(packageRoot(), registry.folder, entry.file), entry };
}

/** Throws DataError when a built-in file's bytes do not have the registered hash. */
export function verifyBuiltinHash(resolved: ResolvedBuiltin, actual: string): void {
  if (actual !== resolved.entry.sha256) {
    throw new DataError(
      `builtin:${resolved.name}: SHA-256 of ${resolved.path} is ${actual}, expected ${resolved.entry.sha256} (was the file changed?)`,
    );
  }
}
