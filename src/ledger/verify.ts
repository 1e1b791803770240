import * as fs from 'node:fs';
import { LedgerError, LockstepError, NotFoundError } from '../errors.js';
import { studyDigest } from './digest.js';
import { foldLedger } from './fold.js';
import { scanLedger } from './scan.js';

export interface VerifyResult {
  /** True when the chain, every record and the fold are sound. */
  ok: boolean;
  /** Complete lines read (a torn last line not included). */
  lines: number;
  /** Trials in the folded state (0 when not ok). */
  trials: number;
  /** The study digest, or null when not ok. */
  digest: string | null;
  /** One line each, naming the file and line. */
  problems: string[];
  /** E.g. a torn last line, which a writer would drop: not a failure. */
  warnings: string[];
}

/**
 * Checks a ledger file without locking or changing it: the hash chain, every record's schema,
 * and the fold (a finished trial never restarted, …). Lists every damaged line it can find,
 * not only the first. A missing file is a NotFoundError; damage is reported, not thrown.
 */
export function verifyLedger(path: string): VerifyResult {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new NotFoundError(`ledger ${path} does not exist`);
    throw new LockstepError('E_IO', `ledger ${path}: cannot read the file (${code ?? String(e)})`, {
      cause: e,
    });
  }
  const scan = scanLedger(bytes, { stopAtFirst: false });
  const lines = scan.records.length + scan.problems.length;
  const warnings = scan.torn
    ? [
        `ledger ${path}: a torn last line (line ${scan.torn.line}, ${scan.torn.bytes} bytes), which the next writer will drop`,
      ]
    : [];
  const problems = scan.problems.slice(0, MAX_PROBLEMS).map((p) => `ledger ${path} ${p}`);
  if (scan.problems.length > MAX_PROBLEMS)
    problems.push(`ledger ${path}: … and ${scan.problems.length - MAX_PROBLEMS} more problems`);
  if (problems.length === 0 && scan.records.length === 0)
    problems.push(`ledger ${path}: no study record (the file holds no complete line)`);
  if (problems.length > 0) return { ok: false, lines, trials: 0, digest: null, problems, warnings };
  try {
    const state = foldLedger(scan.records, { source: `ledger ${path}` });
    return { ok: true, lines, trials: state.trials.length, digest: studyDigest(state), problems, warnings };
  } catch (e) {
    if (!(e instanceof LedgerError)) throw e;
    return { ok: false, lines, trials: 0, digest: null, problems: [e.message], warnings };
  }
}

const MAX_PROBLEMS = 20;
