/**
 * src/bench/zdt.ts's problems by hand, and the Optuna reference script's copies of them
 * (benchmarks/reference/optuna_multiobjective.py) against them on the same points: the benchmark compares
 * samplers on the same functions only if both sides compute the same values.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hypervolume, studyHypervolume } from '../../src/bench/hypervolume.js';
import { zdt1, zdt2, zdt3 } from '../../src/bench/zdt.js';
import { Stream } from '../../src/rng/index.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../../benchmarks/reference/optuna_multiobjective.py', import.meta.url));

function hasOptuna(): boolean {
  if (!existsSync(PYTHON)) return false;
  try {
    execFileSync(PYTHON, ['-c', 'import optuna'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('ZDT problems', () => {
  it('give the textbook values: on the front (g = 1) and at x = 1', () => {
    const front = [0.25, 0, 0, 0];
    expect(zdt1(4).f(front)).toEqual([0.25, 0.5]);
    expect(zdt2(4).f(front)).toEqual([0.25, 1 - 0.0625]);
    // g = 1 + 9 · 3/3 = 10
    expect(zdt1(4).f([1, 1, 1, 1])).toEqual([1, 10 * (1 - Math.sqrt(0.1))]);
    expect(zdt2(4).f([1, 1, 1, 1])).toEqual([1, 10 * (1 - 0.01)]);
    // sin(10π · 0.05) = 1: f2 = 1 − √0.05 − 0.05
    expect(zdt3(4).f([0.05, 0, 0, 0])[1]).toBeCloseTo(1 - Math.sqrt(0.05) - 0.05, 14);
  });

  it("a run's hypervolume reads the front of its trials, in the objectives' units", () => {
    const trials = [
      [0.5, 0.5],
      [0.25, 1],
      [0.75, 0.75],
    ].map((values, index) => ({
      index,
      params: {},
      state: 'complete' as const,
      value: undefined,
      intermediate: [],
      values,
    }));
    // (0.25, 1) and (0.5, 0.5) against (1, 2): 0.75·1 + 0.5·0.5
    expect(studyHypervolume(trials, ['minimize', 'minimize'], [1, 2])).toBe(0.75 + 0.25);
    expect(hypervolume([[0.5, 0.5]], [1, 1])).toBe(0.25);
  });

  it.skipIf(!hasOptuna())(
    "the Optuna reference script's ZDT1-3 give the same values at 200 random points (30 dims)",
    () => {
      const s = Stream.of(5, 'zdt', 'points');
      const points = Array.from({ length: 200 }, (_, k) =>
        // some points on the front (x2 … xn = 0), where f2 is most sensitive to f1
        Array.from({ length: 30 }, (_, i) => (k % 4 === 0 && i > 0 ? 0 : s.float())),
      );
      const code = [
        'import importlib.util, json, sys',
        `spec = importlib.util.spec_from_file_location("ref", ${JSON.stringify(SCRIPT)})`,
        'ref = importlib.util.module_from_spec(spec); spec.loader.exec_module(ref)',
        'points = json.load(sys.stdin)',
        'print(json.dumps({n: [f(x) for x in points] for n, f in ref.PROBLEMS.items()}))',
      ].join('\n');
      const out = JSON.parse(
        execFileSync(PYTHON, ['-c', code], { input: JSON.stringify(points), encoding: 'utf8' }),
      ) as Record<string, number[][]>;
      expect(Object.keys(out).sort()).toEqual(['zdt1', 'zdt2', 'zdt3']);
      for (const [name, make] of [
        ['zdt1', zdt1],
        ['zdt2', zdt2],
      ] as const) {
        // + − × ÷ and sqrt only: the same bits in both languages
        expect(out[name]).toEqual(points.map((x) => make(30).f(x)));
      }
      // ZDT3's sin: Python's libm against src/math, within a few ulps
      const ours = points.map((x) => zdt3(30).f(x));
      out.zdt3!.forEach(([f1, f2], k) => {
        expect(f1).toBe(ours[k]![0]);
        expect(Math.abs(f2! - ours[k]![1]!)).toBeLessThanOrEqual(1e-14 * Math.max(1, Math.abs(f2!)));
      });
    },
  );
});
