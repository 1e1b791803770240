import { describe, expect, it } from 'vitest';
import { LedgerError } from '../../src/errors.js';
import type { Ledger, StudyInfo } from '../../src/ledger/index.js';
import { studyDigest, ZERO_HASH } from '../../src/ledger/index.js';
import { completeTrial, envFailed, finished, sampleStudy, started } from './fixtures.js';

/** How the contract makes and reopens ledgers of one implementation. */
export interface LedgerHarness {
  /** A new ledger, open for writing, holding only the study record. */
  create(study: StudyInfo): Ledger | Promise<Ledger>;
  /** Opens again, for writing, the ledger at `location` (closed before). */
  reopen(location: string): Ledger | Promise<Ledger>;
  /** Removes what the harness made. */
  cleanup(): void | Promise<void>;
}

/** Runs `fn` and returns its promise, so that a synchronous throw and a rejection are tested alike. */
const attempt = (fn: () => unknown) => Promise.resolve().then(fn);

/** The behaviour every Ledger implementation must show. */
export function ledgerContract(name: string, makeHarness: () => LedgerHarness): void {
  describe(`Ledger contract: ${name}`, () => {
    const withLedger = (fn: (ledger: Ledger, h: LedgerHarness) => Promise<void>) => async () => {
      const h = makeHarness();
      const ledger = await h.create(sampleStudy());
      try {
        await fn(ledger, h);
      } finally {
        await ledger.close();
        await h.cleanup();
      }
    };

    it(
      'starts with the study record at seq 0 with a zero prev hash',
      withLedger(async (ledger) => {
        const [first, ...rest] = ledger.records();
        expect(rest).toHaveLength(0);
        expect(first).toMatchObject({ v: 1, seq: 0, prev: ZERO_HASH, type: 'study', study: sampleStudy() });
        expect(ledger.state().study).toEqual(sampleStudy());
      }),
    );

    it(
      'returns appended records in append order, each chained to the one before',
      withLedger(async (ledger) => {
        const appended = [];
        for (const b of [...completeTrial(1, 0.9), ...completeTrial(0, 0.8)])
          appended.push(await ledger.append(b));
        const all = ledger.records();
        expect(all.slice(1)).toEqual(appended);
        expect(all.map((r) => r.seq)).toEqual(all.map((_r, i) => i));
        const prevs = all.slice(1).map((r) => r.prev);
        for (const p of prevs) expect(p).toMatch(/^[0-9a-f]{64}$/);
        expect(new Set(prevs).size).toBe(prevs.length);
        expect(prevs).not.toContain(ZERO_HASH);
        expect(all.map((r) => r.type)).toEqual([
          'study',
          'trial.started',
          'trial.progress',
          'trial.progress',
          'trial.finished',
          'trial.started',
          'trial.progress',
          'trial.progress',
          'trial.finished',
        ]);
      }),
    );

    it('gives the same records and the same state after reopening', async () => {
      const h = makeHarness();
      try {
        const ledger = await h.create(sampleStudy());
        for (const b of [...completeTrial(0, 0.5), ...completeTrial(1, 0.7), started(2)])
          await ledger.append(b);
        const before = ledger.records().slice();
        const digest = studyDigest(ledger.state());
        await ledger.close();
        const again = await h.reopen(ledger.location);
        try {
          expect(again.records()).toEqual(before);
          expect(studyDigest(again.state())).toBe(digest);
          expect(again.state().trials.map((t) => t.state)).toEqual(['complete', 'complete', 'running']);
          const next = await again.append(finished(2, 0.6));
          expect(next.seq).toBe(before.length);
        } finally {
          await again.close();
        }
      } finally {
        await h.cleanup();
      }
    });

    it('applies appends in call order, also when they are not awaited one by one', async () => {
      const h = makeHarness();
      try {
        const ledger = await h.create(sampleStudy());
        try {
          const all = await Promise.all(completeTrial(0, 0.5).map((b) => ledger.append(b)));
          expect(all.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
          expect(ledger.state().trials[0]).toMatchObject({ state: 'complete', score: 0.5 });
        } finally {
          await ledger.close();
        }
      } finally {
        await h.cleanup();
      }
    });

    it(
      'refuses to start again a trial that finished, and writes nothing',
      withLedger(async (ledger, h) => {
        for (const b of completeTrial(0, 0.5)) await ledger.append(b);
        const n = ledger.records().length;
        await expect(attempt(() => ledger.append(started(0)))).rejects.toThrow(LedgerError);
        await expect(attempt(() => ledger.append(started(0)))).rejects.toThrow(
          /trial 0 is started again, but it already finished \(complete\)/,
        );
        expect(ledger.records()).toHaveLength(n);
        await ledger.close();
        const again = await h.reopen(ledger.location);
        try {
          expect(again.records()).toHaveLength(n);
          await expect(attempt(() => again.append(started(0)))).rejects.toThrow(LedgerError);
        } finally {
          await again.close();
        }
      }),
    );

    it(
      'lets a trial that failed for the environment, or never finished, start again from scratch',
      withLedger(async (ledger) => {
        for (const b of completeTrial(0, 0.5).slice(0, 2)) await ledger.append(b); // crashed after epoch 1
        await ledger.append(started(0));
        await ledger.append(envFailed(0));
        await ledger.append(started(0));
        const t = ledger.state().trials[0]!;
        expect(t).toMatchObject({ index: 0, state: 'running', attempts: 3, progress: [] });
      }),
    );

    it(
      'refuses an invalid record without writing it',
      withLedger(async (ledger) => {
        await ledger.append(started(0));
        const bad = { ...finished(0, 0.5), score: 'high' } as unknown as Parameters<Ledger['append']>[0];
        await expect(attempt(() => ledger.append(bad))).rejects.toThrow(
          /invalid trial\.finished record: score/,
        );
        await expect(attempt(() => ledger.append(finished(3, 0.5)))).rejects.toThrow(
          /trial 3, which was never started/,
        );
        await expect(attempt(() => ledger.append({ type: 'study', study: sampleStudy() }))).rejects.toThrow(
          /a second study record/,
        );
        expect(ledger.records()).toHaveLength(2);
      }),
    );

    it('keeps NaN and infinite metrics through a reopen', async () => {
      const h = makeHarness();
      try {
        const ledger = await h.create(sampleStudy());
        await ledger.append(started(0));
        await ledger.append({
          type: 'trial.progress',
          index: 0,
          epoch: 1,
          metrics: {
            train_loss: Number.NaN,
            a: Number.POSITIVE_INFINITY,
            b: Number.NEGATIVE_INFINITY,
            c: -0.5,
          },
        });
        await ledger.close();
        const again = await h.reopen(ledger.location);
        try {
          const m = again.state().trials[0]!.progress[0]!.metrics;
          expect(m.train_loss).toBeNaN();
          expect(m.a).toBe(Number.POSITIVE_INFINITY);
          expect(m.b).toBe(Number.NEGATIVE_INFINITY);
          expect(m.c).toBe(-0.5);
        } finally {
          await again.close();
        }
      } finally {
        await h.cleanup();
      }
    });

    it(
      'refuses appends after close',
      withLedger(async (ledger) => {
        await ledger.close();
        await expect(attempt(() => ledger.append(started(0)))).rejects.toThrow(/not open/);
      }),
    );
  });
}
