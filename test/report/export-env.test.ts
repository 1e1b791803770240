import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, oneLine, ROOT, tempDir } from '../helpers/cli.js';
import { fixtureTrials, writeFixtureLedger } from './fixtures.js';

describe('lockstep export-env', () => {
  it('writes the versions the ledger recorded, not this machine’s', async () => {
    expect(process.versions.node).not.toBe('18.19.0');
    const dir = tempDir('lockstep-env-');
    const ledger = join(dir, 'ledger.jsonl');
    const trials = fixtureTrials(['complete', 'complete', 'pruned', 'complete']);
    writeFixtureLedger(ledger, trials, { node: '18.19.0', tfjs: '4.20.0', backendVersion: '4.20.0' });
    const out = join(dir, 'env');
    const r = await cli(['export-env', ledger, '--out', out]);
    expect(r.code).toBe(0);
    const docker = readFileSync(join(out, 'Dockerfile'), 'utf8');
    expect(docker).toMatch(/^FROM node:18\.19\.0-bookworm-slim$/m);
    expect(docker).not.toContain(process.versions.node);
    expect(docker).toContain("'/opt/lockstep/node_modules/@tensorflow/tfjs-core/package.json')!=='4.20.0'");
    expect(docker).toContain(
      "'/opt/lockstep/node_modules/@tensorflow/tfjs-backend-wasm/package.json')!=='4.20.0'",
    );
    expect(docker).toContain('npm pack lockstep@0.1.0');
    // the lockfile is the project's, byte for byte; it pins tfjs 4.22.0, so the mismatch is reported
    expect(readFileSync(join(out, 'package-lock.json'), 'utf8')).toBe(
      readFileSync(join(ROOT, 'package-lock.json'), 'utf8'),
    );
    expect(r.stderr).toContain('the lockfile pins @tensorflow/tfjs-core 4.22.0, the study recorded 4.20.0');
    const best = trials
      .filter((t) => t.fate === 'complete')
      .sort((a, b) => b.score! - a.score! || a.index - b.index)[0]!;
    const replay = readFileSync(join(out, 'replay.sh'), 'utf8');
    expect(replay).toContain(`replay ${best.id} --ledger ledger.jsonl`);
    expect(statSync(join(out, 'replay.sh')).mode & 0o111).not.toBe(0);
    expect(readFileSync(join(out, 'ledger.jsonl'), 'utf8')).toBe(readFileSync(ledger, 'utf8'));
    const readme = readFileSync(join(out, 'README.txt'), 'utf8');
    expect(readme).toMatch(/node\s+18\.19\.0/);
    expect(readme).toMatch(/tfjs\s+4\.20\.0/);
    expect(readme).toContain('Test CPU');
  });

  it('refuses a recorded version that is not a version, naming the field', async () => {
    const dir = tempDir('lockstep-env-');
    const ledger = join(dir, 'ledger.jsonl');
    writeFixtureLedger(ledger, fixtureTrials(['complete']), { node: '20; rm -rf /' });
    const r = await cli(['export-env', ledger, '--out', join(dir, 'env')]);
    expect(r.code).toBe(2);
    expect(oneLine(r)).toContain('study.environment.node: expected a version');
  });

  it('says when there is no best trial to replay', async () => {
    const dir = tempDir('lockstep-env-');
    const ledger = join(dir, 'ledger.jsonl');
    writeFixtureLedger(ledger, fixtureTrials(['failed', 'pruned']));
    const r = await cli(['export-env', ledger, '--out', join(dir, 'env'), '--json']);
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'env', 'replay.sh'), 'utf8')).toContain('no complete trial');
  });
});
