import { readFileSync } from 'node:fs';
import { LedgerError, LockstepError, NotFoundError } from '../errors.js';
import { studyDigest } from './digest.js';
import { foldLedger } from './fold.js';
import { readLedger } from './journal.js';
import type { PgLedger, PgLedgerOptions } from './postgres.js';
import type { LedgerRecord } from './records.js';
import { scanLedger } from './scan.js';
import type { StudyState } from './types.js';
import { type VerifyResult, verifyLedger } from './verify.js';

/**
 * A ledger named by a file path or a `postgres://` URL: what `show`, `export`, `verify`, `replay`,
 * `report` and `ledger copy` take. The pg driver is loaded only for a URL.
 */

/** Whether `s` names a PostgreSQL ledger rather than a file. */
export function isPgUrl(s: string): boolean {
  return /^postgres(ql)?:\/\//i.test(s);
}

/** A PgLedger for `url`, not yet opened (the driver is loaded on first use). */
export async function pgLedger(url: string, options: PgLedgerOptions = {}): Promise<PgLedger> {
  const { PgLedger } = await import('./postgres.js');
  return new PgLedger(url, options);
}

/** Opens an existing study in PostgreSQL (`?study=` names it, or the schema's only study). */
export async function openPgLedger(url: string, options: PgLedgerOptions = {}): Promise<PgLedger> {
  const ledger = await pgLedger(url, options);
  try {
    await ledger.open();
    return ledger;
  } catch (e) {
    await ledger.close();
    throw e;
  }
}

export interface LedgerRead {
  records: readonly LedgerRecord[];
  warnings: string[];
  state: StudyState;
}

/** Reads and verifies a ledger from either storage, without locking or changing it. */
export async function readLedgerAny(pathOrUrl: string): Promise<LedgerRead> {
  if (!isPgUrl(pathOrUrl)) return readLedger(pathOrUrl);
  const ledger = await openPgLedger(pathOrUrl, { readOnly: true });
  try {
    return { records: ledger.records(), warnings: [...ledger.warnings], state: ledger.state() };
  } finally {
    await ledger.close();
  }
}

/** The ledger's stored lines, exactly (no newlines), with a torn last line of a file left out. */
export async function readLedgerLines(pathOrUrl: string): Promise<{ lines: string[]; warnings: string[] }> {
  if (isPgUrl(pathOrUrl)) {
    const ledger = await openPgLedger(pathOrUrl, { readOnly: true });
    try {
      return { lines: [...ledger.storedLines()], warnings: [] };
    } finally {
      await ledger.close();
    }
  }
  const bytes = readFile(pathOrUrl);
  const scan = scanLedger(bytes, { stopAtFirst: true });
  if (scan.problems[0] !== undefined) throw new LedgerError(`ledger ${pathOrUrl} ${scan.problems[0]}`);
  const text = Buffer.from(bytes.subarray(0, scan.completeBytes)).toString('utf8');
  const lines = text === '' ? [] : text.slice(0, -1).split('\n');
  const warnings = scan.torn
    ? [`ledger ${pathOrUrl}: left out a torn last line (line ${scan.torn.line})`]
    : [];
  return { lines, warnings };
}

/**
 * Checks a ledger in either storage: the hash chain, every record's schema and the fold; damage is
 * reported, not thrown. For PostgreSQL, the stored lines are checked exactly as a file's bytes are.
 */
export async function verifyLedgerAny(pathOrUrl: string): Promise<VerifyResult> {
  if (!isPgUrl(pathOrUrl)) return verifyLedger(pathOrUrl);
  const { PgLedger } = await import('./postgres.js');
  const probe = new PgLedger(pathOrUrl, { readOnly: true });
  let lines: string[];
  let where: string;
  try {
    lines = await probe.rawLines();
    where = probe.location;
  } finally {
    await probe.close();
  }
  const scan = scanLedger(Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8'), { stopAtFirst: false });
  const problems = scan.problems.slice(0, 20).map((p) => `ledger ${where} ${p}`);
  if (scan.problems.length > 20)
    problems.push(`ledger ${where}: … and ${scan.problems.length - 20} more problems`);
  if (problems.length === 0 && scan.records.length === 0) problems.push(`ledger ${where}: no study record`);
  const n = lines.length;
  if (problems.length > 0) return { ok: false, lines: n, trials: 0, digest: null, problems, warnings: [] };
  try {
    const state = foldLedger(scan.records, { source: `ledger ${where}` });
    return {
      ok: true,
      lines: n,
      trials: state.trials.length,
      digest: studyDigest(state),
      problems,
      warnings: [],
    };
  } catch (e) {
    if (!(e instanceof LedgerError)) throw e;
    return { ok: false, lines: n, trials: 0, digest: null, problems: [e.message], warnings: [] };
  }
}

function readFile(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      throw new NotFoundError(`ledger ${path} does not exist`);
    throw new LockstepError('E_IO', `ledger ${path}: cannot read the file (${(e as Error).message})`, {
      cause: e,
    });
  }
}
