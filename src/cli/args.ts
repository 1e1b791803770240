import { parseArgs } from 'node:util';
import { LockstepError } from '../errors.js';

/** Parses an integer option, with a one-line error naming the option. */
export function intOption(
  name: string,
  value: unknown,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (value === undefined) return undefined;
  const s = String(value);
  const n = Number(s);
  if (!/^-?\d+$/.test(s) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new LockstepError(
      'E_USAGE',
      `--${name}: expected an integer from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}, but got '${s}'`,
    );
  }
  return n;
}

/** The one positional argument a command takes. */
export function onePositional(positionals: string[], what: string, usage: string): string {
  if (positionals.length !== 1) {
    throw new LockstepError('E_USAGE', `expected one ${what}, got ${positionals.length} (usage: ${usage})`);
  }
  return positionals[0]!;
}

/** Writes one JSON object as a line on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/**
 * The optimal string alignment distance between `a` and `b`: the fewest insertions, deletions,
 * substitutions and swaps of two neighbours that turn one into the other (`serch` → `search`: 1,
 * `exprot` → `export`: 1).
 */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The candidate `word` is most likely a typo of: the nearest by {@link editDistance}, if it is within
 * 1 edit for a word of 3 to 5 characters and 2 for a longer one (a shorter word is too short to guess
 * from); the first of the candidates on a tie.
 */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  const limit = word.length < 3 ? 0 : word.length <= 5 ? 1 : 2;
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** An option as the parser needs it: its type, and the name of its value for messages (`N`, `DIR`). */
export interface OptionKind {
  type: 'string' | 'boolean';
  value?: string;
}

/**
 * Parses a command's arguments (`--name value`, `--name=value`, flags, `--` before positionals) into
 * its positionals and option values. Every mistake is a one-line usage error of our own (Node's
 * parseArgs messages suggest `-- "--wokers"` for a typo): an unknown option (with the nearest known one
 * as a suggestion), an option without its value (a following word that begins with a dash is taken for
 * another option, unless it is a number: `--seed -1`), a value given to a flag, and more positional
 * arguments than the command takes.
 */
export function parseCommandArgs(
  command: string,
  args: string[],
  options: Record<string, OptionKind>,
  maxPositionals: number,
  usage: string,
): { positionals: string[]; values: Record<string, unknown> } {
  const parsed = parseArgs({
    args,
    options: Object.fromEntries(Object.entries(options).map(([k, o]) => [k, { type: o.type }])),
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  const see = `see 'lockstep ${command} --help'`;
  const positionals: string[] = [];
  for (const token of parsed.tokens) {
    if (token.kind === 'positional') {
      if (positionals.length === maxPositionals) {
        throw new LockstepError('E_USAGE', `unexpected argument '${token.value}' (usage: ${usage}; ${see})`);
      }
      positionals.push(token.value);
      continue;
    }
    if (token.kind !== 'option') continue;
    const option = Object.hasOwn(options, token.name) ? options[token.name] : undefined;
    if (option === undefined) {
      const near = token.rawName.startsWith('--') ? didYouMean(token.name, Object.keys(options)) : undefined;
      throw new LockstepError(
        'E_USAGE',
        near !== undefined
          ? `unknown option '${token.rawName}'; did you mean '--${near}'?`
          : `unknown option '${token.rawName}' (lockstep ${command} takes ${Object.keys(options)
              .map((k) => `--${k}`)
              .join(', ')}; ${see})`,
      );
    }
    if (option.type === 'boolean') {
      if (token.value !== undefined) {
        throw new LockstepError('E_USAGE', `option '${token.rawName}' takes no value`);
      }
      continue;
    }
    const looksLikeOption =
      token.value !== undefined &&
      !token.inlineValue &&
      /^-/.test(token.value) &&
      !/^-\.?\d/.test(token.value);
    if (token.value === undefined || looksLikeOption) {
      throw new LockstepError(
        'E_USAGE',
        `option '${token.rawName}' needs a value (${token.rawName} ${option.value ?? 'VALUE'})`,
      );
    }
  }
  return { positionals, values: parsed.values as Record<string, unknown> };
}
