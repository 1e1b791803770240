import { studyDigest } from '../ledger/index.js';
import { summarizeAny } from '../study/summary.js';
import { onePositional, printJson } from './args.js';

const USAGE = 'lockstep show <ledger> [--json]';

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
  for (const w of s.warnings) process.stderr.write(`lockstep: warning: ${w}\n`);
  const c = s.counts;
  out.write(
    `study ${s.study} (${s.metric}, ${s.direction})  ${s.trials.length} trials (${c.complete} complete, ${c.pruned} pruned, ${c.failed} failed), ${s.epochs} epochs trained${s.pruner === 'none' ? '' : `, pruner ${s.pruner}`}\n`,
  );
  const names = [...new Set(s.trials.flatMap((t) => Object.keys(t.params)))].sort();
  // 'epochs' is what each trial trained; a pruned trial's score is its value at the epoch it stopped.
  const header = ['id', 'state', 'score', 'epochs', ...names];
  const rows = s.trials.map((t) => [
    t.id,
    t.state === 'pruned' ? `pruned@${t.epochs}` : t.state,
    t.score === null ? '—' : String(Number(t.score.toPrecision(6))),
    String(t.epochs),
    ...names.map((n) => {
      const v = t.params[n];
      return v === undefined ? '' : typeof v === 'number' ? String(Number(v.toPrecision(4))) : String(v);
    }),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  out.write(`${line(header)}\n${rows.map(line).join('\n')}\n`);
  if (s.best) out.write(`best: ${s.best.id}  ${s.metric} ${s.best.score}\n`);
  if (s.state.refit) out.write(`refit: test ${s.metric} ${s.state.refit.testScore}\n`);
  out.write(`digest ${digest}\n`);
  return 0;
}
