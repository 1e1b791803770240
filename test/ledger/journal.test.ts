import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LedgerError, LockstepError } from '../../src/errors.js';
import {
  createLedger,
  type FileLedger,
  type LedgerFs,
  openLedger,
  readLedger,
  ZERO_HASH,
} from '../../src/ledger/index.js';
import { sha256Hex } from '../../src/ledger/scan.js';
import { completeTrial, sampleStudy, started } from './fixtures.js';

let dir: string;
let path: string;
let open: FileLedger[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(join(fs.realpathSync('/tmp'), 'lockstep-journal-'));
  path = join(dir, 'ledger.jsonl');
  open = [];
});
afterEach(() => {
  for (const l of open) l.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const track = (l: FileLedger) => {
  open.push(l);
  return l;
};

/** A closed ledger of 1 + 3 × 4 = 13 lines. */
function writeStudy(p = path, seed = 42): string[] {
  const l = createLedger(p, sampleStudy({ seed }));
  for (const b of [...completeTrial(0, 0.5), ...completeTrial(1, 0.7), ...completeTrial(2, 0.6)]) l.append(b);
  l.close();
  return fs.readFileSync(p, 'utf8').split('\n').slice(0, -1);
}

const writeLines = (lines: string[], tail = '\n') => fs.writeFileSync(path, lines.join('\n') + tail);

function ledgerError(fn: () => unknown): LockstepError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(LockstepError);
    return e as LockstepError;
  }
  throw new Error('expected an error');
}

describe('FileLedger: the file', () => {
  it('writes one JSON line per record, each prev the SHA-256 of the line before', () => {
    const lines = writeStudy();
    expect(lines).toHaveLength(13);
    let prev = ZERO_HASH;
    lines.forEach((line, i) => {
      const r = JSON.parse(line);
      expect(line.startsWith(`{"v":1,"seq":${i},"prev":"${prev}","type":`)).toBe(true);
      expect(r.prev).toBe(prev);
      prev = sha256Hex(Buffer.from(line, 'utf8'));
    });
  });

  it('refuses to create over an existing ledger', () => {
    writeStudy();
    const before = fs.readFileSync(path);
    const e = ledgerError(() => createLedger(path, sampleStudy()));
    expect(e).toBeInstanceOf(LedgerError);
    expect(e.message).toMatch(/already exists/);
    expect(fs.readFileSync(path)).toEqual(before);
    expect(fs.existsSync(`${path}.lock`)).toBe(false);
  });

  it('says a missing ledger does not exist', () => {
    expect(ledgerError(() => openLedger(path)).code).toBe('E_NOT_FOUND');
  });
});

