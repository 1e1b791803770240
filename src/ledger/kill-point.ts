/**
 * TEST-ONLY: a crash at an exact point of the ledger's life, for the kill-and-resume tests
 * (test/faults/kill.test.ts, scripts/soak-kill.mjs). Never set outside tests.
 *
 * `LOCKSTEP_TEST_KILL_AT=<record type>:<n>[:torn]` SIGKILLs this process at the n-th append
 * (1-based, counted in this process) of a record of that type: right after the whole line is
 * written, or, with `:torn`, after writing only its first half — the torn line a crash in the
 * middle of a write leaves. E.g. `trial.progress:3` (inside a trial), `trial.finished:2:torn`
 * (during an append), `trial.meta:1` (between trials), `refit:1:torn` (the final refit).
 */
export type KillMode = 'after' | 'torn';

interface KillAt {
  type: string;
  n: number;
  mode: KillMode;
}

function parse(spec: string | undefined): KillAt | null {
  if (spec === undefined || spec === '') return null;
  const m = /^([a-z.]+):(\d+)(?::(torn))?$/.exec(spec);
  if (m === null) throw new Error(`LOCKSTEP_TEST_KILL_AT: expected <record type>:<n>[:torn], got '${spec}'`);
  return { type: m[1]!, n: Number(m[2]), mode: m[3] === 'torn' ? 'torn' : 'after' };
}

const killAt = parse(process.env.LOCKSTEP_TEST_KILL_AT);
let seen = 0;

/** How this append should end the process, if it is the chosen one; null (always, outside tests) otherwise. */
export function killPoint(type: string): KillMode | null {
  if (killAt === null || killAt.type !== type) return null;
  seen++;
  return seen === killAt.n ? killAt.mode : null;
}

/** Ends the process at once, as `kill -9` would: no exit handlers, no lock release, no fsync. */
export function die(): never {
  process.kill(process.pid, 'SIGKILL');
  // SIGKILL is delivered before kill() returns for the calling process; this only satisfies the type.
  throw new Error('unreachable: SIGKILL did not end the process');
}

/**
 * TEST-ONLY: a writer that stalls while it holds the study's lock, for the stalled-worker test
 * (test/distributed/stall.test.ts). Never set outside tests.
 *
 * `LOCKSTEP_TEST_STALL_AT=<record type>:<n>[:<ms>]` makes the n-th append transaction (counted in this
 * process) that holds a record of that type stop inside the transaction, after its lines are written and
 * before COMMIT: it says so on stderr, then sleeps `ms` (default 5000) — long enough for the test to
 * SIGSTOP the process right there.
 */
interface StallAt {
  type: string;
  n: number;
  ms: number;
}

function parseStall(spec: string | undefined): StallAt | null {
  if (spec === undefined || spec === '') return null;
  const m = /^([a-z.]+):(\d+)(?::(\d+))?$/.exec(spec);
  if (m === null) throw new Error(`LOCKSTEP_TEST_STALL_AT: expected <record type>:<n>[:<ms>], got '${spec}'`);
  return { type: m[1]!, n: Number(m[2]), ms: m[3] === undefined ? 5000 : Number(m[3]) };
}

const stallAt = parseStall(process.env.LOCKSTEP_TEST_STALL_AT);
let stalls = 0;

/** Stalls this append transaction, if it is the chosen one; returns at once (always, outside tests) otherwise. */
export async function stallPoint(types: readonly string[]): Promise<void> {
  if (stallAt === null || !types.includes(stallAt.type)) return;
  stalls++;
  if (stalls !== stallAt.n) return;
  process.stderr.write(`lockstep: test: stalled inside an append transaction (pid ${process.pid})\n`);
  await new Promise((r) => setTimeout(r, stallAt.ms));
}
