import { replay } from '../study/replay.js';
import { onePositional, printJson } from './args.js';

const USAGE = 'lockstep replay <trial-id> [--ledger PATH] [--dataset PATH] [--allow-close] [--json]';

export async function run({
  positionals,
  values,
}: {
  positionals: string[];
  values: Record<string, unknown>;
}): Promise<number> {
  const id = onePositional(positionals, 'trial ID', USAGE);
  const r = await replay({
    id,
    ledger: values.ledger as string | undefined,
    dataset: values.dataset as string | undefined,
  });
  if (values.json) printJson(r);
  else {
    const out = process.stdout;
    out.write(`trial ${r.id}: ${r.verdict}\n`);
    out.write(
      `  recorded: ${r.recorded.state} score ${r.recorded.score} epochs ${r.recorded.epochs} weights ${r.recorded.weightsHash ?? '—'}\n`,
    );
    out.write(
      `  replayed: ${r.replayed.state} score ${r.replayed.score} epochs ${r.replayed.epochs} weights ${r.replayed.weightsHash ?? '—'}\n`,
    );
    if (r.difference)
      out.write(
        `  first difference: ${r.difference.where}: recorded ${JSON.stringify(r.difference.recorded)}, replayed ${JSON.stringify(r.difference.replayed)}\n`,
      );
    if (r.verdict === 'exact' && r.environmentDiff.length > 0)
      out.write('  recorded on another machine (for information: every number is bit-identical):\n');
    for (const d of r.environmentDiff)
      out.write(`  environment: ${d.field} recorded ${d.recorded}, now ${d.now}\n`);
    if (r.verdict === 'close') out.write(`  (within relative tolerance ${r.tolerance})\n`);
  }
  return r.verdict === 'exact' || (r.verdict === 'close' && values['allow-close'] === true) ? 0 : 1;
}
