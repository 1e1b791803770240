import { createHash } from 'node:crypto';
import pg from 'pg';
import { LedgerError, LockstepError, NotFoundError } from '../errors.js';
import { StudyFold } from './fold.js';
import { serialize } from './journal.js';
import { stallPoint } from './kill-point.js';
import { PgClaimQueue } from './pg-claims.js';
import {
  describeIssues,
  LEDGER_VERSION,
  type LedgerRecord,
  ledgerRecordSchema,
  type RecordBody,
  type StudyInfo,
  ZERO_HASH,
} from './records.js';
import { scanLedger } from './scan.js';
import type { Ledger, OpenReport, StudyState } from './types.js';

/**
 * A ledger in PostgreSQL, shared by any number of processes on any number of machines.
 *
 * It stores the very lines a {@link FileLedger} writes, one row per line (`records(study_key, seq, line)`),
 * so the hash chain and the digest are the same in both storages, and a study copied from one to the
 * other is byte for byte the same. Appends from every process are serialised on the study's head row
 * (`SELECT … FOR UPDATE`): each append first reads the lines others appended since, checks the new record
 * against the fold of all of them, and chains it to the store's last line. `records()` is a local cache,
 * brought up to date by every append and by `refresh()`.
 *
 * Losing the connection (a restarted server, a network cut) is waited out: every statement is retried
 * with backoff for up to `retryMs`. An append whose COMMIT's answer was lost is recognised on retry by its
 * exact line at its seq, so it is never written twice.
 *
 * A writer that stalls while it holds the study's row (a paused process, a frozen machine) must not stall
 * the study: every session has a `lock_timeout` (a statement that waits longer for the row gives up, and
 * its transaction is retried) and an `idle_in_transaction_session_timeout` (the server ends a session that
 * sits idle inside a transaction, which rolls back what it wrote and releases the row), and TCP keepalives.
 * A stalled writer that resumes finds its session gone: its transaction is retried from a fresh read, where
 * its claim has usually gone to another worker (a LeaseLostError, ledger/pg-claims.ts).
 *
 * The claims table hands out trial indices to workers, with a lease that the worker renews while it trains.
 *
 * Only the writers' calls (`create`, `openOrCreate`, `importLines`, or `ensureTables` itself) create the
 * schema and tables. A reader (`open`, `rawLines`, `studies`) never creates anything, and with `readOnly`
 * its sessions are read-only, so a role that may only SELECT can read, and a schema without a ledger is
 * a NotFoundError.
 */
export class PgLedger implements Ledger {
  readonly location: string;
  readonly warnings: string[] = [];
  readonly url: ParsedPgUrl;
  /** The study's work queue: which worker runs which trial index, under a lease. */
  readonly claims: PgClaimQueue;
  private readonly pool: pg.Pool;
  private readonly retryMs: number;
  private readonly onRetry: (message: string) => void;
  private readonly lockTimeoutMs: number;
  private key: string | null = null;
  private fold: StudyFold;
  private recs: LedgerRecord[] = [];
  private lines: string[] = [];
  private lastHash = ZERO_HASH;
  private opened = false;
  private closed = false;
  /** Appends from this process, in call order. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(url: string | ParsedPgUrl, options: PgLedgerOptions = {}) {
    this.url = typeof url === 'string' ? parsePgUrl(url) : url;
    this.location = this.url.display;
    const readOnly = options.readOnly === true;
    this.retryMs =
      options.retryMs ??
      envSeconds('LOCKSTEP_PG_RETRY_S') ??
      (readOnly ? DEFAULT_READ_RETRY_MS : DEFAULT_WRITE_RETRY_MS);
    this.onRetry = options.onRetry ?? (() => {});
    this.lockTimeoutMs =
      options.lockTimeoutMs ?? envMilliseconds('LOCKSTEP_PG_LOCK_TIMEOUT_MS', DEFAULT_LOCK_TIMEOUT_MS);
    const idleTxMs =
      options.idleTxTimeoutMs ??
      envMilliseconds('LOCKSTEP_PG_IDLE_TX_TIMEOUT_MS', DEFAULT_IDLE_TX_TIMEOUT_MS);
    this.pool = new pg.Pool({
      ...sessionOptions(this.url.connectionString, readOnly),
      max: options.connections ?? 4,
      // One attempt never outlasts the whole wait (a host that drops packets instead of refusing).
      connectionTimeoutMillis: Math.min(5000, Math.max(1000, this.retryMs)),
      // Sent at connection start, so they hold for every statement of the session (0 turns one off).
      lock_timeout: this.lockTimeoutMs,
      idle_in_transaction_session_timeout: idleTxMs,
      // A server or network that vanishes without a word: the socket notices instead of waiting forever.
      keepAlive: true,
      keepAliveInitialDelayMillis: KEEPALIVE_IDLE_MS,
    });
    // An idle connection that the server drops: the next query reconnects (and retries).
    this.pool.on('error', () => {});
    this.fold = new StudyFold(`ledger ${this.location}`);
    this.claims = new PgClaimQueue({
      schema: this.url.schema,
      studyKey: () => this.studyKey,
      query: (text, values) => this.query(text, values),
      tx: (fn) => this.tx(fn),
    });
  }

  /** The study's key, once opened or created. */
  get studyKey(): string {
    if (this.key === null) throw new LedgerError(`ledger ${this.location}: not open`);
    return this.key;
  }

