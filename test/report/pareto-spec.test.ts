/**
 * The Pareto scatter's spec, from a written ledger: one point per complete trial, the front's members
 * ringed, and the staircase turning the way that bounds what the front dominates.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLedger } from '../../src/ledger/index.js';
import { paretoSpec } from '../../src/report/charts.js';
import { modelOf } from '../../src/report/model.js';
import { paretoFrontOf } from '../../src/study/result.js';
import { summarize } from '../../src/study/summary.js';
import { tempDir } from '../helpers/cli.js';
import { studyInfo } from './fixtures.js';

const dir = tempDir('lockstep-report-pareto-spec-');

/** [accuracy, param_count] of each trial; the last one breaks its constraint (param_count ≤ 1000). */
const VALUES: [number, number][] = [
  [0.9, 400],
  [0.8, 200],
  [0.95, 900],
  [0.7, 300], // dominated by trial 1
  [0.99, 5000], // infeasible
];

/** A ledger of a study judged by `objectives` (names in the config), its trials' values in that order. */
function ledgerOf(name: string, objectives: string[]): string {
  const path = join(dir, `${name}.jsonl`);
  const info = studyInfo();
  const { metric: _, ...config } = info.config as Record<string, unknown>;
  const ledger = createLedger(path, {
    ...info,
    config: {
      ...config,
      objective: 'mlp',
      pruner: 'none',
      objectives,
      constraints: [{ name: 'param_count', max: 1000 }],
      sampler: 'nsga2',
    },
  });
  try {
    VALUES.forEach(([accuracy, params], index) => {
      const byName: Record<string, number> = { accuracy, param_count: params };
      ledger.append({
        type: 'trial.started',
        index,
        id: `01234567-${index}`,
        seed: index,
        params: { lr: 0.01 },
      });
      ledger.append({
        type: 'trial.finished',
        index,
        state: 'complete',
        score: accuracy,
        metrics: { accuracy },
        epochs: 1,
        weightsHash: 'a'.repeat(64),
        error: null,
        cause: null,
        values: objectives.map((o) => byName[o]!),
        constraints: [params - 1000],
      });
    });
  } finally {
    ledger.close();
  }
  return path;
}

type Layer = { name: string; data: { values: Record<string, unknown>[] }; mark: Record<string, unknown> };

function layers(ledger: string): { layers: Layer[]; marks: number; front: number[] } {
  const summary = summarize(ledger);
  const { spec, marks } = paretoSpec(modelOf(summary));
  return {
    layers: spec.layer as Layer[],
    marks,
    front: paretoFrontOf(summary.state)!.map((t) => t.index),
  };
}

describe('the Pareto scatter', () => {
  it('draws every complete trial, rings the front, and greys the infeasible one', () => {
    const { layers: l, marks, front } = layers(ledgerOf('max-x', ['accuracy', 'param_count']));
    expect(front).toEqual([0, 1, 2]);
    expect(marks).toBe(5);
    const trials = l.find((x) => x.name === 'trials')!.data.values;
    expect(trials.map((p) => p.feasibility)).toEqual([
      'feasible',
      'feasible',
      'feasible',
      'feasible',
      'infeasible',
    ]);
    expect(l.find((x) => x.name === 'front')!.data.values.map((p) => p.trial)).toEqual(front);
  });

  // Sorted by x, neighbouring members a (worse in x) and b: the corner worse than both is a's x with b's y
  // when x is maximised (up or down first: step-before), b's x with a's y when it is minimised (step-after).
  it('turns the staircase vertically first when x is maximised, horizontally first when minimised', () => {
    const max = layers(ledgerOf('max-x2', ['accuracy', 'param_count'])).layers;
    expect(max.find((x) => x.name === 'staircase')!.mark.interpolate).toBe('step-before');
    const min = layers(ledgerOf('min-x', ['param_count', 'accuracy'])).layers;
    expect(min.find((x) => x.name === 'staircase')!.mark.interpolate).toBe('step-after');
    expect(min.find((x) => x.name === 'front')!.data.values.map((p) => [p.x, p.y])).toEqual([
      [400, 0.9],
      [200, 0.8],
      [900, 0.95],
    ]);
  });
});
