import { LockstepError } from '../errors.js';
import { copyLedger } from '../ledger/copy.js';
import { printJson } from './args.js';

const USAGE = 'lockstep ledger copy <from> <to> [--json]   (each a ledger file or a postgres:// URL)';

export async function run({
  positionals,
  values,
}: {
  positionals: string[];
  values: Record<string, unknown>;
}): Promise<number> {
  const [sub, from, to, ...rest] = positionals;
  if (sub !== 'copy' || from === undefined || to === undefined || rest.length > 0) {
    throw new LockstepError('E_USAGE', `expected 'copy <from> <to>' (usage: ${USAGE})`);
  }
  const r = await copyLedger(from, to);
  for (const w of r.warnings) process.stderr.write(`lockstep: warning: ${w}\n`);
  if (values.json) printJson({ from, to: r.to, lines: r.lines, digest: r.digest });
  else process.stdout.write(`copied ${r.lines} lines to ${r.to}\ndigest ${r.digest}\n`);
  return 0;
}
