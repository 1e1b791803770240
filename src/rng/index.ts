export { withMathRandom } from './math-random.js';
export type { SeedPart } from './seed.js';
export { intSeedFor, seedFor } from './seed.js';
export { Stream } from './stream.js';