describe('FileLedger: damage is detected and named by line', () => {
  it("a flipped byte in a line is caught by the next line's prev hash", () => {
    const lines = writeStudy();
    const flipped = lines[6]!.replace('"epoch":1', '"epoch":3');
    expect(flipped).not.toBe(lines[6]);
    lines[6] = flipped;
    writeLines(lines);
    const e = ledgerError(() => openLedger(path));
    expect(e).toBeInstanceOf(LedgerError);
    expect(e.message).toBe(
      `ledger ${path} line 8: prev hash does not match line 7 (edited, reordered or deleted lines)`,
    );
  });

  it('a flipped byte that breaks the JSON names that line', () => {
    const lines = writeStudy();
    lines[3] = lines[3]!.replace('{', '[');
    writeLines(lines);
    expect(ledgerError(() => openLedger(path)).message).toMatch(/^ledger .* line 4: not valid JSON/);
  });

  it('a deleted line shows as a seq gap', () => {
    const lines = writeStudy();
    lines.splice(4, 1);
    writeLines(lines);
    expect(ledgerError(() => openLedger(path)).message).toMatch(/line 5: seq is 5 where 4 was expected/);
  });

  it('swapped lines are caught', () => {
    const lines = writeStudy();
    [lines[2], lines[3]] = [lines[3]!, lines[2]!];
    writeLines(lines);
    expect(ledgerError(() => openLedger(path)).message).toMatch(/line 3: seq is 3 where 2 was expected/);
  });

  it('a line from another ledger spliced in does not match the chain', () => {
    const lines = writeStudy();
    const other = writeStudy(join(dir, 'other.jsonl'), 7);
    lines[6] = other[6]!; // same seq, same shape, another study's chain
    writeLines(lines);
    expect(ledgerError(() => openLedger(path)).message).toMatch(/line 7: prev hash does not match line 6/);
  });

  it('an unknown version is named', () => {
    const lines = writeStudy();
    lines[12] = lines[12]!.replace('"v":1', '"v":2');
    writeLines(lines);
    expect(ledgerError(() => openLedger(path)).message).toMatch(/line 13: unsupported record version v=2/);
  });

  it('a record that breaks its schema is named with the field', () => {
    const lines = writeStudy();
    // Rewrite the last line with a bad field but a valid chain, as a buggy writer would.
    const last = JSON.parse(lines[12]!);
    lines[12] = JSON.stringify({ ...last, epochs: -1 });
    writeLines(lines);
    expect(ledgerError(() => openLedger(path)).message).toMatch(
      /line 13: invalid trial\.finished record: epochs: Too small/,
    );
  });

  it('a torn last line is dropped, the file truncated, and a warning names it', () => {
    const lines = writeStudy();
    const good = fs.readFileSync(path);
    fs.appendFileSync(path, '{"v":1,"seq":13,"type":"trial.sta');
    const l = track(openLedger(path));
    expect(l.warnings).toEqual([`ledger ${path}: dropped a torn last line (line 14, 33 bytes)`]);
    expect(l.records()).toHaveLength(13);
    expect(fs.readFileSync(path)).toEqual(good);
    const r = l.append(started(3));
    expect(r.seq).toBe(13);
    expect(r.prev).toBe(sha256Hex(Buffer.from(lines[12]!, 'utf8')));
  });

  it('a complete line without its newline counts as torn: its append never returned', () => {
    const lines = writeStudy();
    writeLines(lines, '');
    const l = track(openLedger(path));
    expect(l.warnings[0]).toMatch(/dropped a torn last line \(line 13, \d+ bytes\)/);
    expect(l.records()).toHaveLength(12);
  });

  it('read-only opening reports a torn line but leaves the file alone', () => {
    writeStudy();
    fs.appendFileSync(path, '{"v":1,');
    const before = fs.readFileSync(path);
    const read = readLedger(path);
    expect(read.warnings[0]).toMatch(/ignored a torn last line \(line 14, 7 bytes\)/);
    expect(read.records).toHaveLength(13);
    expect(fs.readFileSync(path)).toEqual(before);
  });

  it('a ledger holding only a torn line has no study record', () => {
    fs.writeFileSync(path, '{"v":1,"seq":0,');
    expect(ledgerError(() => openLedger(path)).message).toMatch(/no study record/);
  });
});

