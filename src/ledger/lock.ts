import * as fs from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { LockstepError } from '../errors.js';

/** What a lock file holds. */
interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
}

/** A held lock: release it once. */
export interface LockHandle {
  readonly path: string;
  release(): void;
}

/**
 * The file a path names, through every symbolic link: the file's own real path when it exists, else its
 * folder's real path and its name (a ledger about to be created). Two paths that reach one file through
 * symbolic links, `..` or a relative path give the same string. (A hard link is another name: not found.)
 */
export function realFilePath(path: string): string {
  const abs = resolve(path);
  try {
    return fs.realpathSync(abs);
  } catch {
    // Not there (yet): its folder may be.
  }
  try {
    return join(fs.realpathSync(dirname(abs)), basename(abs));
  } catch {
    return abs;
  }
}

/** The lock file of a ledger: beside the real file, so that every path that reaches the ledger finds it. */
export function lockPathOf(ledgerPath: string): string {
  return `${realFilePath(ledgerPath)}.lock`;
}

/**
 * Takes the ledger's lock file (`<real path of the ledger>.lock`, see lockPathOf), created with O_EXCL so
 * that two processes never both hold it, whichever path (a symbolic link, a folder linked elsewhere) each
 * reached the ledger by.
 *
 * A lock left by a process of this host that is no longer alive is taken over (with a
 * warning): under a second, short-lived `<ledger>.lock.takeover` lock, so that two processes
 * taking over the same stale lock cannot both succeed. A lock from another host, or from a
 * live process, is refused with E_LOCKED naming the holder.
 */
export function acquireLock(ledgerPath: string, warn: (message: string) => void): LockHandle {
  const lockPath = lockPathOf(ledgerPath);
  const content = `${JSON.stringify({ pid: process.pid, host: hostname(), startedAt: new Date().toISOString() } satisfies LockInfo)}\n`; // not a number: who holds the lock
  if (!tryCreate(lockPath, content, ledgerPath)) {
    const holder = readLock(lockPath);
    if (holder === 'gone') {
      if (!tryCreate(lockPath, content, ledgerPath))
        throw lockedError(ledgerPath, lockPath, readLock(lockPath));
    } else if (holder !== 'unreadable' && isStale(holder)) {
      takeOver(ledgerPath, lockPath, content, holder);
      warn(
        `ledger ${ledgerPath}: took over a stale lock of pid ${holder.pid} on ${holder.host} (since ${holder.startedAt}), which is no longer running`,
      );
    } else {
      throw lockedError(ledgerPath, lockPath, holder);
    }
  }
  return makeHandle(lockPath, content);
}

function takeOver(ledgerPath: string, lockPath: string, content: string, stale: LockInfo): void {
  const guard = `${lockPath}.takeover`;
  if (!tryCreate(guard, `${process.pid}\n`, ledgerPath))
    throw lockedError(ledgerPath, lockPath, readLock(lockPath));
  try {
    // Re-read under the guard: another process may have taken it over meanwhile.
    const now = readLock(lockPath);
    if (now !== 'gone') {
      if (
        now === 'unreadable' ||
        now.pid !== stale.pid ||
        now.host !== stale.host ||
        now.startedAt !== stale.startedAt
      ) {
        throw lockedError(ledgerPath, lockPath, now);
      }
      fs.rmSync(lockPath, { force: true });
    }
    if (!tryCreate(lockPath, content, ledgerPath))
      throw lockedError(ledgerPath, lockPath, readLock(lockPath));
  } finally {
    fs.rmSync(guard, { force: true });
  }
}

function makeHandle(lockPath: string, content: string): LockHandle {
  let held = true;
  const release = (): void => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    try {
      // Only remove our own lock: never one a stale-lock takeover gave to someone else.
      if (fs.readFileSync(lockPath, 'utf8') === content) fs.rmSync(lockPath, { force: true });
    } catch {
      // Best effort: a lock we cannot read or remove is reported by the next opener.
    }
  };
  process.on('exit', release);
  return { path: lockPath, release };
}

/** Creates the file with O_EXCL; false if it exists. */
function tryCreate(path: string, content: string, ledgerPath: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(path, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw ioError(ledgerPath, `cannot create the lock file ${path}`, e);
  }
  try {
    fs.writeSync(fd, content);
    fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(path, { force: true });
    throw ioError(ledgerPath, `cannot write the lock file ${path}`, e);
  }
  fs.closeSync(fd);
  return true;
}

function readLock(lockPath: string): LockInfo | 'gone' | 'unreadable' {
  let text: string;
  try {
    text = fs.readFileSync(lockPath, 'utf8');
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'gone' : 'unreadable';
  }
  try {
    const v = JSON.parse(text) as Partial<LockInfo>;
    if (typeof v.pid === 'number' && typeof v.host === 'string' && typeof v.startedAt === 'string') {
      return { pid: v.pid, host: v.host, startedAt: v.startedAt };
    }
  } catch {
    // fall through
  }
  return 'unreadable';
}

/** A lock is stale when its process, on this host, is gone. Another host's lock never is. */
function isStale(info: LockInfo): boolean {
  if (info.host !== hostname() || info.pid === process.pid) return false;
  try {
    process.kill(info.pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function lockedError(
  ledgerPath: string,
  lockPath: string,
  holder: LockInfo | 'gone' | 'unreadable',
): LockstepError {
  // Reached through a link: say which file it is.
  const real = lockPath.slice(0, -'.lock'.length);
  const ledger = real === resolve(ledgerPath) ? ledgerPath : `${ledgerPath} (${real})`;
  if (holder === 'gone' || holder === 'unreadable') {
    return new LockstepError(
      'E_LOCKED',
      `ledger ${ledger} is locked (the lock file ${lockPath} is being replaced or unreadable); if no lockstep is running, delete it`,
    );
  }
  return new LockstepError(
    'E_LOCKED',
    `ledger ${ledger} is locked by pid ${holder.pid} on ${holder.host} (since ${holder.startedAt}); is another lockstep running?`,
  );
}

export function ioError(ledgerPath: string, what: string, cause: unknown): LockstepError {
  const e = cause as NodeJS.ErrnoException;
  const errno = e?.code ? `${e.code}: ${describeErrno(e)}` : String(cause);
  return new LockstepError('E_IO', `ledger ${ledgerPath}: ${what} (${errno})`, { cause });
}

function describeErrno(e: NodeJS.ErrnoException): string {
  // Node's message is "ENOSPC: no space left on device, write": keep the human part.
  const m = /^[A-Z]+: ([^,]+)/.exec(e.message ?? '');
  return m?.[1] ?? e.message ?? 'error';
}
