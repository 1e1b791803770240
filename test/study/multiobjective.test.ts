/**
 * Several objectives, constraints, enqueue and warm_start, through the CLI on real files and real worker
 * threads: the digest is the same for 1 and 2 workers and after kill -9 + resume (NSGA-II and MOTPE), every
 * finished trial records its values and constraint values as the config defines them, the front is the
 * non-dominated feasible set, and bad configs are one line with exit code 2.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readLedger } from '../../src/ledger/index.js';
import { mlpParamCount } from '../../src/study/objectives.js';
import { paretoFrontOf } from '../../src/study/result.js';
import { requirePostgres, schemaUrl, uniqueSchema } from '../distributed/pg.js';
import { ledgerOf, ledgerProblems, run } from '../faults/helpers.js';
import { jsonOut, oneLine, tempDir } from '../helpers/cli.js';
import { readRecords, writeRechained } from '../helpers/rewrite.js';

const TRIALS = 10;

function writeData(dir: string): void {
  let s = 29;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) % 100000) / 100000;
  };
  const rows = ['a,b,c,label'];
  for (let i = 0; i < 120; i++) {
    const a = next() * 2 - 1;
    const b = next() * 2 - 1;
    const c = next() * 2 - 1;
    rows.push(`${a.toFixed(3)},${b.toFixed(3)},${c.toFixed(3)},${a * b + 0.3 * c > 0 ? 'yes' : 'no'}`);
  }
  writeFileSync(join(dir, 'data.csv'), `${rows.join('\n')}\n`);
}

const SPACE = `space:
  layers: { type: int, low: 1, high: 2 }
  units_1: { type: int, low: 2, high: 24 }
  units_2: { type: int, low: 2, high: 24, when: { layers: 2 } }
  learning_rate: { type: float, low: 0.005, high: 0.2, log: true }
  batch_size: 32
  epochs: 3
`;

function config(dir: string, name: string, extra: string): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(
    path,
    `name: ${name}\nseed: 3\ndataset: data.csv\ntarget: label\nparallelism: 2\nbudget: { trials: ${TRIALS} }\n${extra}${SPACE}`,
  );
  return path;
}

const MO = `objectives: [accuracy, { name: param_count, direction: minimize }]
constraints: [{ name: size_bytes, max: 300 }]
`;

describe.concurrent('several objectives through the CLI', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir('lockstep-mo-');
    writeData(dir);
  });

  for (const sampler of ['{ name: nsga2, population_size: 4 }', '{ name: motpe, n_startup_trials: 4 }']) {
    const name = sampler.includes('nsga2') ? 'nsga2' : 'motpe';
    it(`${name}: one digest for 1 and 2 workers and after kill -9 + resume; values as the config defines them`, async () => {
      const cfg = config(dir, name, `${MO}sampler: ${sampler}\n`);
      const one = await run(['search', cfg, '--workers', '1', '--out', join(dir, `${name}-1`), '--json']);
      expect(one.code, one.stderr).toBe(0);
      const two = await run(['search', cfg, '--workers', '2', '--out', join(dir, `${name}-2`), '--json']);
      expect(two.code, two.stderr).toBe(0);
      const killedOut = join(dir, `${name}-k`);
      const args = ['search', cfg, '--workers', '2', '--out', killedOut, '--json'];
      const killed = await run(args, { env: { LOCKSTEP_TEST_KILL_AT: 'trial.finished:6:torn' } });
      expect(killed.signal, killed.stderr).toBe('SIGKILL');
      const resumed = await run(args);
      expect(resumed.code, resumed.stderr).toBe(0);

      const digest = jsonOut(one).digest;
      expect(jsonOut(two).digest).toBe(digest);
      expect(jsonOut(resumed).digest).toBe(digest);
      const ledger = ledgerOf(join(dir, `${name}-1`), name);
      expect(ledgerProblems(ledger, TRIALS)).toEqual([]);

      const { state } = readLedger(ledger);
      const shape = { nFeatures: 3, nOutputs: 1 };
      for (const t of state.trials) {
        expect(t.state).toBe('complete');
        const count = mlpParamCount(t.params, shape);
        expect(t.values).toEqual([t.metrics.accuracy, count]);
        expect(t.constraints).toEqual([4 * count - 300]);
      }
      // Not all alike: the samplers were steered by values, not handed one trial ten times.
      expect(new Set(state.trials.map((t) => t.values![1])).size).toBeGreaterThan(3);
      const front = paretoFrontOf(state)!;
      expect(front.length).toBeGreaterThan(0);
      for (const f of front) {
        const t = state.trials[f.index]!;
        expect(t.constraints![0]).toBeLessThanOrEqual(0);
        // No feasible trial is at least as good in both and better in one.
        for (const o of state.trials) {
          if (o.constraints![0]! > 0) continue;
          const better =
            o.values![0]! >= t.values![0]! &&
            o.values![1]! <= t.values![1]! &&
            (o.values![0]! > t.values![0]! || o.values![1]! < t.values![1]!);
          expect(better, `trial ${o.index} dominates front member ${f.index}`).toBe(false);
        }
      }
      expect(jsonOut(one).front).toEqual(front);
      // The refit is the front's best in the first objective.
      const refitIndex = (jsonOut(one).refit as { index: number }).index;
      const bestAcc = Math.max(...front.map((f) => f.values[0]!));
      expect(front.find((f) => f.index === refitIndex)?.values[0]).toBe(bestAcc);

      const v = await run(['verify', ledger, '--replay', '2', '--seed', '1', '--json']);
      expect(v.code, v.stdout + v.stderr).toBe(0);
      expect(jsonOut(v).digest).toBe(digest);
    });
  }

  it('PostgreSQL: two worker processes give the file search digest (nsga2 with a constraint)', async () => {
    await requirePostgres();
    const cfg = config(dir, 'shared', `${MO}sampler: { name: nsga2, population_size: 4 }\n`);
    const file = await run(['search', cfg, '--trials', '8', '--out', join(dir, 'shared-file'), '--json']);
    expect(file.code, file.stderr).toBe(0);
    const url = schemaUrl(uniqueSchema('mo'));
    const created = await run(['search', cfg, '--trials', '8', '--ledger', url, '--json']);
    expect(created.code, created.stderr).toBe(0);
    const url2 = schemaUrl(uniqueSchema('mo2'));
    const [a, b] = await Promise.all([
      run(['worker', cfg, '--trials', '8', '--ledger', url2, '--json']),
      run(['worker', cfg, '--trials', '8', '--ledger', url2, '--json']),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(jsonOut(created).digest).toBe(jsonOut(file).digest);
    expect(jsonOut(a).digest).toBe(jsonOut(file).digest);
    expect(jsonOut(b).digest).toBe(jsonOut(file).digest);
  });

  it('verify finds a recorded objective value that is not what the metrics give', async () => {
    const cfg = config(dir, 'tampered', `${MO}sampler: random\n`);
    const out = join(dir, 'tampered');
    const r = await run(['search', cfg, '--trials', '3', '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const ledger = ledgerOf(out, 'tampered');
    const { state } = readLedger(ledger);
    const acc = state.trials[1]!.metrics.accuracy!;
    // Rewrite the value and re-chain, as someone who edits the file carefully would.
    const records = readRecords(ledger).map((rec) =>
      rec.type === 'trial.finished' && rec.index === 1
        ? { ...rec, values: [acc + 0.125, (rec.values as number[])[1]] }
        : rec,
    );
    writeRechained(ledger, records);
    const v = await run(['verify', ledger, '--replay', '0', '--seed', '1', '--json']);
    expect(v.code).toBe(1);
    expect(JSON.stringify(jsonOut(v).problems)).toMatch(/trial \S+-1: its objective values/);
    // A measure (param_count) is not a metric: only a replay, which rebuilds the data's shape, finds it edited.
    const edited = readRecords(ledger).map((rec) =>
      rec.type === 'trial.finished' && rec.index === 2
        ? { ...rec, values: [(rec.values as number[])[0], (rec.values as number[])[1]! + 1] }
        : rec,
    );
    writeRechained(ledger, edited);
    const id = state.trials[2]!.id;
    const replayed = await run(['replay', id, '--ledger', ledger, '--json']);
    expect(replayed.code, replayed.stderr).toBe(1);
    expect(jsonOut(replayed).verdict).toBe('diverged');
    expect(JSON.stringify(jsonOut(replayed).difference)).toMatch(/"where":"values\[1\]"/);
  });

  it('train --trial: a front member retrained as the refit is, its model used by predict; the refitted one gives its bits again', async () => {
    const cfg = config(dir, 'pick', `${MO}sampler: { name: nsga2, population_size: 4 }\n`);
    const out = join(dir, 'pick-out');
    const r = await run(['search', cfg, '--trials', '6', '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const ledger = ledgerOf(out, 'pick');
    const front = paretoFrontOf(readLedger(ledger).state)!;
    const refit = jsonOut(r).refit as { index: number; weightsHash: string };
    const same = await run(['train', cfg, '--trial', String(refit.index), '--ledger', ledger, '--json']);
    expect(same.code, same.stderr).toBe(0);
    expect(jsonOut(same).sameAsRefit).toBe(true);
    expect(jsonOut(same).weightsHash).toBe(refit.weightsHash);
    const member = front.at(-1)!;
    const picked = await run(['train', cfg, '--trial', member.id, '--ledger', ledger, '--json']);
    expect(picked.code, picked.stderr).toBe(0);
    const p = jsonOut(picked);
    expect(p.index).toBe(member.index);
    expect(p.modelDir).toBe(join(out, 'pick', `trial-${member.index}`));
    const predicted = await run(['predict', p.modelDir as string, join(dir, 'data.csv'), '--json']);
    expect(predicted.code, predicted.stderr).toBe(0);

    const missing = await run(['train', cfg, '--trial', 'nope-99', '--ledger', ledger]);
    expect(missing.code).toBe(2);
    expect(oneLine(missing)).toMatch(/--trial: no trial nope-99 in /);
    const mixed = await run(['train', cfg, '--trial', '0', '--seed', '3', '--ledger', ledger]);
    expect(mixed.code).toBe(2);
    expect(oneLine(mixed)).toMatch(/--seed: not with --trial/);
  });

  it('inference_ms: timed apart from the numbers (trial.meta), an objective only with machine_dependent: true', async () => {
    const cfg = config(
      dir,
      'timed',
      `objectives: [accuracy, inference_ms]\nmachine_dependent: true\nsampler: random\n`,
    );
    const out = join(dir, 'timed');
    const r = await run(['search', cfg, '--trials', '3', '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const { state } = readLedger(ledgerOf(out, 'timed'));
    for (const t of state.trials) {
      expect(t.meta?.inferenceMs).toBeGreaterThan(0);
      expect(t.values).toEqual([t.metrics.accuracy, t.meta?.inferenceMs]);
    }
    // The same trials' numbers as a study that does not time them: timing never changes a trained number.
    const plain = config(dir, 'untimed', `objectives: [accuracy, param_count]\nsampler: random\n`);
    const p = await run(['search', plain, '--trials', '3', '--out', join(dir, 'untimed'), '--json']);
    expect(p.code, p.stderr).toBe(0);
    const other = readLedger(ledgerOf(join(dir, 'untimed'), 'untimed')).state;
    expect(other.trials.map((t) => [t.params, t.weightsHash])).toEqual(
      state.trials.map((t) => [t.params, t.weightsHash]),
    );
  });

  it('enqueue: the first trials take the given params in order (fixed ones filled in)', async () => {
    const cfg = config(
      dir,
      'enq',
      `${MO}sampler: { name: nsga2, population_size: 4 }\nenqueue:\n  - { layers: 1, units_1: 2, learning_rate: 0.1 }\n  - { layers: 2, units_1: 3, units_2: 4, learning_rate: 0.05 }\n`,
    );
    const r = await run(['search', cfg, '--trials', '4', '--out', join(dir, 'enq'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const { state } = readLedger(ledgerOf(join(dir, 'enq'), 'enq'));
    expect(state.trials[0]!.params).toEqual({
      batch_size: 32,
      epochs: 3,
      layers: 1,
      learning_rate: 0.1,
      units_1: 2,
    });
    expect(state.trials[1]!.params).toEqual({
      batch_size: 32,
      epochs: 3,
      layers: 2,
      learning_rate: 0.05,
      units_1: 3,
      units_2: 4,
    });
    expect(state.trials[2]!.params).not.toEqual(state.trials[0]!.params);
  });

  it('warm_start: the other study is recorded by digest; its trials steer the sampler; a changed source refuses a resume', async () => {
    const src = config(dir, 'source', `${MO}sampler: random\n`);
    const srcOut = join(dir, 'src-out');
    const a = await run(['search', src, '--trials', '6', '--out', srcOut, '--json']);
    expect(a.code, a.stderr).toBe(0);
    const srcLedger = ledgerOf(srcOut, 'source');
    const warmCfg = config(
      dir,
      'warm',
      `${MO}sampler: { name: motpe, n_startup_trials: 2 }\nwarm_start: src-out/source/ledger.jsonl\n`,
    );
    const coldCfg = config(dir, 'cold', `${MO}sampler: { name: motpe, n_startup_trials: 2 }\n`);
    const warm = await run(['search', warmCfg, '--trials', '3', '--out', join(dir, 'w'), '--json']);
    expect(warm.code, warm.stderr).toBe(0);
    const cold = await run(['search', coldCfg, '--trials', '3', '--out', join(dir, 'c'), '--json']);
    expect(cold.code, cold.stderr).toBe(0);
    const ws = readLedger(ledgerOf(join(dir, 'w'), 'warm')).state;
    expect(ws.study.warmStart).toEqual({ ledger: srcLedger, digest: jsonOut(a).digest, trials: 6 });
    // With six trials seen, MOTPE is past its start-up from trial 0: not the cold study's random draws.
    const cs = readLedger(ledgerOf(join(dir, 'c'), 'cold')).state;
    expect(ws.trials[0]!.params).not.toEqual(cs.trials[0]!.params);
    const v = await run([
      'verify',
      ledgerOf(join(dir, 'w'), 'warm'),
      '--replay',
      '0',
      '--seed',
      '1',
      '--json',
    ]);
    expect(v.code, v.stdout).toBe(0);

    // The source study grows: its digest changes, and the warm study can no longer be resumed as it was.
    const more = await run(['search', src, '--trials', '7', '--out', srcOut, '--json']);
    expect(more.code, more.stderr).toBe(0);
    const again = await run(['search', warmCfg, '--trials', '4', '--out', join(dir, 'w'), '--json']);
    expect(again.code).toBe(2);
    expect(oneLine(again)).toMatch(
      /cannot resume this study: its warm-start ledger .* is not the study it saw/,
    );
  });

  it('bad configs: one line naming the field, exit code 2, nothing written', async () => {
    const cases: [string, RegExp][] = [
      [
        `${MO}sampler: tpe\n`,
        /sampler: 'tpe' optimises one objective; with 2 objectives use one of nsga2, motpe/,
      ],
      [`${MO}sampler: nsga2\npruner: median\n`, /pruner: 'median' judges one learning curve/],
      [
        `objectives: [accuracy, f1]\nsampler: nsga2\n`,
        /objectives\.1\.name: 'f1' is not measured for a binary MLP study; expected one of accuracy, log_loss, roc_auc, train_loss, param_count, size_bytes/,
      ],
      [
        `objectives: [{ name: accuracy, direction: minimize }, param_count]\nsampler: nsga2\n`,
        /objectives\.0\.direction: 'accuracy' is to maximize, but direction says minimize/,
      ],
      [
        `objectives: [accuracy, accuracy]\nsampler: nsga2\n`,
        /objectives\.1\.name: 'accuracy' is an objective twice/,
      ],
      [`constraints: [{ name: size_bytes }]\n`, /constraints\.0: expected min, max or both/],
      [`enqueue:\n  - { layers: 1, units_1: 99, learning_rate: 0.1 }\n`, /enqueue\.0\.units_1: .*24/],
      [`enqueue:\n  - { layers: 1, units_1: 4 }\n`, /enqueue\.0\.learning_rate: missing/],
      [`warm_start: nowhere.jsonl\n`, /warm_start: cannot read the ledger .*nowhere\.jsonl/],
      [
        `objectives: [accuracy, inference_ms]\nsampler: nsga2\n`,
        /objectives\.1\.name: 'inference_ms' is a timing, different on every machine; set machine_dependent: true/,
      ],
    ];
    for (const [k, [extra, message]] of cases.entries()) {
      const cfg = config(dir, `bad${k}`, `task: binary\n${extra}`);
      const out = join(dir, `bad${k}-out`);
      const r = await run(['search', cfg, '--out', out, '--json']);
      expect(r.code, `${extra}: ${r.stderr}`).toBe(2);
      expect(oneLine(r), extra).toMatch(message);
      let written = true;
      try {
        readFileSync(ledgerOf(out, `bad${k}`));
      } catch {
        written = false;
      }
      expect(written, `${extra}: a ledger was written`).toBe(false);
    }
  });
});
