import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { PreparedData } from '../../src/data/types.js';
import { TrainerPool } from '../../src/pool/pool.js';
import { toShared } from '../../src/pool/shared.js';
import type { TrialResult } from '../../src/pool/types.js';
import { Stream } from '../../src/rng/index.js';
import type { EpochMetrics } from '../../src/train/types.js';
import { makeData } from '../train/fixtures/synthetic.mjs';
import { requireBuild } from '../train/helpers.js';

const objective = fileURLToPath(new URL('./fixtures/objective.mjs', import.meta.url));

let pool: TrainerPool;
let data: PreparedData;
beforeAll(() => {
  requireBuild();
  pool = new TrainerPool({ workers: 2, backend: 'wasm' });
  data = toShared(makeData(Stream, { task: 'binary' }));
});
afterAll(async () => {
  await pool?.close();
});

function complete(r: TrialResult) {
  if (r.state !== 'complete') throw new Error(`expected a complete trial, got ${r.state}: ${r.error}`);
  return r;
}

describe('progress without waiting for an answer (wait: false)', () => {
  test('delivers every epoch exactly once, in order, with the metrics of the result (300 fast epochs)', async () => {
    const seen: Array<[number, EpochMetrics]> = [];
    const r = complete(
      await pool.run(
        { kind: 'module', module: objective, params: { x: 3, epochs: 300 }, seed: 4 },
        { onEpoch: (epoch, metrics) => void seen.push([epoch, metrics]), wait: false },
      ),
    );
    expect(seen.map(([e]) => e)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    expect(seen.map(([, m]) => m)).toEqual(r.history);
  });

  test('gives an MLP trial the same bits as waiting does, and ignores a stop answer', async () => {
    const params = { epochs: 4, units: 8, dropout: 0.1, batch_size: 16 };
    const waitSeen: number[] = [];
    const waited = complete(
      await pool.run({ kind: 'mlp', data, params, seed: 12 }, { onEpoch: (e) => void waitSeen.push(e) }),
    );
    const freeSeen: number[] = [];
    const free = complete(
      await pool.run(
        { kind: 'mlp', data, params, seed: 12 },
        {
          onEpoch: (e) => {
            freeSeen.push(e);
            return 'stop';
          },
          wait: false,
        },
      ),
    );
    expect(free.weightsHash).toBe(waited.weightsHash);
    expect(free.history).toEqual(waited.history);
    expect(free.stopped).toBe(false);
    expect(freeSeen).toEqual([1, 2, 3, 4]);
    expect(waitSeen).toEqual([1, 2, 3, 4]);
  });

  test('a throwing callback fails the trial with its message, and is not called again', async () => {
    let calls = 0;
    const r = await pool.run(
      { kind: 'module', module: objective, params: { x: 1, epochs: 20 }, seed: 1 },
      {
        onEpoch: (epoch) => {
          calls++;
          if (epoch === 3) throw new Error('disk full');
        },
        wait: false,
      },
    );
    expect(r.state).toBe('failed');
    if (r.state === 'failed') expect(r.error).toBe('the progress callback failed: Error: disk full');
    expect(calls).toBe(3);
  });
});
