import { statSync } from 'node:fs';
import { LockstepError } from '../errors.js';
import { lockPathOf, realFilePath } from '../ledger/lock.js';
import { isPgUrl } from '../ledger/url.js';

/**
 * Refuses an output file that is the ledger being read, or its lock file: written over, the study is
 * gone (and a lock overwritten lets a second writer in). Compared by real path (through symbolic
 * links, `..`, a relative path) and by file identity (device and inode: a hard link).
 */
export function refuseLedgerAsOutput(option: string, out: string, ledger: string): void {
  if (isPgUrl(ledger)) return;
  const target = realFilePath(out);
  if (target === realFilePath(ledger) || sameFile(out, ledger)) {
    throw new LockstepError(
      'E_USAGE',
      `${option}: ${out} is the ledger ${ledger} itself; refusing to write over it (choose another file)`,
    );
  }
  const lock = lockPathOf(ledger);
  if (target === lock || sameFile(out, lock)) {
    throw new LockstepError(
      'E_USAGE',
      `${option}: ${out} is the lock file of the ledger ${ledger}; refusing to write over it (choose another file)`,
    );
  }
}

function sameFile(a: string, b: string): boolean {
  try {
    const sa = statSync(a, { bigint: true });
    const sb = statSync(b, { bigint: true });
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}
