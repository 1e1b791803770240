import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { LedgerError, LockstepError } from '../errors.js';
import { studyDigest } from './digest.js';
import { foldLedger } from './fold.js';
import { scanLedger } from './scan.js';
import { isPgUrl, pgLedger, readLedgerLines } from './url.js';

/**
 * Copies a study between storages (file → PostgreSQL, PostgreSQL → file, or within one), line for
 * line: the copy has the same bytes, so the same chain and the same digest. Refuses to overwrite.
 */
export async function copyLedger(
  from: string,
  to: string,
): Promise<{ lines: number; digest: string; to: string; warnings: string[] }> {
  const { lines, warnings } = await readLedgerLines(from);
  const scan = scanLedger(Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8'), { stopAtFirst: true });
  if (scan.problems[0] !== undefined) throw new LedgerError(`ledger ${from} ${scan.problems[0]}`);
  const state = foldLedger(scan.records, { source: `ledger ${from}` });
  const digest = studyDigest(state);
  if (isPgUrl(to)) {
    const ledger = await pgLedger(to);
    try {
      const trials = state.trials.reduce((m, t) => Math.max(m, t.index + 1), 0);
      await ledger.importLines(lines, trials);
      return { lines: lines.length, digest, to: ledger.location, warnings };
    } finally {
      await ledger.close();
    }
  }
  mkdirSync(dirname(to), { recursive: true });
  let fd: number;
  try {
    fd = openSync(to, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST')
      throw new LedgerError(`${to}: already exists; copy to a new file`);
    throw new LockstepError('E_IO', `${to}: cannot create the file (${(e as Error).message})`, { cause: e });
  }
  try {
    const bytes = Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8');
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return { lines: lines.length, digest, to, warnings };
}
