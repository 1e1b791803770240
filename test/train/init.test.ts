/**
 * The MLP's `init` parameter (numeric version 3): `torch`, the default, is PyTorch's nn.Linear initialisation
 * (kernel and bias uniform in ±1/√fanIn); `he` is version 2's scheme (He uniform √(6/fanIn) for relu/elu/selu
 * hidden layers, Glorot uniform √(6/(fanIn+fanOut)) for the others and the output layer, zero biases). Layer i
 * draws from `Stream.of(seed, 'init', i)`: the kernel's fanIn·fanOut draws, then (torch) the bias's fanOut.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { Stream } from '../../src/rng/index.js';
import { initBackend } from '../../src/train/backend.js';
import { buildMlp, initialWeights } from '../../src/train/mlp.js';
import { type FlatParams, resolveMlpParams } from '../../src/train/params.js';
import type { MlpParams } from '../../src/train/types.js';

interface Layer {
  fanIn: number;
  fanOut: number;
  hidden: boolean;
  kernel: Float32Array;
  bias: Float32Array;
}

/** Splits the flat `[W1, b1, W2, b2, …]` into its layers. */
function layersOf(flat: Float32Array, nFeatures: number, nOutputs: number, params: MlpParams): Layer[] {
  const widths = [...params.units, nOutputs];
  const out: Layer[] = [];
  let offset = 0;
  let fanIn = nFeatures;
  widths.forEach((fanOut, i) => {
    const kernel = flat.subarray(offset, offset + fanIn * fanOut);
    const bias = flat.subarray(offset + fanIn * fanOut, offset + fanIn * fanOut + fanOut);
    out.push({ fanIn, fanOut, hidden: i < params.units.length, kernel, bias });
    offset += fanIn * fanOut + fanOut;
    fanIn = fanOut;
  });
  expect(offset).toBe(flat.length);
  return out;
}

const maxAbs = (a: Float32Array) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/** Shapes: one to three hidden layers, every activation, binary/regression (1 output) and multiclass. */
const SHAPES: { nFeatures: number; nOutputs: number; params: FlatParams }[] = [
  { nFeatures: 7, nOutputs: 1, params: { layers: 1, units: 8, activation: 'relu' } },
  { nFeatures: 4, nOutputs: 3, params: { layers: 2, units: 64, activation: 'tanh' } },
  { nFeatures: 13, nOutputs: 1, params: { layers: 3, units: 5, units_2: 17, activation: 'elu' } },
  { nFeatures: 2, nOutputs: 5, params: { layers: 2, units: 9, activation: 'selu' } },
  { nFeatures: 30, nOutputs: 2, params: { layers: 1, units: 3, activation: 'sigmoid' } },
];

/** He for relu/elu/selu hidden layers, Glorot for the others and the output layer. */
const heLimit = (l: Layer, activation: string) =>
  l.hidden && ['relu', 'elu', 'selu'].includes(activation)
    ? Math.sqrt(6 / l.fanIn)
    : Math.sqrt(6 / (l.fanIn + l.fanOut));

