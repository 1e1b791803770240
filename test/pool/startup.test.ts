import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TrainerPool } from '../../src/pool/pool.js';
import { requireBuild } from '../train/helpers.js';

const fixture = fileURLToPath(new URL('./fixtures/worker-state.mjs', import.meta.url));

let pool: TrainerPool;
beforeAll(() => {
  requireBuild();
  pool = new TrainerPool({ workers: 2, backend: 'wasm' });
});
afterAll(async () => {
  await pool?.close();
});

describe('worker start-up', () => {
  test('is paid once per worker: 12 trials run on the same 2 threads, each set up its backend once', async () => {
    const results = [];
    for (let round = 0; round < 6; round++) {
      results.push(
        ...(await Promise.all(
          [0, 1].map((i) =>
            pool.run({
              kind: 'module',
              module: fixture,
              params: {},
              seed: round * 2 + i,
              index: round * 2 + i,
            }),
          ),
        )),
      );
    }
    const states = results.map((r) => {
      if (r.state !== 'complete') throw new Error(`trial failed: ${r.error}`);
      return r.metrics as unknown as { thread: number; setUps: number; backend: string };
    });
    expect(states).toHaveLength(12);
    expect(new Set(states.map((s) => s.thread)).size).toBeLessThanOrEqual(2);
    expect(states.every((s) => s.setUps === 1 && s.backend === 'wasm')).toBe(true);
  });
});
