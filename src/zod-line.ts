/**
 * The one line a user reads when zod refuses a value — a config, a suite, a ledger record, a pipeline, the
 * dataset registry: its first issue, naming the file and the field (bad input is one line, exit code 2).
 * Every parser writes its message here, so that one path reads the same wherever it is refused.
 */
import type { z } from 'zod';

/** A zod path under `root`, with indices in brackets: `space.lr`, `space.act[2]`. */
export function formatPath(root: string, path: readonly PropertyKey[]): string {
  let s = root;
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s === '' ? String(p) : `.${String(p)}`;
  return s;
}

export interface ZodLineOptions {
  /** Where the value came from (a file, `config`): the line starts `<where>: `. */
  where?: string;
  /**
   * The field that holds the value (`space`, `sampler`): the path is written under it (formatPath), and is
   * the field itself when zod's path is empty. Without a field the path is written with dots
   * (`split.train`, `objectives.0`).
   */
  field?: string;
  /** Without a field, what stands for an empty path (the value itself); by default the path is left out. */
  emptyPath?: string;
  /** A path that is only the `name` key stands for the field: an unknown name is the field's own error. */
  nameIsField?: boolean;
  /** zod's unknown-keys issue reads `unknown field(s) 'a', 'b'`, for schemas that do not word it themselves. */
  unknownFields?: boolean;
  /** Adds ` (and N more)` when zod found more than one issue. */
  countOthers?: boolean;
}

/** The first issue of `error` as one line: `<where>: <path>: <message>`, as `options` say. */
export function zodLine(error: z.ZodError, options: ZodLineOptions = {}): string {
  const { where, field, emptyPath } = options;
  const head = where === undefined ? '' : `${where}: `;
  const issue = error.issues[0];
  if (!issue) return `${head}invalid`;
  let path: string | undefined;
  if (field !== undefined) {
    const named = options.nameIsField === true && issue.path.length === 1 && issue.path[0] === 'name';
    path = formatPath(field, named ? [] : issue.path);
  } else {
    const dotted = issue.path.map(String).join('.');
    path = dotted === '' ? emptyPath : dotted;
  }
  const message =
    options.unknownFields === true && issue.code === 'unrecognized_keys'
      ? `unknown field(s) ${issue.keys.map((k) => `'${k}'`).join(', ')}`
      : issue.message;
  const more =
    options.countOthers === true && error.issues.length > 1 ? ` (and ${error.issues.length - 1} more)` : '';
  return `${head}${path === undefined ? '' : `${path}: `}${message}${more}`;
}

/**
 * The error of a `{ name, ...options }` field (a sampler, a pruner) whose name is unknown or that is not an
 * object: one message naming the kind and the known names.
 */
export function unknownNameError(
  kind: string,
  known: readonly string[],
): (issue: { input: unknown }) => string {
  return (issue) => {
    const input = issue.input as { name?: unknown } | null | undefined;
    if (input === null || typeof input !== 'object') {
      return `expected a ${kind} name or { name, ...options }, but got ${JSON.stringify(input)}`;
    }
    return `unknown ${kind} ${typeof input.name === 'string' ? `'${input.name}'` : JSON.stringify(input.name)} (known: ${known.join(', ')})`;
  };
}