describe('init: torch (the default)', () => {
  test('is the default', () => {
    expect(resolveMlpParams({}).init).toBe('torch');
  });

  test.each(SHAPES)(
    'every kernel and bias entry lies within ±1/√fanIn of its layer; biases are not all zero (%o)',
    ({ nFeatures, nOutputs, params }) => {
      const p = resolveMlpParams(params);
      for (const seed of [0, 1, 12345]) {
        const layers = layersOf(initialWeights(nFeatures, nOutputs, p, seed), nFeatures, nOutputs, p);
        for (const l of layers) {
          // Stored as float32: rounding is monotonic, so |w| <= 1/√fanIn becomes |w| <= fround(1/√fanIn).
          const limit = Math.fround(1 / Math.sqrt(l.fanIn));
          expect(maxAbs(l.kernel)).toBeLessThanOrEqual(limit);
          expect(maxAbs(l.bias)).toBeLessThanOrEqual(limit);
          expect(l.kernel.some((w) => w !== 0)).toBe(true);
          expect(l.bias.some((b) => b !== 0)).toBe(true);
        }
      }
    },
  );

  test('layer i is uniform draws of Stream.of(seed, "init", i): the kernel’s fanIn·fanOut, then the bias’s fanOut', () => {
    const { nFeatures, nOutputs, params } = SHAPES[2]!;
    const p = resolveMlpParams(params);
    const seed = 42;
    layersOf(initialWeights(nFeatures, nOutputs, p, seed), nFeatures, nOutputs, p).forEach((l, i) => {
      const stream = Stream.of(seed, 'init', i);
      const limit = 1 / Math.sqrt(l.fanIn);
      const expected = Float32Array.from({ length: l.kernel.length + l.bias.length }, () => {
        return (2 * stream.float() - 1) * limit;
      });
      expect(l.kernel).toEqual(expected.subarray(0, l.kernel.length));
      expect(l.bias).toEqual(expected.subarray(l.kernel.length));
    });
  });

  test('is a pure function of the seed: two calls are equal, another seed differs in every layer', () => {
    for (const { nFeatures, nOutputs, params } of SHAPES) {
      const p = resolveMlpParams(params);
      const a = initialWeights(nFeatures, nOutputs, p, 7);
      const b = initialWeights(nFeatures, nOutputs, p, 7);
      expect(b).toEqual(a);
      const c = initialWeights(nFeatures, nOutputs, p, 8);
      const la = layersOf(a, nFeatures, nOutputs, p);
      const lc = layersOf(c, nFeatures, nOutputs, p);
      la.forEach((l, i) => {
        expect(lc[i]!.kernel).not.toEqual(l.kernel);
        expect(lc[i]!.bias).not.toEqual(l.bias);
      });
    }
  });
});

describe('init: he (numeric version 2’s scheme)', () => {
  test.each(SHAPES)(
    'biases are exactly zero; kernels lie within the He (relu, elu, selu hidden) or Glorot limits (%o)',
    ({ nFeatures, nOutputs, params }) => {
      const p = resolveMlpParams({ ...params, init: 'he' });
      for (const seed of [0, 1, 12345]) {
        const layers = layersOf(initialWeights(nFeatures, nOutputs, p, seed), nFeatures, nOutputs, p);
        for (const l of layers) {
          expect(l.bias.every((b) => Object.is(b, 0))).toBe(true);
          expect(maxAbs(l.kernel)).toBeLessThanOrEqual(Math.fround(heLimit(l, p.activation)));
          expect(l.kernel.some((w) => w !== 0)).toBe(true);
        }
      }
    },
  );

  test('the kernel is the same stream’s first fanIn·fanOut draws, at the He or Glorot limit', () => {
    for (const { nFeatures, nOutputs, params } of SHAPES) {
      const p = resolveMlpParams({ ...params, init: 'he' });
      const seed = 3;
      layersOf(initialWeights(nFeatures, nOutputs, p, seed), nFeatures, nOutputs, p).forEach((l, i) => {
        const stream = Stream.of(seed, 'init', i);
        const limit = heLimit(l, p.activation);
        const expected = Float32Array.from(
          { length: l.kernel.length },
          () => (2 * stream.float() - 1) * limit,
        );
        expect(l.kernel).toEqual(expected);
      });
    }
  });

  test('is a pure function of the seed, and not the torch weights', () => {
    const { nFeatures, nOutputs, params } = SHAPES[0]!;
    const he = resolveMlpParams({ ...params, init: 'he' });
    expect(initialWeights(nFeatures, nOutputs, he, 5)).toEqual(initialWeights(nFeatures, nOutputs, he, 5));
    expect(initialWeights(nFeatures, nOutputs, he, 6)).not.toEqual(
      initialWeights(nFeatures, nOutputs, he, 5),
    );
    expect(initialWeights(nFeatures, nOutputs, resolveMlpParams(params), 5)).not.toEqual(
      initialWeights(nFeatures, nOutputs, he, 5),
    );
  });
});

describe('buildMlp', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  test.each(['torch', 'he'])('the model holds initialWeights, biases included (init: %s)', (init) => {
    const { nFeatures, nOutputs, params } = SHAPES[2]!;
    const p = resolveMlpParams({ ...params, init });
    const { model } = buildMlp(nFeatures, nOutputs, p, 9);
    const held = model.getWeights().flatMap((w) => Array.from(w.dataSync()));
    expect(Float32Array.from(held)).toEqual(initialWeights(nFeatures, nOutputs, p, 9));
    model.dispose();
  });
});
