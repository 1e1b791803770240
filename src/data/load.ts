import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { CsvError, parse } from 'csv-parse/sync';
import { DataError, NotFoundError } from '../errors.js';
import { BUILTIN_PREFIX, resolveBuiltin, verifyBuiltinHash } from './builtin.js';
import { escapeControl, showCell } from './cells.js';
import { sha256Hex } from './hash.js';
import type { Cell, RawTable } from './types.js';

export interface LoadOptions {
  /** Largest file accepted, in bytes (default 512 MiB). */
  maxBytes?: number;
  /** Extra strings that mean "missing" (compared case-insensitively after trimming). */
  na?: string[];
}

export const LOAD_DEFAULTS = { maxBytes: 512 * 1024 * 1024, na: [] as string[] } as const;

/** Strings that mean "missing", compared lower-case after trimming. */
const STANDARD_NA = ['', 'na', 'n/a', 'null', 'nan'];

type Format = 'csv' | 'tsv' | 'json';

/** Longest header line accepted (characters): 5,000 columns of 200 characters each. */
const MAX_HEADER_CHARS = 1 << 20;

/**
 * Loads a table from a .csv, .tsv or .json file (an array of record objects), or a built-in
 * dataset (`builtin:<name>`, hash-verified). Cells keep their text (type inference decides);
 * missing markers become null. `hash` is the SHA-256 of the file's bytes.
 */
export async function loadTable(source: string, opts: LoadOptions = {}): Promise<RawTable> {
  if (source.startsWith(BUILTIN_PREFIX)) {
    const resolved = resolveBuiltin(source);
    const { bytes } = await readBytes(resolved.path, opts.maxBytes ?? LOAD_DEFAULTS.maxBytes);
    const hash = sha256Hex(bytes);
    verifyBuiltinHash(resolved, hash);
    const na = [...resolved.entry.na, ...(opts.na ?? [])];
    const table = parseBytes(resolved.path, bytes, na);
    return { ...table, source: `${BUILTIN_PREFIX}${resolved.name}`, hash };
  }
  const { bytes } = await readBytes(source, opts.maxBytes ?? LOAD_DEFAULTS.maxBytes);
  return { ...parseBytes(source, bytes, opts.na ?? []), source };
}

