import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, jsonOut, oneLine, smallCsv, tempDir, writeFiles } from '../helpers/cli.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * Turns a ledger into one recorded under numeric version 1: the study's environment says 1, and
 * the first trial's weights hash is one the old trainer gave (any other). The hash chain is
 * rebuilt, so that the ledger is intact, not damaged.
 */
function asNumericV1(file: string): string {
  return rewriteLedger(
    file,
    (env) => {
      env.numeric = 1;
    },
    true,
  );
}

/**
 * Rewrites the study's recorded environment (and, with `staleWeights`, the first trial's weights
 * hash), rebuilding the hash chain so that the ledger stays intact. Returns the first trial's id.
 */
function rewriteLedger(
  file: string,
  edit: (env: Record<string, unknown>) => void,
  staleWeights: boolean,
): string {
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  let prev: string | undefined;
  let id = '';
  const out = lines.map((line) => {
    const r = JSON.parse(line) as Record<string, unknown> & { type: string };
    if (prev !== undefined) r.prev = prev;
    if (r.type === 'study') {
      const study = r.study as { environment: Record<string, unknown> };
      edit(study.environment);
    }
    if (r.type === 'trial.started' && id === '') id = String(r.id);
    if (staleWeights && r.type === 'trial.finished' && typeof r.weightsHash === 'string')
      r.weightsHash = '0'.repeat(64);
    const text = JSON.stringify(r);
    prev = sha256(text);
    return text;
  });
  writeFileSync(file, `${out.join('\n')}\n`);
  return id;
}

async function oneTrialStudy(name: string): Promise<string> {
  const dir = tempDir();
  writeFiles(dir, { 'data.csv': smallCsv(80, 5) });
  const cfg = join(dir, `${name}.yaml`);
  writeFileSync(
    cfg,
    `name: ${name}\nseed: 1\ndataset: data.csv\ntarget: label\nsampler: random\nparallelism: 0\nrefit: false\nbudget: { trials: 1 }\nspace: { layers: 1, units_1: 4, epochs: 1 }\n`,
  );
  const s = await cli(['search', cfg, '--workers', '1', '--out', join(dir, 'out'), '--json']);
  expect(s.code, s.stderr).toBe(0);
  return join(dir, 'out', name, 'ledger.jsonl');
}

describe('replay of a ledger recorded on another machine', () => {
  it('says exact when the bits are equal, and lists the environment differences as information', async () => {
    const ledger = await oneTrialStudy('om');
    const id = rewriteLedger(
      ledger,
      (env) => {
        env.node = '26.0.0';
        env.arch = env.arch === 'arm64' ? 'x64' : 'arm64';
        env.cpu = 'Some Other CPU';
      },
      false,
    );
    const r = await cli(['replay', id, '--ledger', ledger, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const v = jsonOut(r);
    expect(v.verdict).toBe('exact');
    const fields = (v.environmentDiff as { field: string }[]).map((d) => d.field);
    expect(fields).toEqual(['node', 'arch', 'cpu']);
    const human = await cli(['replay', id, '--ledger', ledger]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/: exact\n/);
    expect(human.stdout).toMatch(/for information: every number is bit-identical/);
    expect(human.stdout).toMatch(/environment: node recorded 26\.0\.0, now /);
  });
});

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
    // Its chain is intact, but its trial cannot replay exact on this engine, and verify says why.
    const checked = await cli(['verify', ledger]);
    expect(checked.code).toBe(1);
    expect(checked.stdout).toMatch(/hash chain intact/);
    expect(checked.stdout).toMatch(/recorded with numeric 1, this engine has numeric 3/);
    const r = await cli(['replay', id, '--ledger', ledger, '--json']);
    const v = jsonOut(r);
    expect(v.verdict).not.toBe('exact');
    expect(v.environmentDiff).toContainEqual({ field: 'numeric', recorded: 1, now: 3 });
    const human = await cli(['replay', id, '--ledger', ledger]);
    expect(human.stdout).toMatch(/environment: numeric recorded 1, now 3/);
  });
});

describe('resuming a ledger from an older numeric version', () => {
  it('is refused: one line naming both numeric versions, exit 2, the ledger untouched', async () => {
    const ledger = await oneTrialStudy('nr');
    const dir = dirname(dirname(dirname(ledger)));
    // What numeric version 2 (lockstep before init: torch) recorded: the same study but for that number.
    rewriteLedger(
      ledger,
      (env) => {
        expect(env.numeric).toBe(3);
        env.numeric = 2;
      },
      false,
    );
    const before = readFileSync(ledger, 'utf8');
    const env = (JSON.parse(before.split('\n')[0]!) as { study: { environment: Record<string, unknown> } })
      .study.environment;
    const why = `cannot resume this study: it was recorded with backend ${env.backend} ${env.backendVersion} (numeric version 2), this is ${env.backend} ${env.backendVersion} (numeric version 3); use --out to start a new one`;
    // Both a plain resume and one that extends the finished study's budget.
    for (const more of [[], ['--trials', '2']]) {
      const r = await cli([
        'search',
        join(dir, 'nr.yaml'),
        '--workers',
        '1',
        '--out',
        join(dir, 'out'),
        ...more,
      ]);
      expect(r.code, r.stdout + r.stderr).toBe(2);
      expect(oneLine(r)).toBe(`lockstep: ${ledger}: ${why}`);
      expect(readFileSync(ledger, 'utf8')).toBe(before);
    }
  });
});
