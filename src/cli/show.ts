import { studyDigest } from '../ledger/index.js';
import { summarizeAny } from '../study/summary.js';
import { onePositional, printJson } from './args.js';
import { printable as p } from './printable.js';

const USAGE = 'lockstep show <ledger> [--json]';

/** Characters of a failed trial's error that the table shows; `--json` has the whole of it. */
const ERROR_WIDTH = 60;

/** The first `width` characters of `s` (by code point), with an ellipsis when it was longer. */
function clip(s: string, width: number): string {
  const chars = Array.from(s);
  return chars.length <= width ? s : `${chars.slice(0, width - 1).join('')}…`;
}

export async function run({
  positionals,
  values,
}: {
  positionals: string[];
  values: Record<string, unknown>;
}): Promise<number> {
  const s = await summarizeAny(onePositional(positionals, 'ledger', USAGE));
  const digest = studyDigest(s.state);
  if (values.json) {
    printJson({
      study: s.study,
      ledger: s.ledger,
      metric: s.metric,
      direction: s.direction,
      digest,
      pruner: s.pruner,
      epochs: s.epochs,
      counts: s.counts,
      best: s.best,
      refit: s.state.refit,
      trials: s.trials,
    });
    return 0;
  }
  const out = process.stdout;
  // Human output: every string from the ledger through p(), so that it cannot drive the terminal.
  for (const w of s.warnings) process.stderr.write(`lockstep: warning: ${p(w)}\n`);
  const c = s.counts;
  out.write(
    `study ${p(s.study)} (${p(s.metric)}, ${p(s.direction)})  ${s.trials.length} trials (${c.complete} complete, ${c.pruned} pruned, ${c.failed} failed), ${s.epochs} epochs trained${s.pruner === 'none' ? '' : `, pruner ${p(s.pruner)}`}\n`,
  );
  const names = [...new Set(s.trials.flatMap((t) => Object.keys(t.params)))].sort();
  // 'epochs' is what each trial trained; a pruned trial's score is its value at the epoch it stopped.
  // A failed trial's error, last (it is the widest); clipped, then escaped so that it cannot drive the terminal.
  const withError = s.trials.some((t) => t.error !== null);
  const header = ['id', 'state', 'score', 'epochs', ...names.map(p), ...(withError ? ['error'] : [])];
  const rows = s.trials.map((t) => [
    p(t.id),
    t.state === 'pruned' ? `pruned@${t.epochs}` : p(t.state),
    t.score === null ? '—' : String(Number(t.score.toPrecision(6))),
    String(t.epochs),
    ...names.map((n) => {
      const v = t.params[n];
      return v === undefined ? '' : typeof v === 'number' ? String(Number(v.toPrecision(4))) : p(String(v));
    }),
    ...(withError ? [t.error === null ? '' : p(clip(t.error, ERROR_WIDTH))] : []),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  out.write(`${line(header)}\n${rows.map(line).join('\n')}\n`);
  if (s.best) out.write(`best: ${p(s.best.id)}  ${p(s.metric)} ${s.best.score}\n`);
  if (s.state.refit) out.write(`refit: test ${p(s.metric)} ${s.state.refit.testScore}\n`);
  out.write(`digest ${digest}\n`);
  return 0;
}
