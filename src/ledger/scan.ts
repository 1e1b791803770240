import { createHash } from 'node:crypto';
import {
  describeIssues,
  LEDGER_VERSION,
  type LedgerRecord,
  ledgerRecordSchema,
  ZERO_HASH,
} from './records.js';

/** A last line that a crash cut short: no trailing newline, or not parsable. */
export interface TornLine {
  /** 1-based line number. */
  line: number;
  /** Its length in bytes, newline included if it had one. */
  bytes: number;
}

export interface ScanResult {
  /** The records of the complete, valid lines, in order (up to the first problem when stopping early). */
  records: LedgerRecord[];
  /** SHA-256 of the last complete line's bytes (ZERO_HASH when there is none). */
  lastHash: string;
  /** Byte length of the file without the torn last line. */
  completeBytes: number;
  torn: TornLine | null;
  /** One line each, `line N: what`; empty when the chain is intact. */
  problems: string[];
}

const NEWLINE = 0x0a;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Reads a ledger's bytes and verifies the chain: every line is UTF-8 JSON, of version 1, with
 * `seq` equal to its position and `prev` equal to the SHA-256 of the previous line's bytes,
 * valid against its schema, and only line 1 is (and must be) the study record.
 *
 * The last line is treated as torn — not a problem, reported apart — when it has no trailing
 * newline (an append always writes the line and its newline in one write, so a missing
 * newline means the write never completed) or cannot be parsed.
 *
 * `stopAtFirst` stops at the first problem (opening); otherwise every damaged line is listed
 * (verify), resynchronising on each line's own `seq` so that one missing line is one problem.
 */
export function scanLedger(bytes: Uint8Array, options: { stopAtFirst: boolean }): ScanResult {
  const spans: Array<[number, number]> = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === NEWLINE) {
      spans.push([start, i]);
      start = i + 1;
    }
  }
  let torn: TornLine | null = null;
  let completeBytes = bytes.length;
  if (start < bytes.length) {
    torn = { line: spans.length + 1, bytes: bytes.length - start };
    completeBytes = start;
  } else {
    const last = spans.at(-1);
    if (last && parseLine(bytes.subarray(last[0], last[1])) === undefined) {
      spans.pop();
      torn = { line: spans.length + 1, bytes: last[1] + 1 - last[0] };
      completeBytes = last[0];
    }
  }

  const records: LedgerRecord[] = [];
  const problems: string[] = [];
  let prevHash = ZERO_HASH;
  let expectedSeq = 0;
  for (let i = 0; i < spans.length; i++) {
    const [from, to] = spans[i]!;
    const lineBytes = bytes.subarray(from, to);
    const n = i + 1;
    const problem = checkLine(lineBytes, n, prevHash, expectedSeq);
    prevHash = sha256Hex(lineBytes);
    if (typeof problem === 'string') {
      problems.push(`line ${n}: ${problem}`);
      if (options.stopAtFirst) break;
      expectedSeq = n;
      continue;
    }
    if ('record' in problem) records.push(problem.record);
    if ('problem' in problem) {
      problems.push(`line ${n}: ${problem.problem}`);
      if (options.stopAtFirst) break;
    }
    expectedSeq = problem.seq + 1;
  }
  return { records, lastHash: prevHash, completeBytes, torn, problems };
}

type LineCheck = string | { seq: number; record: LedgerRecord } | { seq: number; problem: string };

function checkLine(lineBytes: Uint8Array, n: number, prevHash: string, expectedSeq: number): LineCheck {
  let text: string;
  try {
    text = utf8.decode(lineBytes);
  } catch {
    return 'not valid UTF-8';
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return `not valid JSON (${(e as Error).message})`;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'expected a JSON object';
  const obj = value as Record<string, unknown>;
  if (obj.v !== LEDGER_VERSION) {
    return `unsupported record version v=${JSON.stringify(obj.v)} (this lockstep reads version ${LEDGER_VERSION})`;
  }
  const seq = obj.seq;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq))
    return `seq is ${JSON.stringify(seq)}, expected an integer`;
  if (seq !== expectedSeq) {
    return {
      seq,
      problem: `seq is ${seq} where ${expectedSeq} was expected (a line is missing, duplicated or out of order)`,
    };
  }
  if (obj.prev !== prevHash) {
    return {
      seq,
      problem:
        n === 1
          ? 'prev must be 64 zeros on the first line (this is not the start of a ledger)'
          : `prev hash does not match line ${n - 1} (edited, reordered or deleted lines)`,
    };
  }
  const parsed = ledgerRecordSchema.safeParse(obj);
  if (!parsed.success) {
    return { seq, problem: `invalid ${String(obj.type)} record: ${describeIssues(parsed.error)}` };
  }
  const record = parsed.data;
  if (n === 1 && record.type !== 'study')
    return { seq, problem: `expected the study record, found ${record.type}` };
  if (n > 1 && record.type === 'study')
    return { seq, problem: 'a second study record (only line 1 may hold one)' };
  return { seq, record };
}

function parseLine(lineBytes: Uint8Array): unknown {
  try {
    return JSON.parse(utf8.decode(lineBytes));
  } catch {
    return undefined;
  }
}
