import * as nodeFs from 'node:fs';
import { dirname } from 'node:path';
import { LedgerError, LockstepError, NotFoundError } from '../errors.js';
import { canonicalMembers } from './canonical.js';
import { fastRecord } from './fast-check.js';
import { StudyFold } from './fold.js';
import { die, killPoint } from './kill-point.js';
import { acquireLock, ioError, type LockHandle } from './lock.js';
import {
  describeIssues,
  encodeNonFinite,
  LEDGER_VERSION,
  type LedgerRecord,
  ledgerRecordSchema,
  type RecordBody,
  type StudyInfo,
  ZERO_HASH,
} from './records.js';
import { type ScanResult, scanLedger, sha256Hex } from './scan.js';
import type { Ledger, OpenReport, StudyState } from './types.js';

/** The file-system calls the journal makes; injectable to simulate a full or read-only disk. */
export type LedgerFs = Pick<
  typeof nodeFs,
  'openSync' | 'closeSync' | 'writeSync' | 'fsyncSync' | 'ftruncateSync' | 'readFileSync'
>;

export interface LedgerOptions {
  /** Read without taking the lock and never write (show, verify, replay). */
  readonly?: boolean;
  /** Replaces some file-system calls (tests). */
  fs?: Partial<LedgerFs>;
  /**
   * When appends reach the disk. `always` (the default): every append is written and fsynced before it
   * returns. `group`: every append is written before it returns (so a killed process loses nothing),
   * and fsyncs are grouped, at most `groupMs` after a write, and on `sync()` and `close()`: a power loss
   * can then cost the last few records, which a resume recomputes bit for bit.
   */
  durability?: 'always' | 'group';
  /** Longest delay of a grouped fsync, in milliseconds (default 50). */
  groupMs?: number;
}

/**
 * A ledger in a JSON-lines file. Each append is one write of the whole line and its newline,
 * then an fsync, so a crash leaves at most a torn last line, which the next opening drops
 * (and reports). Opening reads and verifies the whole chain. One writer at a time, through
 * `<file>.lock`.
 */
export class FileLedger implements Ledger {
  readonly location: string;
  readonly warnings: string[] = [];
  private readonly readonly: boolean;
  private readonly fs: LedgerFs;
  private fold: StudyFold;
  private recs: LedgerRecord[] = [];
  private lastHash = ZERO_HASH;
  private size = 0;
  private fd: number | null = null;
  private lock: LockHandle | null = null;
  private opened = false;
  /** Set when a failed write could not be undone: the file's state is unknown. */
  private broken: string | null = null;
  private readonly durability: 'always' | 'group';
  private readonly groupMs: number;
  private dirty = false;
  private syncTimer: NodeJS.Timeout | null = null;

  constructor(path: string, options: LedgerOptions = {}) {
    this.location = path;
    this.readonly = options.readonly ?? false;
    this.durability = options.durability ?? 'always';
    this.groupMs = options.groupMs ?? 50;
    this.fs = { ...nodeFs, ...options.fs };
    this.fold = new StudyFold(`ledger ${path}`);
  }

  open(): OpenReport {
    this.assertFresh();
    if (!nodeFs.existsSync(this.location)) throw new NotFoundError(`ledger ${this.location} does not exist`);
    if (!this.readonly) this.lock = acquireLock(this.location, (m) => this.warnings.push(m));
    try {
      const bytes = this.readFile();
      const scan = scanLedger(bytes, { stopAtFirst: true });
      const first = scan.problems[0];
      if (first !== undefined) throw new LedgerError(`ledger ${this.location} ${first}`);
      if (scan.records.length === 0) {
        throw new LedgerError(`ledger ${this.location}: no study record (the file holds no complete line)`);
      }
      for (const r of scan.records) this.fold.apply(r);
      if (scan.torn) this.dropTorn(scan);
      this.recs = scan.records.map(deepFreeze);
      this.lastHash = scan.lastHash;
      this.size = scan.completeBytes;
      if (!this.readonly) this.fd = this.openForAppend();
      this.opened = true;
      return { records: this.recs.length, warnings: [...this.warnings] };
    } catch (e) {
      this.releaseLock();
      throw e;
    }
  }

