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
