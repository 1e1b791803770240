import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, jsonOut, smallCsv, tempDir, writeFiles } from '../helpers/cli.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * Turns a ledger into one recorded under numeric version 1: the study's environment says 1, and
 * the first trial's weights hash is one the old trainer gave (any other). The hash chain is
 * rebuilt, so that the ledger is intact, not damaged.
 */
function asNumericV1(file: string): string {
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  let prev: string | undefined;
  let id = '';
  const out = lines.map((line) => {
    const r = JSON.parse(line) as Record<string, unknown> & { type: string };
    if (prev !== undefined) r.prev = prev;
    if (r.type === 'study') {
      const study = r.study as { environment: Record<string, unknown> };
      study.environment.numeric = 1;
    }
    if (r.type === 'trial.started' && id === '') id = String(r.id);
    if (r.type === 'trial.finished' && typeof r.weightsHash === 'string') r.weightsHash = '0'.repeat(64);
    const text = JSON.stringify(r);
    prev = sha256(text);
    return text;
  });
  writeFileSync(file, `${out.join('\n')}\n`);
  return id;
}

describe('replay of a ledger from an older numeric version', () => {
  it('names the numeric version difference instead of a bare divergence', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'data.csv': smallCsv(80, 5) });
    const cfg = join(dir, 'nv.yaml');
    writeFileSync(
      cfg,
      'name: nv\nseed: 1\ndataset: data.csv\ntarget: label\nsampler: random\nparallelism: 0\nrefit: false\nbudget: { trials: 1 }\nspace: { layers: 1, units_1: 4, epochs: 1 }\n',
    );
    const s = await cli(['search', cfg, '--workers', '1', '--out', join(dir, 'out'), '--json']);
    expect(s.code, s.stderr).toBe(0);
    const ledger = join(dir, 'out', 'nv', 'ledger.jsonl');
    const id = asNumericV1(ledger);
    expect(id).not.toBe('');
    expect((await cli(['verify', ledger])).code).toBe(0);
    const r = await cli(['replay', id, '--ledger', ledger, '--json']);
    const v = jsonOut(r);
    expect(v.verdict).not.toBe('exact');
    expect(v.environmentDiff).toContainEqual({ field: 'numeric', recorded: 1, now: 2 });
    const human = await cli(['replay', id, '--ledger', ledger]);
    expect(human.stdout).toMatch(/environment: numeric recorded 1, now 2/);
  });
});
