import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TrainerPool } from '../../src/pool/pool.js';
import type { TrialResult } from '../../src/pool/types.js';
import { requireBuild } from '../train/helpers.js';

// Progress comes back on one BroadcastChannel per pool, each message tagged with its run: concurrent runs,
// and runs of two pools at once, each see exactly their own epochs.

const objective = fileURLToPath(new URL('./fixtures/objective.mjs', import.meta.url));

let a: TrainerPool;
let b: TrainerPool;
beforeAll(() => {
  requireBuild();
  a = new TrainerPool({ workers: 2, backend: 'wasm' });
  b = new TrainerPool({ workers: 1, backend: 'wasm' });
});
afterAll(async () => {
  await a?.close();
  await b?.close();
});

function complete(r: TrialResult) {
  if (r.state !== 'complete') throw new Error(`expected a complete trial, got ${r.state}: ${r.error}`);
  return r;
}

describe('the progress channel', () => {
  test('concurrent runs on two pools, waiting or not, each get their own epochs once and in order', async () => {
    const runs = Array.from({ length: 12 }, (_, i) => ({
      pool: i % 3 === 2 ? b : a,
      x: i,
      epochs: 5 + 7 * i,
      wait: i % 2 === 0,
      seen: [] as Array<[number, number]>,
    }));
    const results = await Promise.all(
      runs.map((r, i) =>
        r.pool.run(
          { kind: 'module', module: objective, params: { x: r.x, epochs: r.epochs }, seed: i, index: i },
          {
            onEpoch: (epoch, metrics) => {
              r.seen.push([epoch, metrics.value!]);
              return epoch === 3 && r.x === 4 ? 'stop' : undefined;
            },
            wait: r.wait,
          },
        ),
      ),
    );
    for (const [i, r] of runs.entries()) {
      const res = complete(results[i]!);
      // Run 4 waits for its answers: its 'stop' after epoch 3 ends it there.
      const epochs = r.x === 4 ? 3 : r.epochs;
      expect(res.epochs).toBe(epochs);
      expect(r.seen.map(([e]) => e)).toEqual(Array.from({ length: epochs }, (_, e) => e + 1));
      expect(r.seen.map(([, v]) => v)).toEqual(res.history.map((m) => m.value));
    }
  });

  test('a closed pool leaves the other working', async () => {
    const c = new TrainerPool({ workers: 1, backend: 'wasm' });
    const seen: number[] = [];
    await c.run(
      { kind: 'module', module: objective, params: { x: 1, epochs: 4 }, seed: 1 },
      { onEpoch: (e) => void seen.push(e) },
    );
    await c.close();
    const other: number[] = [];
    complete(
      await a.run(
        { kind: 'module', module: objective, params: { x: 1, epochs: 4 }, seed: 1 },
        { onEpoch: (e) => void other.push(e) },
      ),
    );
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(other).toEqual([1, 2, 3, 4]);
  });
});
