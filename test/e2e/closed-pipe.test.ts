/**
 * A reader that closes its end of the pipe early (`lockstep show | head -1`) ends the command quietly:
 * no unhandled EPIPE, no stack trace, and the command's own exit code (issue 15, item 11).
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliAsync, tempDir } from '../helpers/cli.js';
import { fixtureTrials, writeFixtureLedger } from '../report/fixtures.js';

let ledger: string;

beforeAll(() => {
  ledger = join(tempDir('lockstep-pipe-'), 'ledger.jsonl');
  // 1,500 trials: show's table and export's CSV are larger than a pipe's buffer (64 KiB).
  writeFixtureLedger(ledger, fixtureTrials(Array<'complete'>(1500).fill('complete'), 2));
});

/** Runs the CLI and closes the read end of its stdout: at once, or after the first chunk. */
function closedEarly(
  args: string[],
  when: 'at-once' | 'after-first-chunk',
): Promise<{ code: number | null; signal: string | null; stderr: string; got: number }> {
  return new Promise((resolve, reject) => {
    const child = cliAsync(args);
    let stderr = '';
    let got = 0;
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    if (when === 'at-once') child.stdout.destroy();
    else {
      child.stdout.once('data', (d: Buffer) => {
        got = d.length;
        child.stdout.destroy();
      });
    }
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr, got }));
  });
}

describe('stdout closed by its reader', () => {
  // The fixture is written through the ledger API, not by a search: verify finds it is not what its
  // recorded config gives (its IDs, seeds and config hash are made up) and exits 1, its own code.
  const commands: [string, string[], number][] = [
    ['show', ['show'], 0],
    ['show --json', ['show', '--json'], 0],
    ['export csv', ['export', '--format', 'csv'], 0],
    ['export json', ['export', '--format', 'json'], 0],
    ['verify', ['verify'], 1],
  ];
  for (const [name, [cmd, ...opts], code] of commands) {
    for (const when of ['at-once', 'after-first-chunk'] as const) {
      it(`${name}: exits ${code} without a stack trace when stdout closes ${when}`, async () => {
        const r = await closedEarly([cmd!, ledger, ...opts], when);
        expect(r.stderr).not.toMatch(/EPIPE|Unhandled|\n\s+at /);
        expect(r.stderr).toBe('');
        expect(r.signal).toBeNull();
        expect(r.code).toBe(code);
      });
    }
  }
});
