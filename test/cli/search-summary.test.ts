import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, jsonOut, smallCsv, tempDir, writeFiles } from '../helpers/cli.js';

describe('the search summary', () => {
  let dir: string;
  let cfg: string;
  beforeAll(() => {
    dir = tempDir();
    cfg = join(dir, 's.yaml');
    writeFiles(dir, {
      'data.csv': smallCsv(160, 9),
      's.yaml': `name: s\nseed: 5\ndataset: data.csv\ntarget: label\nmetric: accuracy\nsampler: random\nparallelism: 1\nbudget: { trials: 3 }\nspace:\n  layers: 1\n  units_1: { type: int, low: 4, high: 16 }\n  learning_rate: { type: float, low: 0.001, high: 0.1, log: true }\n  epochs: 3\n`,
    });
  });

  it('names the metric of the best trial and of the refit', async () => {
    const r = await cli(['search', cfg, '--out', join(dir, 'a'), '--workers', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^best accuracy \d\.\d+ \(trial [0-9a-f]{8}-\d\)$/m);
    expect(r.stdout).toMatch(/^refit on train\+validation: test accuracy \d\.\d+ {2}model /m);
    expect(r.stdout).not.toMatch(/\bscore\b/);
    expect(r.stdout).not.toMatch(/already complete/);
  });

  it('says a study already complete had nothing to do: exit 0, the same digest', async () => {
    const out = join(dir, 'b');
    const partial = await cli(['search', cfg, '--out', out, '--workers', '1', '--trials', '2', '--json']);
    expect(partial.code, partial.stderr).toBe(0);
    // A resume that runs the third trial is not "already complete".
    const resumed = await cli(['search', cfg, '--out', out, '--workers', '1']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).not.toMatch(/already complete/);
    const digest = /^digest ([0-9a-f]{64})$/m.exec(resumed.stdout)![1];

    const again = await cli(['search', cfg, '--out', out, '--workers', '1']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(
      /^study s: already complete: its 3 trials were recorded before this run; nothing to do$/m,
    );
    expect(again.stdout).toMatch(new RegExp(`^digest ${digest}$`, 'm'));
    const json = await cli(['search', cfg, '--out', out, '--workers', '1', '--json']);
    expect(json.code, json.stderr).toBe(0);
    expect(jsonOut(json).digest).toBe(digest);
    expect(jsonOut(json).alreadyComplete).toBe(true);
    expect(jsonOut(json).metric).toBe('accuracy');
  });
});