describe('FileLedger: one writer', () => {
  it('refuses a second writer, naming the pid and host that hold the lock', () => {
    writeStudy();
    track(openLedger(path));
    const e = ledgerError(() => openLedger(path));
    expect(e.code).toBe('E_LOCKED');
    expect(e.message).toMatch(
      new RegExp(
        `^ledger ${path} is locked by pid ${process.pid} on ${hostname()} \\(since .+\\); is another lockstep running\\?$`,
      ),
    );
  });

  it('lets readers in while a writer holds the lock', () => {
    writeStudy();
    const w = track(openLedger(path));
    w.append(started(3));
    expect(readLedger(path).records).toHaveLength(14);
  });

  it('releases the lock on close', () => {
    writeStudy();
    openLedger(path).close();
    expect(fs.existsSync(`${path}.lock`)).toBe(false);
    track(openLedger(path));
    expect(fs.existsSync(`${path}.lock`)).toBe(true);
  });

  it('takes over a stale lock of a process that is gone, with a warning', () => {
    writeStudy();
    const child = spawnSync(process.execPath, ['-e', '0']);
    expect(child.status).toBe(0);
    const stale = { pid: child.pid, host: hostname(), startedAt: '2024-01-01T00:00:00.000Z' };
    fs.writeFileSync(`${path}.lock`, JSON.stringify(stale));
    const l = track(openLedger(path));
    expect(l.warnings).toEqual([
      `ledger ${path}: took over a stale lock of pid ${child.pid} on ${hostname()} (since 2024-01-01T00:00:00.000Z), which is no longer running`,
    ]);
    expect(JSON.parse(fs.readFileSync(`${path}.lock`, 'utf8')).pid).toBe(process.pid);
    expect(fs.existsSync(`${path}.lock.takeover`)).toBe(false);
  });

  it('never takes over the lock of another host', () => {
    writeStudy();
    fs.writeFileSync(`${path}.lock`, JSON.stringify({ pid: 1, host: 'elsewhere', startedAt: 'x' }));
    expect(ledgerError(() => openLedger(path)).message).toMatch(/locked by pid 1 on elsewhere/);
  });

  it('does not remove on close a lock that someone else now holds', () => {
    writeStudy();
    const l = openLedger(path);
    const theirs = JSON.stringify({ pid: 1, host: 'elsewhere', startedAt: 'x' });
    fs.writeFileSync(`${path}.lock`, theirs);
    l.close();
    expect(fs.readFileSync(`${path}.lock`, 'utf8')).toBe(theirs);
  });
});

describe('FileLedger: a refused write leaves the file intact', () => {
  const enospc = () =>
    Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28 });

  it('a full disk mid-line gives E_IO naming the file and errno, and the half line is removed', () => {
    writeStudy();
    const before = fs.readFileSync(path);
    let failNext = true;
    const writeSync = ((fd: number, buf: Uint8Array, off: number, len: number) => {
      if (!failNext) return fs.writeSync(fd, buf, off, len);
      failNext = false;
      fs.writeSync(fd, buf, off, Math.floor(len / 2));
      throw enospc();
    }) as LedgerFs['writeSync'];
    const l = track(openLedger(path, { fs: { writeSync } }));
    const e = ledgerError(() => l.append(started(3)));
    expect(e.code).toBe('E_IO');
    expect(e.message).toBe(`ledger ${path}: cannot append line 14 (ENOSPC: no space left on device)`);
    expect(fs.readFileSync(path)).toEqual(before);
    expect(l.records()).toHaveLength(13);
    // The disk has room again: the next append continues the chain.
    expect(l.append(started(3)).seq).toBe(13);
    l.close();
    expect(readLedger(path).records).toHaveLength(14);
  });

  it('a failed fsync is an E_IO too, and the record is not kept', () => {
    writeStudy();
    const before = fs.readFileSync(path);
    let calls = 0;
    const fsyncSync = ((fd: number) => {
      calls++;
      if (calls === 1) throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
      fs.fsyncSync(fd);
    }) as LedgerFs['fsyncSync'];
    const l = track(openLedger(path, { fs: { fsyncSync } }));
    expect(ledgerError(() => l.append(started(3))).message).toMatch(
      /cannot append line 14 \(EIO: i\/o error\)/,
    );
    expect(fs.readFileSync(path)).toEqual(before);
  });

  it('a short write is completed, not torn', () => {
    writeStudy();
    const writeSync = ((fd: number, buf: Uint8Array, off: number, len: number) =>
      fs.writeSync(fd, buf, off, Math.min(len, 7))) as LedgerFs['writeSync'];
    const l = track(openLedger(path, { fs: { writeSync } }));
    l.append(started(3));
    l.close();
    expect(readLedger(path).records).toHaveLength(14);
  });
});
