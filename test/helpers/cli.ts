import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const BIN = join(ROOT, 'bin/lockstep.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the compiled CLI in its own process (the tests never share a process with the code they check). */
export function cli(
  args: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
): Promise<CliResult> {
  return new Promise((resolveResult, reject) => {
    const child = cliAsync(args, opts);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolveResult({ code, stdout, stderr }));
  });
}

/** The same, without blocking the test's event loop (for kill tests). */
export function cliAsync(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) {
  return spawn(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, LOCKSTEP_STRICT_RANDOM: '1', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function tempDir(prefix = 'lockstep-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Parses the single JSON line a `--json` command prints. */
export function jsonOut(r: CliResult): Record<string, unknown> {
  const lines = r.stdout.trim().split('\n');
  try {
    return JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
  } catch {
    throw new Error(`no JSON on stdout (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
}

/** Asserts the shape of a bad-input failure: one line on stderr, exit 2, no stack trace. */
export function oneLine(r: CliResult): string {
  const lines = r.stderr
    .trim()
    .split('\n')
    .filter((l) => !l.startsWith('lockstep: warning'));
  if (lines.length !== 1 || /\n\s+at /.test(r.stderr))
    throw new Error(`expected one line on stderr, got:\n${r.stderr}`);
  return lines[0]!;
}

/** A small binary classification CSV: learnable, seeded by `seed` (no randomness from the air). */
export function smallCsv(rows = 160, seed = 1): string {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) % 100000) / 100000;
  };
  const lines = ['a,b,c,color,label'];
  for (let i = 0; i < rows; i++) {
    const a = next() * 2 - 1;
    const b = next() * 2 - 1;
    const c = next() * 2 - 1;
    const color = ['red', 'green', 'blue'][Math.floor(next() * 3)]!;
    const label = a + 0.5 * b - 0.3 * c + (color === 'red' ? 0.4 : 0) > 0 ? 'yes' : 'no';
    lines.push(`${a.toFixed(4)},${b.toFixed(4)},${i % 17 === 0 ? 'NA' : c.toFixed(4)},${color},${label}`);
  }
  return `${lines.join('\n')}\n`;
}

export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
}