  /** Creates the file with its study record; refuses if it exists. */
  create(study: StudyInfo): OpenReport {
    this.assertFresh();
    if (this.readonly) throw new LedgerError(`ledger ${this.location}: cannot create a ledger read-only`);
    nodeFs.mkdirSync(dirname(this.location), { recursive: true });
    this.lock = acquireLock(this.location, (m) => this.warnings.push(m));
    try {
      try {
        this.fd = this.fs.openSync(this.location, 'wx');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST' && !holdsCompleteLine(this.location)) {
          // Under the lock: a file without one complete line is what a crash while creating leaves.
          this.fd = this.fs.openSync(this.location, 'w');
          this.warnings.push(
            `ledger ${this.location}: replaced a file without one complete line (a crash while the study was being created)`,
          );
        } else if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
          throw new LedgerError(
            `ledger ${this.location} already exists; resume it, or choose another study directory`,
          );
        } else {
          throw ioError(this.location, 'cannot create the file', e);
        }
      }
      this.opened = true;
      this.append({ type: 'study', study });
      fsyncDir(dirname(this.location));
      return { records: 1, warnings: [...this.warnings] };
    } catch (e) {
      if (this.fd !== null) {
        this.fs.closeSync(this.fd);
        this.fd = null;
        // Nothing durable was written: leave no half-created ledger behind.
        if (this.recs.length === 0) nodeFs.rmSync(this.location, { force: true });
      }
      this.opened = false;
      this.releaseLock();
      throw e;
    }
  }

  append(body: RecordBody): LedgerRecord {
    if (!this.opened || this.fd === null) {
      throw new LedgerError(
        `ledger ${this.location}: cannot append, the ledger is ${this.readonly ? 'open read-only' : 'not open'}`,
      );
    }
    if (this.broken !== null) throw new LockstepError('E_IO', this.broken);
    const seq = this.recs.length;
    const refuse = (why: string): LedgerError =>
      new LedgerError(
        `ledger ${this.location}: refusing to append an invalid ${String(body.type)} record: ${why}`,
      );
    let line: string;
    try {
      line = serialize(seq, this.lastHash, body);
    } catch (e) {
      throw refuse((e as Error).message);
    }
    const json: unknown = JSON.parse(line);
    // The common trial records through a hand-written check that accepts only what the schema accepts.
    let record = fastRecord(json);
    if (record === undefined) {
      const parsed = ledgerRecordSchema.safeParse(json);
      if (!parsed.success) throw refuse(describeIssues(parsed.error));
      record = parsed.data;
    }
    record = deepFreeze(record);
    this.fold.check(record);
    const bytes = Buffer.from(`${line}\n`, 'utf8');
    const kill = killPoint(body.type); // test-only crash point, null outside tests
    if (kill === 'torn') {
      this.fs.writeSync(this.fd, bytes, 0, bytes.length >> 1);
      die();
    }
    this.writeAll(this.fd, bytes, seq + 1, this.durability === 'always' || seq === 0);
    if (kill === 'after') die();
    this.size += bytes.length;
    if (this.durability === 'group' && seq > 0) this.scheduleSync();
    this.recs.push(record);
    this.lastHash = sha256Hex(bytes.subarray(0, bytes.length - 1));
    this.fold.apply(record);
    return record;
  }

  records(): readonly LedgerRecord[] {
    return this.recs;
  }

  state(): StudyState {
    return this.fold.state();
  }

  /** Makes every appended record durable now (a no-op when nothing is pending). */
  sync(): void {
    if (this.syncTimer !== null) {
      clearTimeout(this.syncTimer);
      this.syncTimer = null;
    }
    if (!this.dirty || this.fd === null) return;
    try {
      this.fs.fsyncSync(this.fd);
      this.dirty = false;
    } catch (e) {
      this.broken = ioError(this.location, 'cannot fsync', e).message;
      throw new LockstepError('E_IO', this.broken, { cause: e });
    }
  }

  private scheduleSync(): void {
    this.dirty = true;
    if (this.syncTimer !== null) return;
    this.syncTimer = setTimeout(() => {
      this.syncTimer = null;
      try {
        this.sync();
      } catch {
        // Recorded in `broken`: the next append or close reports it.
      }
    }, this.groupMs);
    this.syncTimer.unref();
  }

  close(): void {
    let failed: unknown;
    if (this.fd !== null && this.broken === null) {
      try {
        this.sync();
      } catch (e) {
        failed = e;
      }
    }
    if (this.fd !== null) {
      try {
        this.fs.closeSync(this.fd);
      } catch {
        // Every record was fsynced above; a failing close loses nothing.
      }
      this.fd = null;
    }
    this.opened = false;
    this.releaseLock();
    if (failed !== undefined) throw failed;
  }

  private assertFresh(): void {
    if (this.opened || this.lock) throw new LedgerError(`ledger ${this.location}: already open`);
  }

  private readFile(): Uint8Array {
    try {
      return this.fs.readFileSync(this.location) as Uint8Array;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new NotFoundError(`ledger ${this.location} does not exist`);
      }
      throw ioError(this.location, 'cannot read the file', e);
    }
  }

  private openForAppend(): number {
    try {
      return this.fs.openSync(this.location, 'a');
    } catch (e) {
      throw ioError(this.location, 'cannot open the file for appending', e);
    }
  }

  private dropTorn(scan: ScanResult): void {
    const torn = scan.torn!;
    const what = `a torn last line (line ${torn.line}, ${torn.bytes} bytes)`;
    if (this.readonly) {
      this.warnings.push(`ledger ${this.location}: ignored ${what}`);
      return;
    }
    let fd: number | null = null;
    try {
      fd = this.fs.openSync(this.location, 'r+');
      this.fs.ftruncateSync(fd, scan.completeBytes);
      this.fs.fsyncSync(fd);
    } catch (e) {
      throw ioError(this.location, `cannot drop ${what}`, e);
    } finally {
      if (fd !== null) this.fs.closeSync(fd);
    }
    this.warnings.push(`ledger ${this.location}: dropped ${what}`);
  }

  /** Writes every byte (and fsyncs when `sync`); on failure, truncates back to the last complete record. */
  private writeAll(fd: number, bytes: Buffer, line: number, sync: boolean): void {
    try {
      let off = 0;
      while (off < bytes.length) {
        const n = this.fs.writeSync(fd, bytes, off, bytes.length - off);
        if (n <= 0) throw Object.assign(new Error('EIO: write made no progress'), { code: 'EIO' });
        off += n;
      }
      if (sync) this.fs.fsyncSync(fd);
    } catch (e) {
      const err = ioError(this.location, `cannot append line ${line}`, e);
      try {
        this.fs.ftruncateSync(fd, this.size);
        this.fs.fsyncSync(fd);
      } catch (e2) {
        this.broken = `${err.message}, and cannot truncate it back to its last complete record (${(e2 as Error).message}); reopen it to repair`;
        throw new LockstepError('E_IO', this.broken, { cause: e });
      }
      throw err;
    }
  }

  private releaseLock(): void {
    this.lock?.release();
    this.lock = null;
  }
}

