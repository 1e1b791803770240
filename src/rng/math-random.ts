import { Stream } from './stream.js';

const original = Math.random;

/**
 * Runs `fn` with `Math.random` replaced: by the given stream, or, when the environment asks
 * for strictness (`LOCKSTEP_STRICT_RANDOM=1`, as in the tests), by a function that throws, so that
 * no hidden consumer of randomness goes unnoticed. Restored afterwards, even on error.
 */
export async function withMathRandom<T>(stream: Stream, fn: () => Promise<T>): Promise<T> {
  const strict = process.env.LOCKSTEP_STRICT_RANDOM === '1';
  Math.random = strict
    ? () => {
        throw new Error(
          'Math.random was called during a trial; every random number must come from a seeded stream',
        );
      }
    : () => stream.float();
  try {
    return await fn();
  } finally {
    Math.random = original;
  }
}

export { Stream };
