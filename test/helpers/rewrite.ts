import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';

/** One ledger line, parsed: the envelope, the type and its body. */
export type Rec = Record<string, unknown> & { type: string; seq: number; prev: string };

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export function readRecords(file: string): Rec[] {
  return readFileSync(file, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Rec);
}

/**
 * Writes records as a ledger whose hash chain is intact: `seq` renumbered from 0 and every `prev`
 * recomputed, as a forger who knows the format would. So the chain check alone cannot see the edit.
 */
export function writeRechained(file: string, records: Rec[]): void {
  let prev = '0'.repeat(64);
  const lines = records.map((r, seq) => {
    const text = JSON.stringify({ ...r, seq, prev });
    prev = sha256(text);
    return text;
  });
  writeFileSync(file, `${lines.join('\n')}\n`);
}

/** Copies `from` to `to`, edits its records (in place, or returns new ones) and rechains it. Returns `to`. */
export function rewriteCopy(from: string, to: string, edit: (records: Rec[]) => Rec[] | undefined): string {
  copyFileSync(from, to);
  const records = readRecords(to);
  writeRechained(to, edit(records) ?? records);
  return to;
}

/** The records of trial `index` of one type (the last attempt's when it was started more than once). */
export function trialRecords(records: Rec[], index: number, type: string): Rec[] {
  return records.filter((r) => r.type === type && r.index === index);
}