/** True when the file holds at least one complete (newline-ended) line: a ledger to open, not to create. */
export function holdsCompleteLine(path: string): boolean {
  let fd: number;
  try {
    fd = nodeFs.openSync(path, 'r');
  } catch {
    return true; // let opening report what is wrong
  }
  try {
    const buf = Buffer.alloc(1 << 16);
    for (let pos = 0; ; ) {
      const n = nodeFs.readSync(fd, buf, 0, buf.length, pos);
      if (n <= 0) return false;
      if (buf.subarray(0, n).includes(0x0a)) return true;
      pos += n;
    }
  } catch {
    return true;
  } finally {
    nodeFs.closeSync(fd);
  }
}

/** Creates a ledger file holding the study record, and returns it open for appending. */
export function createLedger(path: string, study: StudyInfo, options: LedgerOptions = {}): FileLedger {
  const ledger = new FileLedger(path, options);
  ledger.create(study);
  return ledger;
}

/** Opens an existing ledger file, verifying it; `{ readonly: true }` takes no lock. */
export function openLedger(path: string, options: LedgerOptions = {}): FileLedger {
  const ledger = new FileLedger(path, options);
  ledger.open();
  return ledger;
}

/** Reads and verifies a ledger file without locking or changing it (show, export, replay). */
export function readLedger(path: string): {
  records: readonly LedgerRecord[];
  warnings: string[];
  state: StudyState;
} {
  const ledger = openLedger(path, { readonly: true });
  ledger.close();
  return { records: ledger.records(), warnings: [...ledger.warnings], state: ledger.state() };
}

/**
 * One line: the envelope first (`v`, `seq`, `prev`, `type`), for a reader's eye, then the
 * body's fields in canonical order. Non-finite numbers become their tags.
 */
export function serialize(seq: number, prev: string, body: RecordBody): string {
  const { type, ...rest } = encodeNonFinite(body) as Record<string, unknown>;
  if (typeof type !== 'string') throw new TypeError(`type: expected a string, got ${typeof type}`);
  delete rest.v;
  delete rest.seq;
  delete rest.prev;
  const members = canonicalMembers(rest);
  return `{"v":${LEDGER_VERSION},"seq":${seq},"prev":${JSON.stringify(prev)},"type":${JSON.stringify(type)}${members ? `,${members}` : ''}}`;
}

function fsyncDir(dir: string): void {
  try {
    const fd = nodeFs.openSync(dir, 'r');
    try {
      nodeFs.fsyncSync(fd);
    } finally {
      nodeFs.closeSync(fd);
    }
  } catch {
    // Not every platform can fsync a directory; the file's own fsync still holds.
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
