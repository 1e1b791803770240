/**
 * A multi-objective benchmark problem on the built-in MLP: validation accuracy (maximised) against the
 * model's parameter count (minimised), the trade-off issue 18's users search (a model small enough to ship).
 *
 * The space is the `mlp-default` preset with `epochs` fixed to a few, so that a whole benchmark trains in
 * minutes; the dataset is prepared once (a built-in one, split with a fixed seed). Trial i of a run with
 * seed k trains with `trialSeed(k, i)`, the seed a study with root seed k gives it, so a trial's accuracy is
 * a pure function of (dataset, split seed, epochs, params, k, i).
 */
import { prepare } from '../data/prepare.js';
import type { PreparedData } from '../data/types.js';
import { intSeedFor } from '../rng/index.js';
import { mlpDefaultSpace } from '../space/schema.js';
import type { Params, SearchSpace } from '../space/types.js';
import { mlpParamCount as studyParamCount } from '../study/objectives.js';
import { trainMlp } from '../train/loop.js';
import { resolveMlpParams } from '../train/params.js';
import type { Direction } from '../types.js';

export interface MlpTradeoffOptions {
  /** A built-in dataset with a classification target. Default `builtin:seattle-weather`. */
  dataset?: string;
  /** Epochs every trial trains (the space's fixed `epochs`). Default 5. */
  epochs?: number;
  /** The seed of the holdout split (60/20/20). Default 0. */
  splitSeed?: number;
}

export const MLP_TRADEOFF_DEFAULTS = {
  dataset: 'builtin:seattle-weather',
  epochs: 5,
  splitSeed: 0,
} as const satisfies Required<MlpTradeoffOptions>;

export interface MlpTradeoff {
  name: string;
  /** [validation accuracy, parameter count]. */
  directions: readonly Direction[];
  space: SearchSpace;
  nFeatures: number;
  nOutputs: number;
  /**
   * The hypervolume's reference point in the objectives' units: accuracy 0, and the parameter count of the
   * largest model of the space (every trial is inside it).
   */
  reference: [number, number];
  /** The smallest and the largest parameter count of the space. */
  paramRange: [number, number];
  /** The trainable parameters (weights and biases) of the MLP these params build on this data. */
  paramCount(params: Params): number;
  /** Trains the MLP and returns [validation accuracy, parameter count]; throws when training diverges. */
  evaluate(params: Params, seed: number, index: number): Promise<number[]>;
}

/**
 * The number of trainable parameters of the built-in MLP — Σ (fanIn·fanOut + fanOut) over the hidden layers
 * and the output layer — as a study's `param_count` objective counts it (study/objectives.ts).
 */
export function mlpParamCount(nFeatures: number, nOutputs: number, params: Params): number {
  return studyParamCount(params, { nFeatures, nOutputs });
}

/** The `mlp-default` space with `epochs` fixed. */
export function tradeoffSpace(epochs: number): SearchSpace {
  if (!(Number.isInteger(epochs) && epochs >= 1))
    throw new RangeError(`epochs must be an integer >= 1, but got ${epochs}`);
  return {
    params: mlpDefaultSpace().params.map((p) =>
      p.name === 'epochs' ? { ...p, dist: { type: 'fixed', value: epochs } } : p,
    ),
  };
}

/** The smallest or the largest parameter count of the space: layers and every unit count at that bound. */
function extremeParamCount(
  space: SearchSpace,
  nFeatures: number,
  nOutputs: number,
  end: 'low' | 'high',
): number {
  const flat: Params = {};
  for (const p of space.params) {
    if (p.name === 'layers' || p.name.startsWith('units')) {
      if (p.dist.type !== 'int') throw new RangeError(`${p.name}: expected an int parameter`);
      flat[p.name] = p.dist[end];
    }
  }
  return mlpParamCount(nFeatures, nOutputs, flat);
}

/** Loads and prepares the dataset (needs the tfjs backend initialised before `evaluate`). */
export async function mlpTradeoff(options: MlpTradeoffOptions = {}): Promise<MlpTradeoff> {
  const dataset = options.dataset ?? MLP_TRADEOFF_DEFAULTS.dataset;
  const epochs = options.epochs ?? MLP_TRADEOFF_DEFAULTS.epochs;
  const splitSeed = options.splitSeed ?? MLP_TRADEOFF_DEFAULTS.splitSeed;
  const space = tradeoffSpace(epochs);
  const { data } = await prepare(dataset, {
    split: { kind: 'holdout', train: 0.6, validation: 0.2, test: 0.2 },
    seed: splitSeed,
  });
  if (data.task === 'regression')
    throw new RangeError(`${dataset}: accuracy needs a classification target, but its task is regression`);
  return tradeoffOn(data, space, `mlp-${dataset.replace(/^builtin:/, '')}`);
}

function tradeoffOn(data: PreparedData, space: SearchSpace, name: string): MlpTradeoff {
  const { nFeatures, nOutputs } = data;
  const paramCount = (params: Params): number => mlpParamCount(nFeatures, nOutputs, params);
  const largest = extremeParamCount(space, nFeatures, nOutputs, 'high');
  return {
    name,
    directions: ['maximize', 'minimize'],
    space,
    nFeatures,
    nOutputs,
    reference: [0, largest],
    paramRange: [extremeParamCount(space, nFeatures, nOutputs, 'low'), largest],
    paramCount,
    evaluate: async (params, seed, index) => {
      const r = await trainMlp(data, resolveMlpParams(params), {
        seed: intSeedFor(seed, 'trial', index),
        metric: 'accuracy',
      });
      return [r.metrics.accuracy ?? Number.NaN, paramCount(params)];
    },
  };
}
