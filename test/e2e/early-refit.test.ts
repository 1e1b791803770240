import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, jsonOut, oneLine, smallCsv, tempDir, writeFiles } from '../helpers/cli.js';

// The refit begins beside the last trial (src/study/local.ts): kept when the last trial does not change the
// choice, discarded and redone when it does. Either way the refit record must be the one a study without the
// early refit writes: a time budget (`minutes`) turns the early refit off without changing any trial.
const SPACE = `space:
  layers: 1
  units_1: { type: int, low: 4, high: 32, log: true }
  activation: [relu, tanh]
  optimizer: [adam, sgd]
  learning_rate: { type: float, low: 0.001, high: 0.1, log: true }
  batch_size: [16, 32]
  epochs: 3
`;

function study(dir: string, name: string, seed: number, budget: string): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(
    path,
    `name: ${name}\nseed: ${seed}\ndataset: data.csv\ntarget: label\nsampler: random\nparallelism: 2\nbudget: ${budget}\n${SPACE}`,
  );
  return path;
}

interface Logged {
  msg: string;
  trial?: number;
}

function earlyRefits(ledger: string): Logged[] {
  const log = join(ledger, '..', 'lockstep.log');
  return readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Logged)
    .filter((l) => l.msg.startsWith('early refit'));
}

describe('search: the refit begun beside the last trial', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
    writeFiles(dir, { 'data.csv': smallCsv(120, 3) });
  });

  it('writes the refit record a study without it writes, whether kept or discarded, on 1 and 2 workers', async () => {
    const seen = new Set<string>();
    // Seeds chosen so that the last trial is the best in some studies (the early refit is discarded) and
    // not in others (kept); the test checks that both happened.
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const trials = 4;
      const plain = study(dir, `s${seed}`, seed, `{ trials: ${trials} }`);
      const timed = study(dir, `t${seed}`, seed, `{ trials: ${trials}, minutes: 60 }`);
      const a = await cli(['search', plain, '--workers', '1', '--out', join(dir, 'w1'), '--json']);
      expect(a.code, a.stderr).toBe(0);
      const b = await cli(['search', plain, '--workers', '2', '--out', join(dir, 'w2'), '--json']);
      expect(b.code, b.stderr).toBe(0);
      const c = await cli(['search', timed, '--workers', '1', '--out', join(dir, 'w1'), '--json']);
      expect(c.code, c.stderr).toBe(0);
      const [ja, jb, jc] = [jsonOut(a), jsonOut(b), jsonOut(c)];
      expect(jb.digest).toBe(ja.digest);
      const refit = (j: Record<string, unknown>) => {
        const { modelDir: _, ...r } = j.refit as Record<string, unknown>;
        return r;
      };
      expect(refit(ja)).toEqual(refit(jc));
      expect(refit(jb)).toEqual(refit(jc));
      // The model on disk is the refit the record describes.
      for (const j of [ja, jb]) {
        const meta = JSON.parse(
          readFileSync(join((j.refit as { modelDir: string }).modelDir, 'metadata.json'), 'utf8'),
        ) as { weightsHash: string; trial: string };
        expect(meta.weightsHash).toBe((j.refit as { weightsHash: string }).weightsHash);
      }
      const logged = earlyRefits(ja.ledger as string);
      expect(logged).toHaveLength(1);
      seen.add(logged[0]!.msg);
      // The early refit refitted the best of the first three trials.
      const trialsBefore = (
        jsonOut(await cli(['show', ja.ledger as string, '--json'])).trials as {
          index: number;
          score: number | null;
        }[]
      ).filter((t) => t.index < trials - 1 && t.score !== null);
      const bestBefore = trialsBefore.reduce((x, y) => (y.score! > x.score! ? y : x));
      expect(logged[0]!.trial).toBe(bestBefore.index);
      // No early refit under a time budget.
      expect(earlyRefits(jc.ledger as string)).toHaveLength(0);
      if (seen.size === 2 && seed >= 2) break;
    }
    expect([...seen].sort()).toEqual(['early refit discarded', 'early refit kept']);
  }, 240_000);
});

describe('search: a backend that is not installed', () => {
  it("is refused in one line before anything is written (backend 'tensorflow' without tfjs-node)", async () => {
    const dir = tempDir();
    writeFiles(dir, { 'data.csv': smallCsv(60, 2) });
    const cfg = join(dir, 'tf.yaml');
    writeFileSync(
      cfg,
      `name: tf\nseed: 1\ndataset: data.csv\ntarget: label\nbackend: tensorflow\nbudget: { trials: 2 }\n${SPACE}`,
    );
    const r = await cli(['search', cfg, '--out', join(dir, 'out')]);
    expect(r.code).toBe(2);
    expect(oneLine(r)).toBe(
      "lockstep: backend 'tensorflow' needs @tensorflow/tfjs-node, which is not installed (npm install @tensorflow/tfjs-node)",
    );
    expect(existsSync(join(dir, 'out', 'tf', 'ledger.jsonl'))).toBe(false);
  });
});
