import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { BIN, ROOT, smallCsv, tempDir, writeFiles } from '../helpers/cli.js';
import { requireBuild } from '../train/helpers.js';

// bin/lockstep.js runs the main thread from dist/cli/bundle/ (scripts/bundle.mjs): the same CLI as the compiled
// modules it is made of, so a study run by either gives one digest, and a bad config one line and exit 2.

const BUNDLE = join(ROOT, 'dist/cli/bundle/main.js');
const PLAIN = join(ROOT, 'dist/cli/main.js');

function run(entry: string, args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [entry, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, LOCKSTEP_STRICT_RANDOM: '1' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the bundled CLI', () => {
  let dir: string;
  beforeAll(() => {
    requireBuild();
    dir = tempDir();
    writeFiles(dir, {
      'data.csv': smallCsv(100, 4),
      'study.yaml':
        'name: bundled\nseed: 8\ndataset: data.csv\ntarget: label\nsampler: tpe\nparallelism: 2\nbudget: { trials: 5 }\nspace:\n  units_1: { type: int, low: 4, high: 16 }\n  activation: [relu, tanh]\n  epochs: 2\n',
      'bad.yaml': 'name: bad\nseed: 1\ndataset: data.csv\ntarget: label\nbudget: { trials: -3 }\n',
    });
  });

  test('is built, split per command, and is what bin/lockstep.js runs', () => {
    expect(existsSync(BUNDLE)).toBe(true);
    expect(readdirSync(join(ROOT, 'dist/cli/bundle')).some((f) => f.startsWith('search-'))).toBe(true);
    // The bundle holds the version the compiled modules hold.
    expect(execFileSync(process.execPath, [BIN, '--version'], { encoding: 'utf8' })).toBe(
      execFileSync(process.execPath, [PLAIN, '--version'], { encoding: 'utf8' }),
    );
  });

  test('gives the digest of the compiled modules, with 1 and 2 workers', () => {
    const digests = [
      [BIN, '1'],
      [PLAIN, '2'],
      [BIN, '2'],
    ].map(([entry, workers], i) => {
      const r = run(
        entry!,
        ['search', 'study.yaml', '--workers', workers!, '--out', `out-${i}`, '--json'],
        dir,
      );
      expect(r.stderr, r.stderr).toBe('');
      expect(r.code).toBe(0);
      return (JSON.parse(r.stdout) as { digest: string }).digest;
    });
    expect(digests[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(digests).size).toBe(1);
  }, 120_000);

  test('refuses a bad config with one line and exit 2, as the compiled modules do', () => {
    const a = run(BIN, ['search', 'bad.yaml', '--out', 'bad-a'], dir);
    const b = run(PLAIN, ['search', 'bad.yaml', '--out', 'bad-b'], dir);
    expect(a.code).toBe(2);
    expect(a.stderr.trim().split('\n')).toHaveLength(1);
    expect(a.stderr).toContain('budget');
    expect(a.stderr).toBe(b.stderr);
    expect(a.stdout).toBe(b.stdout);
  });
});
