import { LockstepError } from '../errors.js';
import { verifyStudy } from '../study/verify.js';
import { intOption, onePositional, printJson } from './args.js';
import { printable } from './printable.js';

const USAGE = 'lockstep verify <ledger> [--replay N|all] [--seed S] [--dataset PATH] [--json]';

export async function run({
  positionals,
  values,
}: {
  positionals: string[];
  values: Record<string, unknown>;
}): Promise<number> {
  const ledger = onePositional(positionals, 'ledger', USAGE);
  const replay = replayOption(values.replay);
  const seed = intOption('seed', values.seed, 0);
  const v = await verifyStudy({
    ledger,
    replay,
    ...(seed === undefined ? {} : { seed }),
    ...(typeof values.dataset === 'string' ? { dataset: values.dataset } : {}),
  });
  if (values.json) {
    printJson(v);
    return v.ok ? 0 : 1;
  }
  const out = process.stdout;
  const line = (s: string) => out.write(`${printable(s)}\n`);
  for (const w of v.warnings) line(`warning: ${w}`);
  line(`${v.lines} lines, ${v.trials} trials, hash chain ${v.digest !== null ? 'intact' : 'BROKEN'}`);
  if (v.digest) line(`digest ${v.digest}`);
  if (v.metric !== null) {
    line(
      `params of ${v.paramsChecked} trials re-derived from their visible history; ${v.pruner === 'none' ? 'no pruner' : `${v.decisionsChecked} decisions of the pruner (${v.pruner}) re-decided`}`,
    );
  }
  for (const f of v.environmentFailures)
    line(`failed for the environment: ${f.id} (${f.error ?? 'no error'})`);
  if (v.best) line(`best trial ${v.best.id} (${v.metric} ${v.best.score})`);
  if (v.skipped !== null) line(`no replay: ${v.skipped}`);
  else {
    line(
      `replays: the best trial, the refit and ${v.replay === 'all' ? 'every other trial' : `${v.replay} others chosen with seed ${v.seed} (--seed ${v.seed} repeats the choice)`}`,
    );
    for (const r of v.replays) line(`replay ${r.id} (${r.reason}): ${r.verdict}`);
    if (v.refit) line(`replay refit of trial ${v.refit.index}: ${v.refit.verdict}`);
  }
  for (const p of v.problems) line(`problem: ${p}`);
  line(v.ok ? 'ok' : 'NOT ok');
  return v.ok ? 0 : 1;
}

function replayOption(value: unknown): number | 'all' {
  if (value === undefined || value === 'all') return 'all';
  const n = /^\d+$/.test(String(value)) ? intOption('replay', value, 0) : undefined;
  if (n === undefined)
    throw new LockstepError(
      'E_USAGE',
      `--replay: expected a number of trials or 'all', but got '${String(value)}'`,
    );
  return n;
}
