/**
 * Ledger damage through the CLI (the unit cases live in test/ledger; the flipped byte, deleted line, torn
 * line and live lock through `verify` / `search` in test/e2e/search.test.ts). Here: swapped lines and a line
 * from another study refused by both `verify` and `search`, naming the line; a stale lock of a dead process
 * taken over; a full disk and a read-only folder (a real small tmpfs, mounted when this runs as root).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonOut, oneLine, tempDir } from '../helpers/cli.js';
import { ledgerOf, ledgerProblems, run } from './helpers.js';

const OBJECTIVE = `export function objective(params, context) {
  const x = Number(params.x);
  for (let e = 1; e <= 2; e++) context.report(e, { value: (x - 0.3) ** 2 + 1 / e });
  return (x - 0.3) ** 2;
}
`;

function config(dir: string, name: string, seed: number, trials: number): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(
    path,
    `name: ${name}\nseed: ${seed}\nobjective: { module: ./obj.mjs }\ndirection: minimize\nbackend: cpu
space: { x: { type: float, low: 0, high: 1 } }\nsampler: random\nparallelism: 1\nbudget: { trials: ${trials} }\n`,
  );
  return path;
}

describe('ledger damage through the CLI: refused, naming the line', () => {
  let dir: string;
  let cfg: string;
  let pristine: string;
  let other: string;
  beforeAll(async () => {
    dir = tempDir('lockstep-damage-');
    writeFileSync(join(dir, 'obj.mjs'), OBJECTIVE);
    cfg = config(dir, 'dmg', 1, 3);
    const a = await run(['search', cfg, '--workers', '1', '--out', join(dir, 'a'), '--json']);
    const b = await run([
      'search',
      config(dir, 'dmg2', 2, 3),
      '--workers',
      '1',
      '--out',
      join(dir, 'b'),
      '--json',
    ]);
    if (a.code !== 0 || b.code !== 0) throw new Error(a.stderr + b.stderr);
    pristine = readFileSync(ledgerOf(join(dir, 'a'), 'dmg'), 'utf8');
    other = readFileSync(ledgerOf(join(dir, 'b'), 'dmg2'), 'utf8');
  });

  const damage: [string, (lines: string[], others: string[]) => string[], RegExp][] = [
    [
      'two lines swapped',
      (l) => [l[0]!, l[1]!, l[3]!, l[2]!, ...l.slice(4)],
      /line 3: seq is 3 where 2 was expected/,
    ],
    [
      'a line from another study',
      (l, o) => [...l.slice(0, 4), o[4]!, ...l.slice(5)],
      /line 5: prev hash does not match line 4/,
    ],
    [
      'a flipped byte in the study record',
      (l) => [l[0]!.replace('"seed":1', '"seed":3'), ...l.slice(1)],
      /line 2: prev hash does not match line 1/,
    ],
  ];
  for (const [what, damageIt, re] of damage) {
    it(`${what}: verify exits 1 and search exits 2, both naming the line`, async () => {
      const out = join(dir, what.replaceAll(' ', '-'));
      mkdirSync(join(out, 'dmg'), { recursive: true });
      const ledger = ledgerOf(out, 'dmg');
      const lines = pristine.trimEnd().split('\n');
      writeFileSync(ledger, `${damageIt(lines, other.trimEnd().split('\n')).join('\n')}\n`);
      const before = readFileSync(ledger);
      const v = await run(['verify', ledger]);
      expect(v.code).toBe(1);
      expect(v.stdout).toMatch(re);
      const s = await run(['search', cfg, '--workers', '1', '--out', out, '--trials', '4']);
      expect(s.code).toBe(2);
      expect(oneLine(s)).toMatch(re);
      expect(oneLine(s)).toContain(ledger);
      expect(readFileSync(ledger).equals(before)).toBe(true); // refused, and left as it was
    });
  }

  it("takes over a dead process's lock, with a warning naming its pid", async () => {
    const out = join(dir, 'stale');
    mkdirSync(join(out, 'dmg'), { recursive: true });
    const ledger = ledgerOf(out, 'dmg');
    writeFileSync(ledger, pristine);
    // A pid that is surely gone: a child that has already exited.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(
      `${ledger}.lock`,
      JSON.stringify({ pid: dead, host: hostname(), startedAt: '2020-01-01T00:00:00Z' }),
    );
    const r = await run(['search', cfg, '--workers', '1', '--out', out, '--trials', '4', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`took over a stale lock of pid ${dead}`);
    expect(jsonOut(r).trials).toBe(4);
    expect(ledgerProblems(ledger, 4)).toEqual([]);
  });
});

/** A 64 KiB tmpfs: a real full disk (ENOSPC) and a real read-only folder (EROFS), without chmod (root ignores it). */
function mountTmpfs(dir: string, size: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const canMount = (() => {
  const probe = tempDir('lockstep-mount-');
  if (!mountTmpfs(probe, '16k')) return false;
  execFileSync('umount', [probe]);
  return true;
})();

describe.skipIf(!canMount)('a full disk and a read-only folder (tmpfs, as root)', () => {
  let dir: string;
  let mnt: string;
  beforeAll(() => {
    dir = tempDir('lockstep-disk-');
    writeFileSync(join(dir, 'obj.mjs'), OBJECTIVE);
    mnt = join(dir, 'mnt');
    mkdirSync(mnt);
  });
  afterAll(() => {
    spawnSync('umount', [mnt]);
  });

  it('a full disk: one clear E_IO line naming the ledger, and the ledger intact to its last complete record', async () => {
    expect(mountTmpfs(mnt, '40k')).toBe(true);
    try {
      const cfg = config(dir, 'full', 3, 200);
      const r = await run(['search', cfg, '--workers', '1', '--out', mnt, '--json']);
      expect(r.code).toBe(2);
      const line = oneLine(r);
      expect(line).toMatch(
        /ledger .*ledger\.jsonl: cannot append line \d+ \(ENOSPC: no space left on device\)/,
      );
      const ledger = ledgerOf(mnt, 'full');
      const text = readFileSync(ledger, 'utf8');
      expect(text.endsWith('\n')).toBe(true); // the half line was taken back
      copyFileSync(ledger, join(dir, 'full-copy.jsonl'));
      const v = await run(['verify', join(dir, 'full-copy.jsonl'), '--json']);
      expect(jsonOut(v).ok).toBe(true);
    } finally {
      spawnSync('umount', [mnt]);
    }
  });

  it('a read-only folder: one clear E_IO line, exit 2, nothing written', async () => {
    expect(mountTmpfs(mnt, '64k')).toBe(true);
    try {
      execFileSync('mount', ['-o', 'remount,ro', mnt]);
      const cfg = config(dir, 'ro', 3, 2);
      const r = await run(['search', cfg, '--workers', '1', '--out', mnt]);
      expect(r.code).toBe(2);
      expect(oneLine(r)).toMatch(/cannot create the study folder .*EROFS/);
    } finally {
      spawnSync('umount', [mnt]);
    }
  });
});
