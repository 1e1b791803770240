import { dirname, join } from 'node:path';
import { exportEnvironment } from '../report/rebuild.js';
import { onePositional, printJson } from './args.js';
import { refuseLedgerAsOutput } from './output.js';

const USAGE = 'lockstep export-env <ledger> [--out DIR] [--lockfile FILE] [--json]';

/** The files exportEnvironment writes into its folder (and `dataset/…`); none of them may be the ledger. */
export const ENV_FILES = ['package-lock.json', 'ledger.jsonl', 'Dockerfile', 'replay.sh', 'README.txt'];

export async function run({
  positionals,
  values,
}: {
  positionals: string[];
  values: Record<string, unknown>;
}): Promise<number> {
  const ledger = onePositional(positionals, 'ledger', USAGE);
  const out = (values.out as string | undefined) ?? join(dirname(ledger), 'env');
  refuseLedgerAsOutput('--out', out, ledger);
  for (const name of ENV_FILES) refuseLedgerAsOutput('--out', join(out, name), ledger);
  const r = exportEnvironment(ledger, out, {
    ...(values.lockfile !== undefined ? { lockfile: values.lockfile as string } : {}),
  });
  for (const w of r.warnings) process.stderr.write(`lockstep: warning: ${w}\n`);
  if (values.json) printJson(r);
  else {
    process.stdout.write(
      `${r.dir}: ${r.files.join(', ')} (node ${r.node}; best trial ${r.best ?? 'none'})\n`,
    );
  }
  return 0;
}
