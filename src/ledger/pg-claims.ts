import type pg from 'pg';
import { LockstepError } from '../errors.js';

/** What the claim queue needs of its ledger: the study's tables and key, and statements retried while the server is away. */
export interface PgStudyAccess {
  readonly schema: string;
  /** The study's key (known once the ledger is open). */
  studyKey(): string;
  query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
  /** Runs `fn` in one transaction. */
  tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T>;
}

/** A worker's claim on a trial went to another worker (its lease expired): the worker drops the trial. */
export class LeaseLostError extends LockstepError {
  constructor(message: string) {
    super('E_ABORTED', message);
    this.name = 'LeaseLostError';
  }
}

/** A claim of the queue, as `list` shows it. */
export interface PgClaim {
  index: number;
  owner: string;
  done: boolean;
  /** How many times the index was claimed (> 1 after a lease expired). */
  claims: number;
}

/**
 * The distributed worker's work queue beside a study's ledger: one row per trial index (and -1 for the
 * refit) in `<schema>.claims`. A worker claims an index for a lease, renews the lease while it runs the
 * trial, and either appends the trial's end with the claim marked done (PgLedger.appendAll, in the append's
 * transaction) or releases it for the next claimer. An expired lease is a lost worker: its index is handed
 * out again, lowest first.
 */
export class PgClaimQueue {
  constructor(private readonly db: PgStudyAccess) {}

  /**
   * Claims the lowest trial index whose lease expired, else the next index never claimed (below the
   * study's budget), for `leaseMs`. Null when every index is claimed (live) or done.
   */
  async claim(owner: string, leaseMs: number): Promise<number | null> {
    const s = this.db.schema;
    const key = this.db.studyKey();
    return this.db.tx(async (c) => {
      const head = await c.query<{ trials: number }>(
        `SELECT trials FROM ${s}.studies WHERE study_key = $1 FOR UPDATE`,
        [key],
      );
      const trials = head.rows[0]?.trials ?? 0;
      const expired = await c.query<{ idx: number }>(
        `SELECT idx FROM ${s}.claims WHERE study_key = $1 AND NOT done AND lease_expires < clock_timestamp() AND idx >= 0 AND idx < $2 ORDER BY idx LIMIT 1`,
        [key, trials],
      );
      const lease = leaseInterval(leaseMs);
      const old = expired.rows[0];
      if (old !== undefined) {
        await c.query(
          `UPDATE ${s}.claims SET owner = $3, lease_expires = clock_timestamp() + $4::interval, claims = claims + 1 WHERE study_key = $1 AND idx = $2`,
          [key, old.idx, owner, lease],
        );
        return old.idx;
      }
      const next = await c.query<{ next: number }>(
        `SELECT coalesce(max(idx) + 1, 0) AS next FROM ${s}.claims WHERE study_key = $1`,
        [key],
      );
      const idx = next.rows[0]!.next;
      if (idx >= trials) return null;
      await c.query(
        `INSERT INTO ${s}.claims (study_key, idx, owner, lease_expires) VALUES ($1, $2, $3, clock_timestamp() + $4::interval)`,
        [key, idx, owner, lease],
      );
      return idx;
    });
  }

  /**
   * Claims one given index (e.g. -1 for the study's refit): when nobody has, or its lease expired and it
   * is not done. True when `owner` holds it now.
   */
  async claimIndex(index: number, owner: string, leaseMs: number): Promise<boolean> {
    const s = this.db.schema;
    const key = this.db.studyKey();
    return this.db.tx(async (c) => {
      await c.query(`SELECT 1 FROM ${s}.studies WHERE study_key = $1 FOR UPDATE`, [key]);
      const r = await c.query(
        `INSERT INTO ${s}.claims AS c (study_key, idx, owner, lease_expires) VALUES ($1, $2, $3, clock_timestamp() + $4::interval)
         ON CONFLICT (study_key, idx) DO UPDATE SET owner = $3, lease_expires = clock_timestamp() + $4::interval, claims = c.claims + 1
         WHERE NOT c.done AND c.lease_expires < clock_timestamp()`,
        [key, index, owner, leaseInterval(leaseMs)],
      );
      return (r.rowCount ?? 0) > 0;
    });
  }

