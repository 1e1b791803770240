import { dirname, join } from 'node:path';
import { LockstepError } from '../errors.js';
import { writeReport } from '../report/write.js';
import { onePositional, printJson } from './args.js';
import { refuseLedgerAsOutput } from './output.js';

const USAGE = 'lockstep report <ledger> [--out FILE] [--json]';

export async function run({
  positionals,
  values,
}: {
  positionals: string[];
  values: Record<string, unknown>;
}): Promise<number> {
  const ledger = onePositional(positionals, 'ledger', USAGE);
  const out = (values.out as string | undefined) ?? join(dirname(ledger), 'report.html');
  refuseLedgerAsOutput('--out', out, ledger);
  let r: { bytes: number; trials: number };
  try {
    r = await writeReport(ledger, out);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (typeof err.code === 'string' && err.syscall !== undefined) {
      throw new LockstepError('E_IO', `--out: cannot write ${out}: ${err.message}`);
    }
    throw e;
  }
  if (values.json) printJson({ report: out, bytes: r.bytes, trials: r.trials });
  else process.stdout.write(`${out} (${r.trials} trials, ${(r.bytes / 1024).toFixed(0)} KiB)\n`);
  return 0;
}
