import { verifyLedgerAny } from '../ledger/url.js';
import { replay } from '../study/replay.js';
import { summarizeAny } from '../study/summary.js';
import { intOption, onePositional, printJson } from './args.js';

const USAGE = 'lockstep verify <ledger> [--replay N] [--json]';

export async function run({
  positionals,
  values,
}: {
  positionals: string[];
  values: Record<string, unknown>;
}): Promise<number> {
  const ledger = onePositional(positionals, 'ledger', USAGE);
  const n = intOption('replay', values.replay, 0) ?? 0;
  const v = await verifyLedgerAny(ledger);
  const replays: { id: string; verdict: string; difference: unknown }[] = [];
  if (v.ok && n > 0) {
    // Replay n finished trials spread evenly over the study, in index order.
    const finished = (await summarizeAny(ledger)).trials.filter(
      (t) => t.state === 'complete' || t.state === 'pruned' || t.state === 'failed',
    );
    const step = Math.max(1, finished.length / n);
    const chosen = new Set<number>();
    for (let k = 0; k < Math.min(n, finished.length); k++) chosen.add(Math.floor(k * step));
    for (const k of chosen) {
      const t = finished[k]!;
      const r = await replay({ id: t.id, ledger, dataset: values.dataset as string | undefined });
      replays.push({ id: t.id, verdict: r.verdict, difference: r.difference });
    }
  }
  const ok = v.ok && replays.every((r) => r.verdict === 'exact');
  if (values.json)
    printJson({
      ok,
      ledger,
      lines: v.lines,
      trials: v.trials,
      digest: v.digest,
      problems: v.problems,
      warnings: v.warnings,
      replays,
    });
  else {
    const out = process.stdout;
    for (const w of v.warnings) out.write(`warning: ${w}\n`);
    for (const p of v.problems) out.write(`problem: ${p}\n`);
    out.write(`${v.lines} lines, ${v.trials} trials, hash chain ${v.ok ? 'intact' : 'BROKEN'}\n`);
    if (v.digest) out.write(`digest ${v.digest}\n`);
    for (const r of replays) out.write(`replay ${r.id}: ${r.verdict}\n`);
    out.write(ok ? 'ok\n' : 'NOT ok\n');
  }
  return ok ? 0 : 1;
}
