import { writeFileSync } from 'node:fs';
import { LockstepError } from '../errors.js';
import { summarizeAny } from '../study/summary.js';
import { onePositional } from './args.js';
import { refuseLedgerAsOutput } from './output.js';

const USAGE = 'lockstep export <ledger> --format csv|json [--out FILE]';

/** A number as text: a cell a spreadsheet reads as a number, never as a formula. */
const PLAIN_NUMBER = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * One CSV cell. A text cell that a spreadsheet would take for a formula (it begins with = + - @, a tab or
 * a carriage return, and is not a plain number) gets a leading single quote, as OWASP recommends against
 * CSV injection: `=2+3` is written `'=2+3`, while `-0.5` stays a number.
 */
function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s) && !PLAIN_NUMBER.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export async function run({
  positionals,
  values,
}: {
  positionals: string[];
  values: Record<string, unknown>;
}): Promise<number> {
  const ledger = onePositional(positionals, 'ledger', USAGE);
  const format = values.format ?? 'csv';
  if (format !== 'csv' && format !== 'json') {
    throw new LockstepError('E_USAGE', `--format: expected csv or json, but got '${String(format)}'`);
  }
  if (typeof values.out === 'string') refuseLedgerAsOutput('--out', values.out, ledger);
  const s = await summarizeAny(ledger);
  let text: string;
  if (format === 'json') {
    text = `${JSON.stringify({ study: s.study, metric: s.metric, direction: s.direction, pruner: s.pruner, epochs: s.epochs, counts: s.counts, best: s.best, trials: s.trials }, null, 2)}\n`;
  } else {
    const names = [...new Set(s.trials.flatMap((t) => Object.keys(t.params)))].sort();
    const header = ['index', 'id', 'state', 'score', 'epochs', 'error', ...names.map((n) => `param_${n}`)];
    const rows = s.trials.map((t) => [
      t.index,
      t.id,
      t.state,
      t.score,
      t.epochs,
      t.error,
      ...names.map((n) => t.params[n]),
    ]);
    text = `${[header, ...rows].map((r) => r.map(csvCell).join(',')).join('\n')}\n`;
  }
  if (typeof values.out === 'string') writeFileSync(values.out, text);
  else process.stdout.write(text);
  return 0;
}