  /** Creates the schema and tables if they are missing (idempotent, safe from several processes at once). */
  async ensureTables(): Promise<void> {
    const s = this.url.schema;
    await this.tx(async (c) => {
      await c.query("SELECT pg_advisory_xact_lock(hashtext('lockstep-ddl'))");
      await c.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
      await c.query(
        `CREATE TABLE IF NOT EXISTS ${s}.studies (study_key text PRIMARY KEY, name text NOT NULL, trials integer NOT NULL, head integer NOT NULL)`,
      );
      await c.query(
        `CREATE TABLE IF NOT EXISTS ${s}.records (study_key text NOT NULL REFERENCES ${s}.studies ON DELETE CASCADE, seq integer NOT NULL, line text NOT NULL, PRIMARY KEY (study_key, seq))`,
      );
      await c.query(
        `CREATE TABLE IF NOT EXISTS ${s}.claims (study_key text NOT NULL REFERENCES ${s}.studies ON DELETE CASCADE, idx integer NOT NULL, owner text NOT NULL, lease_expires timestamptz NOT NULL, done boolean NOT NULL DEFAULT false, claims integer NOT NULL DEFAULT 1, PRIMARY KEY (study_key, idx))`,
      );
    });
  }

  /**
   * Opens the study named by the URL's `study` (a key or a name), or the only study of the schema,
   * reading and verifying every line.
   */
  async open(): Promise<OpenReport> {
    this.assertFresh();
    const key = await this.resolveStudy(this.url.study);
    await this.load(key);
    return { records: this.recs.length, warnings: [...this.warnings] };
  }

  /** Creates the study with its record; refuses if the study exists. */
  async create(study: StudyInfo, trials: number): Promise<OpenReport> {
    this.assertFresh();
    await this.ensureTables();
    const line = this.checkedLine(0, ZERO_HASH, { type: 'study', study });
    const inserted = await this.tx(async (c) => {
      const r = await c.query(
        `INSERT INTO ${this.url.schema}.studies (study_key, name, trials, head) VALUES ($1, $2, $3, 1) ON CONFLICT DO NOTHING`,
        [study.key, study.name, trials],
      );
      if (r.rowCount === 0) return false;
      await c.query(`INSERT INTO ${this.url.schema}.records (study_key, seq, line) VALUES ($1, 0, $2)`, [
        study.key,
        line,
      ]);
      return true;
    });
    if (!inserted) {
      throw new LedgerError(`ledger ${this.url.display}: study ${study.key} (${study.name}) already exists`);
    }
    await this.load(study.key);
    return { records: 1, warnings: [...this.warnings] };
  }

  /**
   * Opens the study `study.key`, creating it first when it does not exist (several workers may race to
   * create it: one wins, all open the same study). `trials` raises the study's trial budget when higher.
   * Returns whether this call created it.
   */
  async openOrCreate(study: StudyInfo, trials: number): Promise<boolean> {
    this.assertFresh();
    await this.ensureTables();
    const line = this.checkedLine(0, ZERO_HASH, { type: 'study', study });
    const created = await this.tx(async (c) => {
      const r = await c.query(
        `INSERT INTO ${this.url.schema}.studies (study_key, name, trials, head) VALUES ($1, $2, $3, 1) ON CONFLICT DO NOTHING`,
        [study.key, study.name, trials],
      );
      if (r.rowCount === 0) {
        await c.query(
          `UPDATE ${this.url.schema}.studies SET trials = greatest(trials, $2) WHERE study_key = $1`,
          [study.key, trials],
        );
        return false;
      }
      await c.query(`INSERT INTO ${this.url.schema}.records (study_key, seq, line) VALUES ($1, 0, $2)`, [
        study.key,
        line,
      ]);
      return true;
    });
    await this.load(study.key);
    return created;
  }

