import { beforeAll, describe, expect, it } from 'vitest';
import { mlpParamCount, mlpTradeoff, tradeoffSpace } from '../../src/bench/mlp-tradeoff.js';
import { intSeedFor } from '../../src/rng/index.js';
import { decodeParams } from '../../src/space/codec.js';
import { trialSeed } from '../../src/study/trial.js';
import { initBackend } from '../../src/train/backend.js';
import { buildMlp, initialWeights } from '../../src/train/mlp.js';
import { resolveMlpParams } from '../../src/train/params.js';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('mlpParamCount', () => {
  it('counts by hand: 4 features, hidden 16 and 8, 5 classes', () => {
    // (4·16 + 16) + (16·8 + 8) + (8·5 + 5)
    expect(mlpParamCount(4, 5, { layers: 2, units_1: 16, units_2: 8 })).toBe(80 + 136 + 45);
  });

  it('equals the weights the trainer initialises and the tfjs model holds, at every depth', () => {
    for (const flat of [
      { layers: 1, units_1: 17 },
      { layers: 2, units_1: 16, units_2: 256 },
      { layers: 3, units_1: 31, units_2: 7, units_3: 99, activation: 'tanh' },
    ]) {
      const n = mlpParamCount(7, 3, flat);
      expect(initialWeights(7, 3, resolveMlpParams(flat), 1).length).toBe(n);
      const { model } = buildMlp(7, 3, resolveMlpParams(flat), 1);
      expect(model.countParams()).toBe(n);
      model.dispose();
    }
  });

  it('ignores units_k beyond the depth, as the trainer does', () => {
    expect(mlpParamCount(4, 1, { layers: 1, units_1: 10, units_2: 200, units_3: 200 })).toBe(
      4 * 10 + 10 + 11,
    );
  });
});

describe('the MLP trade-off problem', () => {
  it('fixes epochs in the mlp-default space and refuses a bad value', () => {
    const epochs = tradeoffSpace(3).params.find((p) => p.name === 'epochs');
    expect(epochs?.dist).toEqual({ type: 'fixed', value: 3 });
    expect(() => tradeoffSpace(0)).toThrow('epochs must be an integer >= 1, but got 0');
  });

  it('trains seattle-weather: accuracy in [0, 1], the parameter count, the same values twice, the study trial seed', async () => {
    const p = await mlpTradeoff({ epochs: 1 });
    expect(p.directions).toEqual(['maximize', 'minimize']);
    expect([p.nFeatures, p.nOutputs]).toEqual([4, 5]);
    // layers 3, 256 units each: 4·256+256 + 2·(256·256+256) + 256·5+5
    expect(p.reference).toEqual([0, 1280 + 2 * 65792 + 1285]);
    // layers 1, 16 units: 4·16+16 + 16·5+5
    expect(p.paramRange).toEqual([80 + 85, 1280 + 2 * 65792 + 1285]);
    const params = decodeParams(p.space, () => 0.5);
    const a = await p.evaluate(params, 3, 7);
    const b = await p.evaluate(params, 3, 7);
    expect(a).toEqual(b);
    expect(a[0]).toBeGreaterThanOrEqual(0);
    expect(a[0]).toBeLessThanOrEqual(1);
    expect(a[1]).toBe(p.paramCount(params));
    expect(a[1]).toBeLessThanOrEqual(p.reference[1]);
    expect(intSeedFor(3, 'trial', 7)).toBe(trialSeed(3, 7));
  });
});
