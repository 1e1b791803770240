import type {
  FailureCause,
  FinishedState,
  LedgerRecord,
  RecordBody,
  RecordParams,
  StudyInfo,
} from './records.js';

/**
 * A study's ledger: the append-only log that every event goes through before it is acted on.
 * The study's state is only ever a fold over it ({@link Ledger.state}).
 *
 * Lifecycle: `open()` (or a factory that calls it) → `append()`… → `close()`.
 *
 * Contract, for every implementation:
 * - Append-only. A record, once appended, is never changed or removed; `records()` returns the
 *   records in append order, and reopening the store gives exactly the same records.
 * - Each record carries `seq` (its 0-based position) and `prev` (the SHA-256 of the previous
 *   record's stored bytes), so that an edit, loss or reordering is detected when reading. Every
 *   storage stores the same line for the same record, so the chain and the digest do not depend
 *   on the storage, and a study copied between storages is byte for byte the same.
 * - Record 0 is the `study` record, and it is the only one.
 * - `append` validates the record (its schema, and that it is consistent with the fold:
 *   a finished trial is never modified) and refuses an invalid one with a `LedgerError`,
 *   without writing anything. When it returns (or its promise resolves), the record is durable.
 * - If the store refuses a write, `append` throws `LockstepError('E_IO')` and the store
 *   keeps every record appended before.
 * - Appends from one writer are applied in call order, also when they are asynchronous and not
 *   awaited one by one.
 * - Writers: a local store (FileLedger) has one writer at a time, and a second is refused with
 *   `LockstepError('E_LOCKED')`. A shared store (PgLedger) serialises the appends of any number
 *   of writers: each append is checked against, and chained to, every record stored before it,
 *   including other writers'; `records()` is then this writer's view, brought up to date by each
 *   append and by the store's `refresh()`.
 *
 * Synchronous or not: FileLedger answers at once (its trainer callbacks and the search loop rely
 * on that); a networked store (PgLedger) returns promises. Callers that serve both `await` every
 * `open`, `append` and `close` (awaiting a plain value costs nothing).
 */
export interface Ledger {
  /** Where the ledger lives (a file path, a database URL and study key…), for messages. */
  readonly location: string;
  /** Things the ledger repaired or noticed while opening (e.g. a torn last line dropped). */
  readonly warnings: readonly string[];
  /** Opens an existing ledger: reads and verifies every record. Rejects with LedgerError if damaged. */
  open(): OpenReport | Promise<OpenReport>;
  /** Appends one record (without its envelope) and returns the full record as stored. */
  append(body: RecordBody): LedgerRecord | Promise<LedgerRecord>;
  /** Every record, in append order (for a shared store: as of its last append or refresh). */
  records(): readonly LedgerRecord[];
  /** The fold of `records()`. */
  state(): StudyState;
  /** Releases the store (and the writer's lock). Further appends are refused. Idempotent. */
  close(): void | Promise<void>;
}

export interface OpenReport {
  /** Number of records read. */
  records: number;
  warnings: string[];
}

export type TrialStatus = 'running' | FinishedState;

export interface ProgressPoint {
  epoch: number;
  /** Decoded: a non-finite metric is NaN / ±Infinity again here. */
  metrics: Record<string, number>;
}

/** The non-deterministic facts of a trial's run (never part of the digest). */
export interface TrialMeta {
  wallMs: number;
  /** Milliseconds to predict 1,000 validation rows, when the study measures it. */
  inferenceMs?: number;
  worker: number | null;
  startedAt: string;
  finishedAt: string;
}

/** One trial as the fold sees it: its latest attempt. */
export interface TrialState {
  index: number;
  id: string;
  seed: number;
  params: RecordParams;
  state: TrialStatus;
  /** null while running, and for a failed trial. */
  score: number | null;
  /** The final metrics; empty while running. */
  metrics: Record<string, number>;
  /** A study with several objectives or constraints: the objective values (decoded); else null. */
  values: number[] | null;
  /** A study with constraints: one value per constraint, feasible when every one is <= 0; else null. */
  constraints: number[] | null;
  epochs: number;
  weightsHash: string | null;
  error: string | null;
  cause: FailureCause | null;
  progress: ProgressPoint[];
  meta: TrialMeta | null;
  /** How many times this index was started (> 1 after crashes or environment failures). */
  attempts: number;
}

export interface RefitState {
  index: number;
  params: RecordParams;
  seed: number;
  testMetrics: Record<string, number>;
  testScore: number;
  weightsHash: string;
}

export interface NoteState {
  /** 1-based line of the note. */
  line: number;
  message: string;
  data: unknown;
}

export interface StudyState {
  study: StudyInfo;
  /** Sorted by index. */
  trials: TrialState[];
  refit: RefitState | null;
  notes: NoteState[];
  /** Number of records folded. */
  records: number;
}

/** Aliases the study code uses. */
export type TrialView = TrialState;
