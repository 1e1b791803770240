import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, cliAsync, jsonOut, smallCsv, tempDir, writeFiles } from '../helpers/cli.js';

describe('Ctrl-C during a search', () => {
  it('aborts running trials, records them as such, keeps the ledger consistent, and a resume reaches the uninterrupted digest', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'data.csv': smallCsv(400, 4) });
    const cfg = join(dir, 'int.yaml');
    writeFileSync(
      cfg,
      'name: int\nseed: 11\ndataset: data.csv\ntarget: label\nsampler: random\nparallelism: 2\nbudget: { trials: 6 }\nspace: { layers: 2, units: 32, batch_size: 8, learning_rate: 0.01, epochs: 8 }\n',
    );
    const full = await cli(['search', cfg, '--workers', '2', '--out', join(dir, 'full'), '--json']);
    expect(full.code, full.stderr).toBe(0);

    const out = join(dir, 'cut');
    const child = cliAsync(['search', cfg, '--workers', '2', '--out', out, '--json']);
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const ledger = join(out, 'int', 'ledger.jsonl');
    // Interrupt once the first trial has finished and others are running.
    await new Promise<void>((resolve, reject) => {
      const t = setInterval(() => {
        try {
          if (readFileSync(ledger, 'utf8').includes('"type":"trial.finished"')) {
            clearInterval(t);
            child.kill('SIGINT');
            resolve();
          }
        } catch {
          // not created yet
        }
      }, 20);
      child.on('exit', () => {
        clearInterval(t);
        reject(new Error(`search ended before it could be interrupted: ${stderr}`));
      });
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code, stderr).toBe(130);
    const records = readFileSync(ledger, 'utf8')
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as { type: string; state?: string; error?: string; cause?: string; message?: string },
      );
    const aborted = records.filter((r) => r.type === 'trial.finished' && r.error === 'aborted');
    expect(aborted.length).toBeGreaterThan(0);
    for (const a of aborted) expect(a.cause).toBe('environment');
    expect(records.some((r) => r.type === 'study.note' && r.message === 'interrupted')).toBe(true);
    const v = await cli(['verify', ledger, '--json']);
    expect(jsonOut(v).ok, v.stdout).toBe(true);

    const resumed = await cli(['search', cfg, '--workers', '1', '--out', out, '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(jsonOut(resumed).digest).toBe(jsonOut(full).digest);
  });
});