  /** Every study in the schema: key, name and trial budget. A schema without lockstep's tables is a NotFoundError. */
  async studies(): Promise<{ key: string; name: string; trials: number }[]> {
    let r: pg.QueryResult<{ study_key: string; name: string; trials: number }>;
    try {
      r = await this.query(
        `SELECT study_key, name, trials FROM ${this.url.schema}.studies ORDER BY study_key`,
      );
    } catch (e) {
      const code = sqlState((e as { cause?: unknown }).cause);
      if (code === '42P01' || code === '3F000') {
        throw new NotFoundError(
          `ledger ${this.url.display}: schema ${this.url.schema} holds no lockstep ledger (no table ${this.url.schema}.studies)`,
          { cause: e },
        );
      }
      throw e;
    }
    return r.rows.map((x) => ({ key: x.study_key, name: x.name, trials: x.trials }));
  }

  /** The stored lines of the URL's study, unchecked and in seq order (for verify, which reports damage). */
  async rawLines(): Promise<string[]> {
    const key = await this.resolveStudy(this.url.study);
    (this as { location: string }).location =
      `${this.url.base}${this.url.base.includes('?') ? '&' : '?'}schema=${this.url.schema}&study=${key}`;
    const r = await this.query<{ line: string }>(
      `SELECT line FROM ${this.url.schema}.records WHERE study_key = $1 ORDER BY seq`,
      [key],
    );
    return r.rows.map((x) => x.line);
  }

  /** The study's trial budget (workers stop claiming at it). */
  async trials(): Promise<number> {
    const r = await this.query<{ trials: number }>(
      `SELECT trials FROM ${this.url.schema}.studies WHERE study_key = $1`,
      [this.studyKey],
    );
    return r.rows[0]?.trials ?? 0;
  }

  append(body: RecordBody): Promise<LedgerRecord> {
    return this.appendAll([body]).then((r) => r[0]!);
  }

  /**
   * Appends several records in one transaction (all or none), in order. With `claim`, only while
   * `claim.owner` still holds the claim on `claim.index` (else a LeaseLostError, and nothing is
   * written); with `claim.done`, the claim is marked done in the same transaction.
   */
  appendAll(
    bodies: RecordBody[],
    claim?: { index: number; owner: string; done?: boolean },
  ): Promise<LedgerRecord[]> {
    const run = this.queue.then(() => this.appendNow(bodies, claim));
    this.queue = run.catch(() => {});
    return run;
  }

  /** Reads the lines other writers appended since; returns how many were new. */
  async refresh(): Promise<number> {
    this.assertOpen('refresh');
    const r = await this.query<{ seq: number; line: string }>(
      `SELECT seq, line FROM ${this.url.schema}.records WHERE study_key = $1 AND seq >= $2 ORDER BY seq`,
      [this.studyKey, this.recs.length],
    );
    this.absorb(r.rows);
    return r.rows.length;
  }

  records(): readonly LedgerRecord[] {
    return this.recs;
  }

  /** The stored lines, exactly (without newlines), in order. */
  storedLines(): readonly string[] {
    return this.lines;
  }

  state(): StudyState {
    return this.fold.state();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.opened = false;
    await this.queue;
    await this.pool.end();
  }