  /** Marks a claim done without appending (its trial was found finished in the ledger). */
  async finish(index: number): Promise<void> {
    await this.db.query(`UPDATE ${this.db.schema}.claims SET done = true WHERE study_key = $1 AND idx = $2`, [
      this.db.studyKey(),
      index,
    ]);
  }

  /** Extends a claim's lease; false when `owner` no longer holds it (it expired and was given to another). */
  async renew(index: number, owner: string, leaseMs: number): Promise<boolean> {
    const r = await this.db.query(
      `UPDATE ${this.db.schema}.claims SET lease_expires = clock_timestamp() + $4::interval WHERE study_key = $1 AND idx = $2 AND owner = $3 AND NOT done`,
      [this.db.studyKey(), index, owner, leaseInterval(leaseMs)],
    );
    return (r.rowCount ?? 0) > 0;
  }

  /** Gives a claim back at once (its trial is to be run again, by whoever claims it next). */
  async release(index: number, owner: string): Promise<void> {
    await this.db.query(
      `UPDATE ${this.db.schema}.claims SET lease_expires = '-infinity' WHERE study_key = $1 AND idx = $2 AND owner = $3 AND NOT done`,
      [this.db.studyKey(), index, owner],
    );
  }

  /** Whether a claim below `index` has an expired lease (a lost worker's trial that nobody took yet). */
  async expiredBelow(index: number): Promise<boolean> {
    const r = await this.db.query(
      `SELECT 1 FROM ${this.db.schema}.claims WHERE study_key = $1 AND idx < $2 AND NOT done AND lease_expires < clock_timestamp() LIMIT 1`,
      [this.db.studyKey(), index],
    );
    return (r.rowCount ?? 0) > 0;
  }

  /**
   * Inside an append's transaction (PgLedger.appendAll): throws a LeaseLostError, so that nothing is
   * written, unless `claim.owner` still holds `claim.index`.
   */
  async assertHeld(c: pg.PoolClient, claim: { index: number; owner: string }): Promise<void> {
    const r = await c.query<{ owner: string; done: boolean }>(
      `SELECT owner, done FROM ${this.db.schema}.claims WHERE study_key = $1 AND idx = $2`,
      [this.db.studyKey(), claim.index],
    );
    const row = r.rows[0];
    if (row === undefined || row.owner !== claim.owner || row.done) {
      throw new LeaseLostError(
        `trial ${claim.index}: the claim of ${claim.owner} was lost (${row === undefined ? 'no claim' : row.done ? 'done' : `now ${row.owner}'s`})`,
      );
    }
  }

  /** Inside an append's transaction: the claim's trial is finished for good, with the append. */
  async markDone(c: pg.PoolClient, index: number): Promise<void> {
    await c.query(`UPDATE ${this.db.schema}.claims SET done = true WHERE study_key = $1 AND idx = $2`, [
      this.db.studyKey(),
      index,
    ]);
  }

  /** Every claim of the study (tests and diagnostics). */
  async list(): Promise<PgClaim[]> {
    const r = await this.db.query<{ idx: number; owner: string; done: boolean; claims: number }>(
      `SELECT idx, owner, done, claims FROM ${this.db.schema}.claims WHERE study_key = $1 ORDER BY idx`,
      [this.db.studyKey()],
    );
    return r.rows.map((x) => ({ index: x.idx, owner: x.owner, done: x.done, claims: x.claims }));
  }
}

function leaseInterval(leaseMs: number): string {
  return `${Math.max(1, Math.round(leaseMs))} milliseconds`;
}
