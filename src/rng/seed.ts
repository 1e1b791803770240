import { createHash } from 'node:crypto';

/** One segment of a seed path: a name or an index. */
export type SeedPart = string | number;

/**
 * Derives the 128-bit state for a named stream: SHA-256 over the canonical path.
 * Counter-based: `seedFor(root, 'trial', 7)` costs the same as `seedFor(root, 'trial', 0)`,
 * and two different paths never share a stream.
 *
 * Returns four int32 words, suitable for `xoroshiro128plusFromState`.
 */
export function seedFor(root: number, ...path: SeedPart[]): [number, number, number, number] {
  if (!Number.isSafeInteger(root) || root < 0) {
    throw new RangeError(`seed must be a non-negative safe integer, but got ${root}`);
  }
  const h = createHash('sha256')
    .update(JSON.stringify([root, ...path]))
    .digest();
  const s = [h.readInt32LE(0), h.readInt32LE(4), h.readInt32LE(8), h.readInt32LE(12)] as [
    number,
    number,
    number,
    number,
  ];
  // xoroshiro must not start from the all-zero state.
  if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1;
  return s;
}

/** A derived 31-bit positive integer seed, for libraries that take a number (never 0). */
export function intSeedFor(root: number, ...path: SeedPart[]): number {
  const h = createHash('sha256')
    .update(JSON.stringify([root, ...path]))
    .digest();
  return (h.readUInt32LE(0) % 0x7ffffffe) + 1;
}
