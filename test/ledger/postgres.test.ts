import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LedgerError } from '../../src/errors.js';
import { copyLedger } from '../../src/ledger/copy.js';
import { createLedger, studyDigest, verifyLedger } from '../../src/ledger/index.js';
import { PgLedger } from '../../src/ledger/postgres.js';
import { openPgLedger, readLedgerAny, verifyLedgerAny } from '../../src/ledger/url.js';
import {
  dropSchema,
  lockPostgresTests,
  requirePostgres,
  schemaUrl,
  sql,
  uniqueSchema,
} from '../distributed/pg.js';
import { ledgerContract } from './contract.js';
import { completeTrial, finished, sampleStudy, started, tempDir } from './fixtures.js';

const schemas: string[] = [];
let release: (() => void) | undefined;
beforeAll(async () => {
  release = await lockPostgresTests();
  await requirePostgres();
}, 900_000);
afterAll(async () => {
  try {
    for (const s of schemas) await dropSchema(s);
  } finally {
    release?.();
  }
});

ledgerContract('PgLedger', () => {
  const schema = uniqueSchema('contract');
  schemas.push(schema);
  return {
    create: async (study) => {
      const ledger = new PgLedger(schemaUrl(schema));
      await ledger.create(study, 4);
      return ledger;
    },
    reopen: (location) => openPgLedger(location),
    cleanup: () => dropSchema(schema),
  };
});

describe('PgLedger: shared by several writers', () => {
  it('serialises appends from two writers into one valid chain that both see', async () => {
    const schema = uniqueSchema('two');
    schemas.push(schema);
    const a = new PgLedger(schemaUrl(schema));
    await a.create(sampleStudy(), 8);
    const b = await openPgLedger(a.location);
    try {
      // Interleaved: each writer's appends are checked against the other's records.
      await Promise.all([
        (async () => {
          for (const r of completeTrial(0, 0.5)) await a.append(r);
        })(),
        (async () => {
          for (const r of completeTrial(1, 0.6)) await b.append(r);
        })(),
      ]);
      await a.refresh();
      await b.refresh();
      expect(a.storedLines()).toEqual(b.storedLines());
      expect(a.records().map((r) => r.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
      expect(studyDigest(a.state())).toBe(studyDigest(b.state()));
      // b has not refreshed since a finished trial 0, yet b's append sees it.
      await expect(b.append(started(0))).rejects.toThrow(/trial 0 is started again, but it already finished/);
      const v = await verifyLedgerAny(a.location);
      expect(v).toMatchObject({ ok: true, lines: 9, trials: 2 });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('gives every claim index once to racing claimers, and an expired lease to the next claimer', async () => {
    const schema = uniqueSchema('claims');
    schemas.push(schema);
    const a = new PgLedger(schemaUrl(schema));
    await a.create(sampleStudy(), 30);
    const b = await openPgLedger(a.location);
    try {
      const got: number[] = [];
      const claimer = async (l: PgLedger, owner: string) => {
        for (;;) {
          const i = await l.claims.claim(owner, 60_000);
          if (i === null) return;
          got.push(i);
        }
      };
      await Promise.all([claimer(a, 'a'), claimer(b, 'b'), claimer(a, 'a2'), claimer(b, 'b2')]);
      expect(got.slice().sort((x, y) => x - y)).toEqual([...Array(30).keys()]);
      expect(await a.claims.claim('c', 1000)).toBeNull();
      const owner = (await a.claims.list()).find((c) => c.index === 7)!.owner;
      await a.claims.release(7, owner);
      expect(await b.claims.renew(7, owner, 1000)).toBe(true); // renewing revives a released lease of its owner
      await a.claims.release(7, owner);
      expect(await b.claims.expiredBelow(8)).toBe(true);
      expect(await b.claims.claim('c', 1000)).toBe(7);
      expect(await a.claims.renew(7, owner, 1000)).toBe(false);
      await expect(a.appendAll([started(7)], { index: 7, owner })).rejects.toThrow(/claim of .* was lost/);
      const r = await b.appendAll([started(7)], { index: 7, owner: 'c' });
      expect(r[0]).toMatchObject({ type: 'trial.started', index: 7 });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('copies file → PostgreSQL → file to the same bytes, and verify passes on both', async () => {
    const schema = uniqueSchema('copy');
    schemas.push(schema);
    const dir = tempDir();
    try {
      const src = join(dir.dir, 'a.jsonl');
      const file = createLedger(src, sampleStudy());
      for (const r of [...completeTrial(0, 0.5), ...completeTrial(1, Number.NaN), started(2)]) file.append(r);
      file.close();
      const url = schemaUrl(schema);
      const up = await copyLedger(src, url);
      const back = join(dir.dir, 'b.jsonl');
      const down = await copyLedger(up.to, back);
      expect(readFileSync(back)).toEqual(readFileSync(src));
      expect(down.digest).toBe(up.digest);
      expect(verifyLedger(back)).toMatchObject({ ok: true, digest: up.digest });
      expect(await verifyLedgerAny(up.to)).toMatchObject({ ok: true, digest: up.digest });
      expect(studyDigest((await readLedgerAny(up.to)).state)).toBe(up.digest);
      await expect(copyLedger(src, url)).rejects.toThrow(/already exists/);
      await expect(copyLedger(src, back)).rejects.toThrow(/already exists/);
    } finally {
      dir.cleanup();
    }
  });

  it('detects an edited line: verify names it, opening refuses it', async () => {
    const schema = uniqueSchema('edit');
    schemas.push(schema);
    const a = new PgLedger(schemaUrl(schema));
    await a.create(sampleStudy(), 4);
    for (const r of completeTrial(0, 0.5)) await a.append(r);
    await a.close();
    expect(await verifyLedgerAny(schemaUrl(schema))).toMatchObject({ ok: true });
    await sql(`UPDATE ${schema}.records SET line = replace(line, '"epoch":1', '"epoch":0') WHERE seq = 2`);
    const v = await verifyLedgerAny(schemaUrl(schema));
    expect(v.ok).toBe(false);
    expect(v.problems).toEqual([expect.stringMatching(/line 4: prev hash does not match line 3/)]);
    await expect(openPgLedger(schemaUrl(schema))).rejects.toThrow(LedgerError);
    await expect(openPgLedger(schemaUrl(schema))).rejects.toThrow(/line 4: prev hash does not match line 3/);
  });

  it('names the study when a schema holds several, and refuses an unknown one', async () => {
    const schema = uniqueSchema('many');
    schemas.push(schema);
    const a = new PgLedger(schemaUrl(schema));
    await a.create(sampleStudy(), 4);
    await a.close();
    const b = new PgLedger(schemaUrl(schema));
    await b.create(sampleStudy({ key: 'fedcba9876543210', name: 'other' }), 4);
    await b.append(started(0));
    await b.append(finished(0, 0.5, 0));
    await b.close();
    await expect(readLedgerAny(schemaUrl(schema))).rejects.toThrow(/holds 2 studies; name one with \?study=/);
    expect((await readLedgerAny(schemaUrl(schema, 'other'))).state.trials).toHaveLength(1);
    expect((await readLedgerAny(schemaUrl(schema, '0123456789abcdef'))).state.trials).toHaveLength(0);
    await expect(readLedgerAny(schemaUrl(schema, 'nope'))).rejects.toThrow(/no study nope/);
  });
});