  /** Inserts stored lines verbatim into a new study (ledger copy). The lines must form a valid chain. */
  async importLines(lines: readonly string[], trials: number): Promise<void> {
    this.assertFresh();
    const scan = scanLedger(Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8'), { stopAtFirst: true });
    if (scan.problems[0] !== undefined) throw new LedgerError(`ledger copy: ${scan.problems[0]}`);
    const first = scan.records[0];
    if (first?.type !== 'study') throw new LedgerError('ledger copy: the source holds no study record');
    await this.ensureTables();
    const s = this.url.schema;
    await this.tx(async (c) => {
      const r = await c.query(
        `INSERT INTO ${s}.studies (study_key, name, trials, head) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
        [first.study.key, first.study.name, trials, lines.length],
      );
      if (r.rowCount === 0) {
        throw new LedgerError(`ledger ${this.url.display}: study ${first.study.key} already exists`);
      }
      for (let i = 0; i < lines.length; i += 500) {
        const chunk = lines.slice(i, i + 500);
        const values = chunk.map((_l, k) => `($1, ${i + k}, $${k + 2})`).join(', ');
        await c.query(`INSERT INTO ${s}.records (study_key, seq, line) VALUES ${values}`, [
          first.study.key,
          ...chunk,
        ]);
      }
    });
    await this.load(first.study.key);
  }

  // ── internals ─────────────────────────────────────────────────────────────────────────────────

  private async appendNow(
    bodies: RecordBody[],
    claim?: { index: number; owner: string; done?: boolean },
  ): Promise<LedgerRecord[]> {
    if (!this.opened) {
      throw new LedgerError(`ledger ${this.location}: cannot append, the ledger is not open`);
    }
    const s = this.url.schema;
    const key = this.studyKey;
    /** The lines of the last attempt, by seq: if its COMMIT's answer was lost, they may be stored. */
    let tried: { seq: number; lines: string[] } | null = null;
    return this.tx(async (c) => {
      await c.query(`SELECT head FROM ${s}.studies WHERE study_key = $1 FOR UPDATE`, [key]);
      const fresh = await c.query<{ seq: number; line: string }>(
        `SELECT seq, line FROM ${s}.records WHERE study_key = $1 AND seq >= $2 ORDER BY seq`,
        [key, this.recs.length],
      );
      this.absorb(fresh.rows);
      if (tried !== null && this.lines[tried.seq] === tried.lines[0]) {
        // The previous attempt committed; only its answer was lost.
        const t = tried;
        return this.recs.slice(t.seq, t.seq + t.lines.length);
      }
      if (claim !== undefined) await this.claims.assertHeld(c, claim);
      // Every record is checked against the fold as it is before this batch, and applied only once committed.
      const seq0 = this.recs.length;
      let prev = this.lastHash;
      const lines: string[] = [];
      const records: LedgerRecord[] = [];
      for (const [k, body] of bodies.entries()) {
        const line = this.checkedLine(seq0 + k, prev, body);
        const record = deepFreeze(ledgerRecordSchema.parse(JSON.parse(line)));
        this.fold.check(record);
        lines.push(line);
        records.push(record);
        prev = sha256(line);
      }
      tried = { seq: seq0, lines };
      const values = lines.map((_l, k) => `($1, ${seq0 + k}, $${k + 2})`).join(', ');
      await c.query(`INSERT INTO ${s}.records (study_key, seq, line) VALUES ${values}`, [key, ...lines]);
      await c.query(`UPDATE ${s}.studies SET head = $2 WHERE study_key = $1`, [key, seq0 + lines.length]);
      if (claim?.done) await this.claims.markDone(c, claim.index);
      await stallPoint(bodies.map((b) => b.type)); // test-only: holds the lock here; no-op outside tests
      return { commit: true as const, apply: () => this.absorbOwn(lines, records), records };
    }).then((r) => {
      if (Array.isArray(r)) return r;
      r.apply();
      return r.records;
    });
  }

  /** Serialises a record and checks its schema (but not the fold); a LedgerError names what is wrong. */
  private checkedLine(seq: number, prev: string, body: RecordBody): string {
    const refuse = (why: string): LedgerError =>
      new LedgerError(
        `ledger ${this.location}: refusing to append an invalid ${String(body.type)} record: ${why}`,
      );
    let line: string;
    try {
      line = serialize(seq, prev, body);
    } catch (e) {
      throw refuse((e as Error).message);
    }
    const parsed = ledgerRecordSchema.safeParse(JSON.parse(line));
    if (!parsed.success) throw refuse(describeIssues(parsed.error));
    return line;
  }

  private absorbOwn(lines: string[], records: LedgerRecord[]): void {
    for (const [k, line] of lines.entries()) {
      const record = records[k]!;
      if (this.lines.length !== record.seq) continue; // already read back by a refresh
      this.fold.apply(record);
      this.recs.push(record);
      this.lines.push(line);
      this.lastHash = sha256(line);
    }
  }

  /** Applies lines read from the store, checking their chain (seq, prev, schema, fold). */
  private absorb(rows: readonly { seq: number; line: string }[]): void {
    for (const row of rows) {
      if (row.seq < this.lines.length) continue;
      const where = `ledger ${this.location} line ${row.seq + 1}`;
      if (row.seq !== this.lines.length) throw new LedgerError(`${where}: a line is missing before it`);
      let value: unknown;
      try {
        value = JSON.parse(row.line);
      } catch (e) {
        throw new LedgerError(`${where}: not valid JSON (${(e as Error).message})`);
      }
      const obj = value as { v?: unknown; seq?: unknown; prev?: unknown };
      if (obj.v !== LEDGER_VERSION)
        throw new LedgerError(`${where}: unsupported record version v=${JSON.stringify(obj.v)}`);
      if (obj.seq !== row.seq)
        throw new LedgerError(`${where}: seq is ${JSON.stringify(obj.seq)} where ${row.seq} was expected`);
      if (obj.prev !== this.lastHash) {
        throw new LedgerError(
          `${where}: prev hash does not match line ${row.seq} (edited, reordered or deleted lines)`,
        );
      }
      const parsed = ledgerRecordSchema.safeParse(value);
      if (!parsed.success)
        throw new LedgerError(
          `${where}: invalid ${String((value as { type?: unknown }).type)} record: ${describeIssues(parsed.error)}`,
        );
      const record = deepFreeze(parsed.data);
      if ((row.seq === 0) !== (record.type === 'study')) {
        throw new LedgerError(
          `${where}: ${row.seq === 0 ? `expected the study record, found ${record.type}` : 'a second study record'}`,
        );
      }
      this.fold.apply(record);
      this.recs.push(record);
      this.lines.push(row.line);
      this.lastHash = sha256(row.line);
    }
  }

  private async load(key: string): Promise<void> {
    this.key = key;
    this.fold = new StudyFold(`ledger ${this.location}`);
    this.recs = [];
    this.lines = [];
    this.lastHash = ZERO_HASH;
    const r = await this.query<{ seq: number; line: string }>(
      `SELECT seq, line FROM ${this.url.schema}.records WHERE study_key = $1 ORDER BY seq`,
      [key],
    );
    if (r.rows.length === 0)
      throw new LedgerError(`ledger ${this.location}: study ${key} holds no study record`);
    this.absorb(r.rows);
    (this as { location: string }).location =
      `${this.url.base}${this.url.base.includes('?') ? '&' : '?'}schema=${this.url.schema}&study=${key}`;
    this.opened = true;
  }

  private async resolveStudy(want: string | null): Promise<string> {
    const all = await this.studies();
    if (want === null) {
      if (all.length === 1) return all[0]!.key;
      if (all.length === 0) throw new NotFoundError(`ledger ${this.url.display}: holds no study`);
      throw new LedgerError(
        `ledger ${this.url.display}: holds ${all.length} studies; name one with ?study=<key or name> (${all
          .slice(0, 5)
          .map((x) => `${x.name} ${x.key}`)
          .join(', ')}${all.length > 5 ? ', …' : ''})`,
      );
    }
    const byKey = all.find((x) => x.key === want);
    if (byKey) return byKey.key;
    const byName = all.filter((x) => x.name === want);
    if (byName.length === 1) return byName[0]!.key;
    if (byName.length > 1) {
      throw new LedgerError(
        `ledger ${this.url.display}: ${byName.length} studies are named ${want}; give its key (${byName.map((x) => x.key).join(', ')})`,
      );
    }
    throw new NotFoundError(`ledger ${this.url.display}: no study ${want} (by key or name)`);
  }

  private assertFresh(): void {
    if (this.opened || this.closed) throw new LedgerError(`ledger ${this.location}: already open`);
  }

  private assertOpen(what: string): void {
    if (!this.opened)
      throw new LedgerError(`ledger ${this.location}: cannot ${what}, the ledger is not open`);
  }

  private query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    return this.retry(() => this.pool.query<R>(text, values));
  }

  /** Runs `fn` in a transaction, retried as a whole while the server is unreachable. */
  private tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.retry(async () => {
      const c = await this.pool.connect();
      let broken: Error | undefined;
      // A connection dropped between two statements: the next statement fails and the whole transaction is retried.
      const onError = (e: Error) => {
        broken ??= e; // the first says why (the server's own message comes before the socket's end)
      };
      c.on('error', onError);
      try {
        await c.query('BEGIN');
        const out = await fn(c);
        await c.query('COMMIT');
        return out;
      } catch (e) {
        // The server's own reason, when it ended the session before this statement (idle in transaction…).
        const reason = broken;
        if (isConnectionLost(e)) broken = e as Error;
        else {
          try {
            await c.query('ROLLBACK');
          } catch (e2) {
            broken = e2 as Error;
          }
        }
        throw reason !== undefined && sqlState(reason) !== undefined && isTransient(e) ? reason : e;
      } finally {
        c.removeListener('error', onError);
        c.release(broken);
      }
    });
  }

  private async retry<T>(fn: () => Promise<T>): Promise<T> {
    const t0 = performance.now(); // timing only: how long to wait for the server
    let delay = 100;
    let told: 'lock' | 'ended' | 'unreachable' | null = null;
    for (;;) {
      try {
        const out = await fn();
        if (told === 'unreachable') this.onRetry(`PostgreSQL at ${this.url.hostport} is back`);
        if (told === 'lock') this.onRetry(`ledger ${this.url.display}: the study's lock is free again`);
        return out;
      } catch (e) {
        if (!isTransient(e)) throw wrapError(e, this.url.display);
        const waited = performance.now() - t0; // timing only
        if (waited >= this.retryMs) {
          const s = Math.round(waited / 1000);
          throw new LockstepError(
            'E_IO',
            sqlState(e) === '55P03'
              ? `ledger ${this.url.display}: the study stayed locked by another session for ${s} s (${errorText(e)})`
              : `ledger ${this.url.display}: PostgreSQL unreachable for ${s} s (${errorText(e)})`,
            { cause: e },
          );
        }
        if (told === null) {
          const code = sqlState(e);
          told = code === '55P03' ? 'lock' : code === '25P03' ? 'ended' : 'unreachable';
          this.onRetry(
            told === 'lock'
              ? `ledger ${this.url.display}: the study is locked by another session for over ${this.lockTimeoutMs} ms (a stalled writer?); retrying until the server ends that session`
              : told === 'ended'
                ? `ledger ${this.url.display}: this process stalled inside a transaction and the server ended its session (${errorText(e)}); nothing of it was committed; retrying from a fresh read`
                : `PostgreSQL at ${this.url.hostport} unreachable (${errorText(e)}); retrying`,
          );
        }
        await new Promise((r) => setTimeout(r, Math.min(delay, this.retryMs - waited)));
        delay = Math.min(2000, delay * 2);
      }
    }
  }
}

export interface PgLedgerOptions {
  /**
   * How long to wait for an unreachable server before failing: LOCKSTEP_PG_RETRY_S (seconds) when set,
   * else 30 s for a reader (`readOnly`) and 600 s for a writer.
   */
  retryMs?: number;
  /** Told once when the server becomes unreachable (or the study stays locked), and once when it is back. */
  onRetry?: (message: string) => void;
  /** Pool size (default 4). */
  connections?: number;
  /** Read-only sessions (`default_transaction_read_only`): for readers, which never write or create anything. */
  readOnly?: boolean;
  /**
   * How long a statement waits for a lock (the study's row) before its transaction is retried
   * (default 5000 ms, or LOCKSTEP_PG_LOCK_TIMEOUT_MS; 0 waits forever).
   */
  lockTimeoutMs?: number;
  /**
   * How long the server lets a session sit idle inside a transaction before ending it, which releases its
   * locks: what frees the study from a stalled writer (default 10000 ms, or LOCKSTEP_PG_IDLE_TX_TIMEOUT_MS;
   * 0 never ends it).
   */
  idleTxTimeoutMs?: number;
}

const DEFAULT_READ_RETRY_MS = 30_000;
const DEFAULT_WRITE_RETRY_MS = 600_000;
const DEFAULT_LOCK_TIMEOUT_MS = 5000;
const DEFAULT_IDLE_TX_TIMEOUT_MS = 10_000;
const KEEPALIVE_IDLE_MS = 10_000;

/** Seconds (a fraction allowed) from the environment, as milliseconds; undefined when the variable is unset. */
function envSeconds(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const v = Number(raw);
  if (!Number.isFinite(v) || v < 0) {
    throw new LockstepError('E_USAGE', `${name}: expected seconds from 0, but got '${raw}'`);
  }
  return v * 1000;
}

/** A whole number of milliseconds from the environment, or `fallback` when the variable is unset. */
function envMilliseconds(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < 0 || v > 2_147_483_647) {
    throw new LockstepError('E_USAGE', `${name}: expected whole milliseconds from 0, but got '${raw}'`);
  }
  return v;
}

export interface ParsedPgUrl {
  /** What pg connects with: the URL without lockstep's own parameters. */
  connectionString: string;
  /** The URL without lockstep's parameters and without a password, for messages. */
  base: string;
  /** `base` with the schema and study, for messages. */
  display: string;
  hostport: string;
  /** The schema holding lockstep's tables (`?schema=`, default `lockstep`). */
  schema: string;
  /** A study key or name (`?study=`), or null. */
  study: string | null;
}

/** Splits a `postgres://user@host:port/db?schema=S&study=K` URL into what pg takes and what lockstep takes. */
export function parsePgUrl(url: string): ParsedPgUrl {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new LockstepError('E_USAGE', `ledger URL ${JSON.stringify(url)}: not a valid URL`);
  }
  const schema = u.searchParams.get('schema') ?? 'lockstep';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new LockstepError(
      'E_USAGE',
      `ledger URL: schema: expected lowercase letters, digits and _ (at most 63), but got '${schema}'`,
    );
  }
  if (schema === 'information_schema' || schema.startsWith('pg_')) {
    throw new LockstepError(
      'E_USAGE',
      `ledger URL: schema: ${schema} is PostgreSQL's own; name a schema of your own (default lockstep)`,
    );
  }
  const study = u.searchParams.get('study');
  u.searchParams.delete('schema');
  u.searchParams.delete('study');
  const connectionString = u.toString();
  const shown = new URL(connectionString);
  if (shown.password !== '') shown.password = '***';
  const base = shown.toString();
  return {
    connectionString,
    base,
    display: `${base}${base.includes('?') ? '&' : '?'}schema=${schema}${study === null ? '' : `&study=${study}`}`,
    hostport: `${u.hostname}:${u.port || '5432'}`,
    schema,
    study,
  };
}

