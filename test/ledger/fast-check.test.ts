import { describe, expect, it } from 'vitest';
import { fastRecord } from '../../src/ledger/fast-check.js';
import { ledgerRecordSchema } from '../../src/ledger/records.js';

// The journal's fast path for trial records must accept only what the schema accepts, and build the same
// record (same fields, same order). Checked on valid records and on many one-field mutations of them.

const H = 'a'.repeat(64);
const base: Record<string, unknown>[] = [
  {
    v: 1,
    seq: 3,
    prev: H,
    type: 'trial.started',
    index: 2,
    id: 't-2',
    seed: 7,
    params: { x: 0.5, c: 'b', f: true },
  },
  { v: 1, seq: 4, prev: H, type: 'trial.progress', index: 2, epoch: 1, metrics: { loss: 0.25, acc: 'NaN' } },
  {
    v: 1,
    seq: 5,
    prev: H,
    type: 'trial.finished',
    index: 2,
    state: 'complete',
    score: 0.125,
    metrics: { value: 0.125, b: '-Infinity' },
    epochs: 3,
    weightsHash: null,
    error: null,
    cause: null,
  },
  {
    v: 1,
    seq: 6,
    prev: H,
    type: 'trial.meta',
    index: 2,
    wallMs: 1.5,
    worker: null,
    startedAt: '2026-11-26T21:00:00.123Z',
    finishedAt: '2026-11-26T21:00:01Z',
  },
];

const odd: unknown[] = [
  null,
  undefined,
  -1,
  -0,
  0,
  1.5,
  2 ** 53,
  1e308,
  Number.POSITIVE_INFINITY,
  Number.NaN,
  '',
  'x',
  'NaN',
  'Infinity',
  'complete',
  'pruned',
  'failed',
  'trial',
  'environment',
  true,
  false,
  {},
  [],
  [1],
  { a: 1 },
  { a: 'NaN' },
  { a: { b: 1 } },
  { a: null },
  { a: [] },
  JSON.parse('{"__proto__": 1}'),
  H,
  'A'.repeat(64),
  'a'.repeat(63),
  '2026-11-26T21:00:00Z',
  '2026-11-26T21:00:00.5Z',
  '2026-11-26T21:00:00+01:00',
  '2026-11-26 21:00:00Z',
  '2026-02-30T21:00:00Z',
  '2026-11-26T24:00:00Z',
  '2026-11-26',
  'trial.started',
  'trial.meta',
];

function mutations(r: Record<string, unknown>): unknown[] {
  const out: unknown[] = [];
  for (const k of Object.keys(r)) {
    for (const v of odd) out.push({ ...r, [k]: v });
    const { [k]: _, ...without } = r;
    out.push(without);
  }
  out.push({ ...r, extra: 1 });
  out.push(Object.assign(Object.create(null), r));
  out.push([r]);
  out.push(null);
  return out;
}

describe('fastRecord', () => {
  it('accepts the valid trial records, giving exactly what the schema gives', () => {
    for (const r of base) {
      const fast = fastRecord(JSON.parse(JSON.stringify(r)));
      const parsed = ledgerRecordSchema.safeParse(JSON.parse(JSON.stringify(r)));
      expect(parsed.success).toBe(true);
      expect(fast).toBeDefined();
      expect(JSON.stringify(fast)).toBe(JSON.stringify(parsed.data));
    }
  });

  it('accepts a mutation only when the schema does, and then gives the same record', () => {
    let accepted = 0;
    let total = 0;
    for (const r of base) {
      for (const m of mutations(r)) {
        total++;
        const fast = fastRecord(m);
        const parsed = ledgerRecordSchema.safeParse(m);
        if (fast === undefined) continue;
        accepted++;
        expect(parsed.success, JSON.stringify(m)).toBe(true);
        expect(JSON.stringify(fast)).toBe(JSON.stringify(parsed.data));
        expect(Object.keys(fast)).toEqual(Object.keys(parsed.data!));
      }
    }
    // The fast path is used for a fair share of them (e.g. other valid values of a field).
    expect(accepted).toBeGreaterThan(50);
    expect(accepted).toBeLessThan(total);
  });
});
