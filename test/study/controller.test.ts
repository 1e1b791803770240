import { describe, expect, test } from 'vitest';
import type { FinishedTrial, Sampler } from '../../src/samplers/types.js';
import { parseSpace } from '../../src/space/index.js';
import { runController } from '../../src/study/controller.js';
import type { RunOutcome, TrialSpec } from '../../src/study/trial.js';

// The controller draws a trial's parameters as soon as the lag rule fixes its history, also while every worker
// is busy, so that a worker that frees takes the trial at once. The draws, what each one saw, and the trials run
// must be those the lag rule fixes: each trial sees exactly the trials below i − P, whichever worker count and
// finishing order.

const space = parseSpace({ x: { type: 'int', low: 0, high: 1000 } }, 'space');

interface Draw {
  index: number;
  seen: number[];
  /** Trials started and not finished when it was drawn. */
  running: number;
}

/** A sampler whose draw is a function of the trial and what it saw; it records each call. */
function recordingSampler(draws: Draw[], running: () => number): Sampler {
  return {
    name: 'recording',
    sample(_space, history: readonly FinishedTrial[], ctx) {
      const seen = history.map((t) => t.index);
      draws.push({ index: ctx.index, seen, running: running() });
      return { x: (ctx.index * 37 + seen.reduce((a, b) => a + b * 7, 0)) % 1000 };
    },
  };
}

/**
 * A study of `trials` trials on `workers` workers whose trials end in the order `order` gives (a trial ends
 * once every trial before it in that order has ended and it has started). Returns the draws, the trials run
 * with their parameters, and the trials in the order they started.
 */
async function study(workers: number, trials: number, order: number[], signal?: AbortSignal) {
  const draws: Draw[] = [];
  const started: TrialSpec[] = [];
  const finishedSpecs: number[] = [];
  const waiting = new Map<number, () => void>();
  let nextToEnd = 0;
  const release = () => {
    // End trials in `order` as long as the next one has started.
    while (nextToEnd < order.length && waiting.has(order[nextToEnd]!)) {
      const i = order[nextToEnd++]!;
      const end = waiting.get(i)!;
      waiting.delete(i);
      end();
    }
  };
  const result = await runController({
    key: 'k',
    seed: 1,
    space,
    sampler: recordingSampler(draws, () => started.length - finishedSpecs.length),
    direction: 'maximize',
    metric: 'score',
    parallelism: 2,
    trials,
    workers,
    finished: new Map(),
    signal,
    runner: {
      run: (spec: TrialSpec, opts): Promise<RunOutcome | null> =>
        new Promise((resolve) => {
          opts.signal.addEventListener('abort', () => {
            if (!waiting.delete(spec.index)) return;
            resolve(null); // interrupted: nothing recorded
          });
          waiting.set(spec.index, () => {
            resolve({
              state: 'complete',
              score: spec.params.x as number,
              metrics: { score: spec.params.x as number },
              history: [],
              weightsHash: null,
              epochs: 1,
              stopped: false,
            } as unknown as RunOutcome);
          });
          // Let the controller go on (draw ahead) before this trial may end.
          setTimeout(release, 1);
        }),
    },
    sink: {
      started: (spec) => {
        started.push(spec);
      },
      progress: () => undefined,
      finished: (spec) => {
        finishedSpecs.push(spec.index);
      },
    },
  });
  return { draws, started, finishedSpecs, result };
}

describe('runController: drawing ahead', () => {
  // Trial 1 ends before trial 0, 3 before 2…: a worker often waits on the lag rule.
  const order = [1, 0, 3, 2, 4, 6, 5, 7, 9, 8];

  test('draws a trial while every worker is busy, once its history is fixed', async () => {
    const two = await study(2, 10, order);
    // Some trial was drawn with both workers busy (before drawing ahead, a draw always had a free worker).
    expect(two.draws.some((d) => d.running === 2)).toBe(true);
    for (const d of two.draws) {
      // What it saw is exactly the trials below i − P (P = 2), all finished: the lag rule.
      expect(d.seen).toEqual(Array.from({ length: Math.max(0, d.index - 2) }, (_, k) => k));
    }
    // Each trial drawn once, in index order.
    expect(two.draws.map((d) => d.index)).toEqual([...Array(10).keys()]);
  });

  test('runs the trials, with the parameters, that one worker runs: each its lag-rule history’s draw', async () => {
    const one = await study(1, 10, [...Array(10).keys()]);
    const two = await study(2, 10, order);
    // Each trial ran with the draw of exactly its lag-rule history (trials below i − 2), on both.
    const expected = (i: number) => {
      const seen = Array.from({ length: Math.max(0, i - 2) }, (_, k) => k);
      return (i * 37 + seen.reduce((a, b) => a + b * 7, 0)) % 1000;
    };
    for (const s of [...one.started, ...two.started]) expect(s.params.x).toBe(expected(s.index));
    expect(two.draws.map(({ index, seen }) => ({ index, seen }))).toEqual(
      one.draws.map(({ index, seen }) => ({ index, seen })),
    );
    const byIndex = (s: TrialSpec[]) => [...s].sort((a, b) => a.index - b.index);
    expect(byIndex(two.started)).toEqual(byIndex(one.started));
    expect(two.started.map((s) => s.index)).toEqual([...Array(10).keys()]);
    expect([...two.result.finished.keys()].sort((a, b) => a - b)).toEqual([...Array(10).keys()]);
  });

  test('a trial drawn ahead of a stop is never started nor recorded', async () => {
    const ac = new AbortController();
    // Trials 0 and 1 run; trial 2 is drawn ahead; the study stops before anything ends.
    const p = study(2, 10, [], ac.signal);
    await new Promise((r) => setTimeout(r, 20));
    ac.abort();
    const r = await p;
    expect(r.result.stopped).toBe(true);
    expect(r.draws.map((d) => d.index)).toEqual([0, 1, 2]);
    expect(r.draws[2]!.running).toBe(2);
    expect(r.started.map((s) => s.index)).toEqual([0, 1]);
    expect(r.finishedSpecs).toEqual([]);
    expect(r.result.finished.size).toBe(0);
  });
});