const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '53300', // too_many_connections
  '55P03', // lock_not_available: lock_timeout, behind a stalled writer
  '25P03', // idle_in_transaction_session_timeout: this process stalled inside a transaction
  '57P05', // idle_session_timeout
]);

/** Errors after which the session is still usable (the transaction only needs a ROLLBACK). */
const SESSION_KEPT_CODES = new Set(['55P03', '40001', '40P01']);

function sqlState(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A transient error that also took the connection with it (it is dropped, not returned to the pool). */
function isConnectionLost(e: unknown): boolean {
  return isTransient(e) && !SESSION_KEPT_CODES.has(sqlState(e) ?? '');
}

/** A lost or refused connection (worth waiting out), as opposed to an error in what was asked. */
export function isTransient(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (TRANSIENT_CODES.has(code) || code.startsWith('08'))) return true;
  const m = e instanceof Error ? e.message : String(e);
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|server closed the connection|Client has encountered a connection error|database system is (starting up|shutting down)|Connection refused/i.test(
    m,
  );
}

function errorText(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  const m = e instanceof Error ? e.message : String(e);
  return typeof code === 'string' && !m.includes(code) ? `${code}: ${m}` : m;
}

/**
 * An error the server answered with (a SQLSTATE: refused login, missing database, permission denied…)
 * becomes one line naming the ledger; anything else is left as it is.
 */
function wrapError(e: unknown, where: string): unknown {
  if (e instanceof LockstepError) return e;
  const code = sqlState(e);
  if (code === undefined || !/^[0-9A-Z]{5}$/.test(code)) return e;
  const hint =
    code === '42501'
      ? ' (to read, a role needs USAGE on the schema and SELECT on its tables; to write, also CREATE, INSERT and UPDATE)'
      : code === '25006'
        ? ' (a read-only session: readers never write)'
        : '';
  return new LockstepError('E_IO', `ledger ${where}: ${errorText(e)}${hint}`, { cause: e });
}

/**
 * What the pool connects with. Read-only sessions add `-c default_transaction_read_only=on` to the
 * startup options (kept with any `options` the URL gives, which would otherwise replace them).
 */
function sessionOptions(
  connectionString: string,
  readOnly: boolean,
): { connectionString: string; options?: string } {
  if (!readOnly) return { connectionString };
  const u = new URL(connectionString);
  const given = u.searchParams.get('options');
  u.searchParams.delete('options');
  return {
    connectionString: u.toString(),
    options: `${given === null ? '' : `${given} `}-c default_transaction_read_only=on`,
  };
}

function sha256(line: string): string {
  return createHash('sha256').update(line, 'utf8').digest('hex');
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
