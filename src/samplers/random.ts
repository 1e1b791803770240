import { Stream } from '../rng/index.js';
import { decodeParams } from '../space/codec.js';
import type { Params, SearchSpace } from '../space/types.js';
import type { FinishedTrial, SampleContext, Sampler } from './types.js';

/**
 * The unit draw of one parameter of one trial. Each parameter has its own stream, so that adding,
 * removing or deactivating a parameter never shifts the values of the others.
 */
export function unitDraw(ctx: SampleContext, sampler: string, param: string): number {
  return Stream.of(ctx.seed, 'sampler', sampler, ctx.index, param).float();
}

/** Independent uniform sampling in the unit cube, decoded by the shared codec. */
export class RandomSampler implements Sampler {
  readonly name = 'random';

  sample(space: SearchSpace, _history: readonly FinishedTrial[], ctx: SampleContext): Params {
    return decodeParams(space, (spec) => unitDraw(ctx, this.name, spec.name));
  }
}
