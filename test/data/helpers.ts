import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { type ErrorCode, LockstepError } from '../../src/errors.js';

/** A temporary folder, removed after the file's tests. */
export function tempDir(): { dir: string; write: (name: string, content: string | Uint8Array) => string } {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-data-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    write: (name, content) => {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    },
  };
}

/** Asserts a LockstepError with the code, on one line, whose message contains every part. */
export function expectLockstepError(e: unknown, code: ErrorCode, ...parts: string[]): void {
  expect(e).toBeInstanceOf(LockstepError);
  const err = e as LockstepError;
  expect(err.code).toBe(code);
  expect(err.message).not.toContain('\n');
  for (const p of parts) expect(err.message).toContain(p);
}

export async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}