/** Parses file bytes already read (decides the format by extension, else sniffs). */
export function parseBytes(path: string, bytes: Uint8Array, na: string[] = []): RawTable {
  let text: string;
  try {
    // Strips a UTF-8 byte-order mark; refuses malformed UTF-8.
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (e) {
    throw new DataError(`${path}: is not valid UTF-8 text`, { cause: e });
  }
  if (text.trim() === '') throw new DataError(`${path}: is empty`);
  const missing = new Set([...STANDARD_NA, ...na.map((s) => s.trim().toLowerCase())]);
  const format = formatOf(path, text);
  const parsed =
    format === 'json' ? parseJson(path, text, missing) : parseDelimited(path, text, format, missing);
  return { source: path, hash: sha256Hex(bytes), ...parsed };
}

async function readBytes(path: string, maxBytes: number): Promise<{ bytes: Uint8Array }> {
  let size: number;
  try {
    const s = await stat(path);
    if (s.isDirectory()) throw new DataError(`${path}: is a directory, expected a .csv, .tsv or .json file`);
    // A device or a pipe (/dev/zero, a FIFO) reports size 0 and may never end: only regular files are read.
    if (!s.isFile())
      throw new DataError(`${path}: is not a regular file, expected a .csv, .tsv or .json file`);
    size = s.size;
  } catch (e) {
    if (e instanceof DataError) throw e;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(`dataset not found: ${path}`);
    throw new DataError(`${path}: cannot read (${(e as Error).message})`, { cause: e });
  }
  if (size > maxBytes)
    throw new DataError(`${path}: is ${size} bytes, larger than the limit of ${maxBytes} bytes`);
  if (size === 0) throw new DataError(`${path}: is empty`);
  try {
    return { bytes: new Uint8Array(await readFile(path)) };
  } catch (e) {
    throw new DataError(`${path}: cannot read (${(e as Error).message})`, { cause: e });
  }
}

function formatOf(path: string, text: string): Format {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.tsv' || ext === '.tab') return 'tsv';
  if (ext === '.json') return 'json';
  const body = text.trimStart();
  if (body.startsWith('[') || body.startsWith('{')) return 'json';
  const firstLine = body.split(/\r?\n/, 1)[0] ?? '';
  const tabs = firstLine.split('\t').length;
  const commas = firstLine.split(',').length;
  return tabs > commas ? 'tsv' : 'csv';
}

function cellOf(raw: string, missing: Set<string>): Cell {
  const s = raw.trim();
  return missing.has(s.toLowerCase()) ? null : s;
}

function checkHeader(path: string, columns: string[]): void {
  const seen = new Map<string, number>();
  columns.forEach((name, i) => {
    if (name === '') throw new DataError(`${path}: column ${i + 1} has an empty name`);
    const before = seen.get(name);
    if (before !== undefined) {
      throw new DataError(
        `${path}: duplicate column name '${showCell(name)}' (columns ${before + 1} and ${i + 1})`,
      );
    }
    seen.set(name, i);
  });
}

/**
 * The records of a delimited text without any quote character and with one kind of line ending (\n or \r\n),
 * split directly: what csv-parse gives for such a text (relax_column_count, skip_empty_lines; property-tested
 * against it), about ten times faster. Undefined for any other text, which csv-parse then reads.
 */
export function splitPlain(text: string, delimiter: ',' | '\t'): string[][] | undefined {
  if (text.includes('"')) return undefined;
  const cr = text.indexOf('\r');
  let lines: string[];
  if (cr < 0) {
    lines = text.split('\n');
  } else {
    lines = text.split('\r\n');
    // A lone \r, or a \n without its \r: mixed line endings, left to csv-parse.
    for (const line of lines) if (line.includes('\r') || line.includes('\n')) return undefined;
  }
  const out: string[][] = [];
  for (const line of lines) if (line !== '') out.push(line.split(delimiter));
  return out;
}

function parseDelimited(
  path: string,
  text: string,
  format: 'csv' | 'tsv',
  missing: Set<string>,
): { columns: string[]; rows: Cell[][] } {
  // csv-parse takes about a second per MB on one giant header field: a header line past the limit is refused.
  const eol = text.indexOf('\n');
  const headerLength = eol < 0 ? text.length : eol;
  if (headerLength > MAX_HEADER_CHARS) {
    throw new DataError(
      `${path}: the header line is ${headerLength} characters long, more than ${MAX_HEADER_CHARS}; is this a ${format.toUpperCase()} file?`,
    );
  }
  // Parsed without csv-parse's per-record info (it costs ~30 % of the parse); only a ragged row needs its line
  // number, and then the text is parsed again with info to name it.
  const parseWith = <T>(info: boolean): T[] => {
    try {
      return parse(text, {
        bom: true,
        delimiter: format === 'tsv' ? '\t' : ',',
        relax_column_count: true,
        skip_empty_lines: true,
        info,
      }) as unknown as T[];
    } catch (e) {
      if (e instanceof CsvError) {
        const line = (e as CsvError & { lines?: number }).lines;
        throw new DataError(
          `${path}: ${line === undefined ? '' : `line ${line}: `}${escapeControl(e.message)}`,
          {
            cause: e,
          },
        );
      }
      throw e;
    }
  };
  const records = splitPlain(text, format === 'tsv' ? '\t' : ',') ?? parseWith<string[]>(false);
  const head = records[0];
  if (head === undefined) throw new DataError(`${path}: is empty`);
  const columns = head.map((h) => h.trim());
  checkHeader(path, columns);
  if (records.length === 1) throw new DataError(`${path}: has a header but no rows`);
  const k = columns.length;
  const rows: Cell[][] = new Array(records.length - 1);
  for (let r = 1; r < records.length; r++) {
    const record = records[r]!;
    if (record.length !== k) {
      const line = parseWith<{ info: { lines: number } }>(true)[r]?.info.lines;
      throw new DataError(`${path}: line ${line ?? r + 1} has ${record.length} fields, expected ${k}`);
    }
    const row: Cell[] = new Array(k);
    for (let c = 0; c < k; c++) row[c] = cellOf(record[c]!, missing);
    rows[r - 1] = row;
  }
  return { columns, rows };
}

function parseJson(path: string, text: string, missing: Set<string>): { columns: string[]; rows: Cell[][] } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new DataError(`${path}: invalid JSON (${escapeControl((e as Error).message)})`, { cause: e });
  }
  if (!Array.isArray(data)) {
    throw new DataError(`${path}: expected a JSON array of record objects, got ${describe(data)}`);
  }
  if (data.length === 0) throw new DataError(`${path}: is an empty array, expected records`);
  const index = new Map<string, number>();
  const columns: string[] = [];
  data.forEach((rec: unknown, i) => {
    if (rec === null || typeof rec !== 'object' || Array.isArray(rec)) {
      throw new DataError(`${path}: row ${i + 1} is ${describe(rec)}, expected a record object`);
    }
    for (const key of Object.keys(rec)) {
      if (!index.has(key)) {
        if (key.trim() === '') throw new DataError(`${path}: row ${i + 1} has a field with an empty name`);
        index.set(key, columns.length);
        columns.push(key);
      }
    }
  });
  const rows = (data as Record<string, unknown>[]).map((rec, i) => {
    const row: Cell[] = new Array<Cell>(columns.length).fill(null);
    for (const [key, v] of Object.entries(rec)) {
      const c = index.get(key)!;
      if (v === null) row[c] = null;
      else if (typeof v === 'string') row[c] = cellOf(v, missing);
      else if (typeof v === 'number') row[c] = Number.isFinite(v) ? v : null;
      else if (typeof v === 'boolean') row[c] = v;
      else {
        throw new DataError(
          `${path}: row ${i + 1} field '${showCell(key)}' is ${describe(v)}, expected a number, string, boolean or null`,
        );
      }
    }
    return row;
  });
  return { columns, rows };
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}
