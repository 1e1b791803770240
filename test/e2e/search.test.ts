import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, jsonOut, oneLine, smallCsv, tempDir, writeFiles } from '../helpers/cli.js';

const SPACE = `space:
  layers: { type: int, low: 1, high: 2 }
  units_1: { type: int, low: 4, high: 32, log: true }
  units_2: { type: int, low: 4, high: 32, log: true, when: { layers: { gte: 2 } } }
  activation: [relu, tanh]
  dropout: { type: float, low: 0, high: 0.3 }
  optimizer: [adam, sgd]
  momentum: { type: float, low: 0, high: 0.9, when: { optimizer: sgd } }
  learning_rate: { type: float, low: 0.001, high: 0.1, log: true }
  batch_size: [16, 32]
  epochs: 3
`;

function study(dir: string, name: string, sampler: string, trials = 8): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(
    path,
    `name: ${name}\nseed: 7\ndataset: data.csv\ntarget: label\nsampler: ${sampler}\nparallelism: 2\nbudget: { trials: ${trials} }\n${SPACE}`,
  );
  return path;
}

describe('search: the same study on 1 worker, 2 workers, and 2 workers with random delays', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
    writeFiles(dir, { 'data.csv': smallCsv(160, 3) });
  });

  for (const sampler of ['random', '{ name: tpe, n_startup_trials: 3 }']) {
    it(`gives identical digests (${sampler})`, async () => {
      const cfg = study(dir, sampler === 'random' ? 'rnd' : 'tpe', sampler);
      const one = await cli(['search', cfg, '--workers', '1', '--out', join(dir, 'w1'), '--json']);
      expect(one.code, one.stderr).toBe(0);
      const two = await cli(['search', cfg, '--workers', '2', '--out', join(dir, 'w2'), '--json']);
      expect(two.code, two.stderr).toBe(0);
      const delayed = await cli(['search', cfg, '--workers', '2', '--out', join(dir, 'w2d'), '--json'], {
        env: { LOCKSTEP_TEST_DELAY_MS: '300' },
      });
      expect(delayed.code, delayed.stderr).toBe(0);
      const [a, b, c] = [jsonOut(one), jsonOut(two), jsonOut(delayed)];
      expect(a.digest).toMatch(/^[0-9a-f]{64}$/);
      expect(b.digest).toBe(a.digest);
      expect(c.digest).toBe(a.digest);
      expect(a.trials).toBe(8);
      expect((a.best as { params: object }).params).toEqual((c.best as { params: object }).params);
      // The ledgers differ in line order and wall times, not in content: the digest is over content.
      const lines = (p: string) => readFileSync(p, 'utf8').trim().split('\n').length;
      expect(lines(a.ledger as string)).toBe(lines(c.ledger as string));
    });
  }

  it('replays every trial of a finished study exact, through the CLI', async () => {
    const cfg = study(dir, 'replayme', 'random', 4);
    const r = await cli(['search', cfg, '--workers', '2', '--out', join(dir, 'rp'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const ledger = jsonOut(r).ledger as string;
    const shown = jsonOut(await cli(['show', ledger, '--json']));
    const trials = shown.trials as { id: string }[];
    expect(trials).toHaveLength(4);
    for (const t of trials) {
      const rep = await cli(['replay', t.id, '--ledger', ledger, '--json']);
      expect(rep.code, rep.stdout + rep.stderr).toBe(0);
      expect(jsonOut(rep).verdict).toBe('exact');
    }
    // And verify replays a sample itself.
    const v = await cli(['verify', ledger, '--replay', '2', '--json']);
    expect(v.code, v.stderr).toBe(0);
    expect(jsonOut(v).ok).toBe(true);
  });

  it('resumes a study whose last line was torn, with a warning, to the same digest', async () => {
    const cfg = study(dir, 'torn', 'random', 5);
    const full = jsonOut(await cli(['search', cfg, '--out', join(dir, 't-full'), '--json']));
    const partial = await cli(['search', cfg, '--trials', '3', '--out', join(dir, 't-part'), '--json']);
    expect(partial.code, partial.stderr).toBe(0);
    const ledger = jsonOut(partial).ledger as string;
    writeFileSync(ledger, `${readFileSync(ledger, 'utf8')}{"v":1,"seq":99,"type":"trial.sta`);
    const resumed = await cli(['search', cfg, '--out', join(dir, 't-part'), '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/torn/);
    expect(jsonOut(resumed).digest).toBe(full.digest);
  });

  it('verify fails and names the line of a flipped byte and of a deleted line', async () => {
    const cfg = study(dir, 'damage', 'random', 3);
    const ledger = jsonOut(await cli(['search', cfg, '--out', join(dir, 'dmg'), '--json'])).ledger as string;
    const text = readFileSync(ledger, 'utf8');
    const lines = text.split('\n');
    expect(jsonOut(await cli(['verify', ledger, '--json'])).ok).toBe(true);

    const flipped = lines.slice();
    flipped[3] = flipped[3]!.replace(/"index":(\d)/, (_m, d) => `"index":${(Number(d) + 1) % 10}`);
    writeFileSync(ledger, flipped.join('\n'));
    const v1 = await cli(['verify', ledger]);
    expect(v1.code).not.toBe(0);
    expect(v1.stdout + v1.stderr).toMatch(/line [45]\b/);

    const deleted = lines.slice();
    deleted.splice(2, 1);
    writeFileSync(ledger, deleted.join('\n'));
    const v2 = await cli(['verify', ledger]);
    expect(v2.code).not.toBe(0);
    expect(v2.stdout + v2.stderr).toMatch(/line 3\b/);
  });

  it('refuses a second search on a locked ledger', async () => {
    const cfg = study(dir, 'locked', 'random', 2);
    const out = join(dir, 'lk');
    expect((await cli(['search', cfg, '--out', out, '--json'])).code).toBe(0);
    const ledger = join(out, 'locked', 'ledger.jsonl');
    writeFileSync(
      `${ledger}.lock`,
      JSON.stringify({ pid: process.pid, host: hostname(), startedAt: new Date().toISOString() }),
    );
    const r = await cli(['search', cfg, '--out', out, '--trials', '3']);
    expect(r.code).toBe(2);
    expect(oneLine(r)).toMatch(new RegExp(`locked by pid ${process.pid}`));
    expect(existsSync(ledger)).toBe(true);
  });
});

describe('search: bad input gets one clear line and exit 2', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
    writeFiles(dir, { 'data.csv': smallCsv(60, 5) });
  });
  const cases: [string, string, RegExp][] = [
    [
      'unknown sampler',
      'sampler: simulated-annealing\nspace: mlp-default\n',
      /sampler.*unknown sampler 'simulated-annealing'/,
    ],
    [
      'low > high',
      'space: { lr: { type: float, low: 1, high: 0.1 } }\n',
      /space\.lr.*low <= high.*low=1.*high=0\.1/,
    ],
    [
      'log with low <= 0',
      'space: { lr: { type: float, low: 0, high: 0.1, log: true } }\n',
      /space\.lr.*log.*low=0/,
    ],
    [
      'condition on an unknown parameter',
      'space: { optimizer: [adam, sgd], momentum: { type: float, low: 0, high: 0.9, when: { optimiser: sgd } } }\n',
      /space\.momentum\.when.*unknown parameter 'optimiser'/,
    ],
    ['unknown field', 'sampler: random\nspace: mlp-default\nbudgte: 3\n', /budgte/],
  ];
  for (const [what, body, re] of cases) {
    it(what, async () => {
      const path = join(dir, `${what.replaceAll(' ', '-')}.yaml`);
      writeFileSync(path, `name: bad\ndataset: data.csv\ntarget: label\n${body}`);
      const r = await cli(['search', path, '--out', join(dir, 'out')]);
      expect(r.code).toBe(2);
      const line = oneLine(r);
      expect(line).toMatch(re);
      expect(line).toContain(path);
    });
  }

  it('a trial ID not in the ledger', async () => {
    const path = join(dir, 'ok.yaml');
    writeFileSync(
      path,
      `name: okstudy\ndataset: data.csv\ntarget: label\nsampler: random\nbudget: { trials: 1 }\n${SPACE}`,
    );
    const ledger = jsonOut(await cli(['search', path, '--out', join(dir, 'out'), '--json'])).ledger as string;
    const r = await cli(['replay', 'deadbeef-3', '--ledger', ledger]);
    expect(r.code).toBe(2);
    expect(oneLine(r)).toMatch(/trial deadbeef-3 is not in ledger/);
    const r2 = await cli(['replay', 'nonsense', '--ledger', ledger]);
    expect(r2.code).toBe(2);
    expect(oneLine(r2)).toMatch(/nonsense/);
  });
});
