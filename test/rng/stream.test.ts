import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Stream } from '../../src/rng/index.js';
import { MASK_WASM, MASK_WAT } from '../../src/rng/stream.js';
import { requireBuild } from '../train/helpers.js';

/** fillThreshold against its definition, one uint32() at a time; both streams must continue alike. */
function agrees(seed: number, n: number, threshold: number, scale: number): void {
  const a = Stream.of(seed, 'dropout', 1);
  const b = Stream.of(seed, 'dropout', 1);
  const fast = new Float32Array(n + 3).fill(7);
  a.fillThreshold(fast, n, threshold, scale);
  const slow = new Float32Array(n + 3).fill(7);
  for (let i = 0; i < n; i++) slow[i] = b.uint32() >= threshold ? scale : 0;
  expect(Buffer.from(fast.buffer).equals(Buffer.from(slow.buffer)), `n=${n} threshold=${threshold}`).toBe(
    true,
  );
  expect(fast[n]).toBe(7);
  expect([a.uint32(), a.float(), a.int(0, 9)]).toEqual([b.uint32(), b.float(), b.int(0, 9)]);
}

describe('Stream.fillThreshold', () => {
  it('draws exactly what uint32() would, and leaves the stream where uint32() would', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.integer({ min: 0, max: 700 }),
        fc.double({ min: 0, max: 0.99, noNaN: true }),
        (seed, n, p) => agrees(seed, n, p * 0x100000000, 1 / (1 - p)),
      ),
      { numRuns: 200 },
    );
  });

  it('agrees at the edges: integer thresholds (a draw equal to it is kept), 0, 2^32, beyond, ±Infinity, NaN', () => {
    // The first draws of this stream, used as exact thresholds.
    const first = Stream.of(5, 'dropout', 1);
    const draws = [first.uint32(), first.uint32(), first.uint32()];
    const thresholds = [
      ...draws,
      ...draws.map((d) => d + 0.5),
      ...draws.map((d) => d - 0.5),
      0,
      -1,
      -0.5,
      1,
      2 ** 32 - 1,
      2 ** 32 - 0.5,
      2 ** 32,
      2 ** 33,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      Number.NaN,
    ];
    for (const t of thresholds) agrees(5, 50, t, 1.25);
  });

  it('agrees on masks larger than the first page of the loop memory, and on small ones after it grew', () => {
    for (const n of [16_379, 16_380, 16_381, 70_000, 3, 1_000]) agrees(n, n, 0.3 * 2 ** 32, 1 / 0.7);
  });

  it('draws the same bytes in a process without WebAssembly (node --jitless: the JS loop)', () => {
    requireBuild();
    const script = `
      import { createHash } from 'node:crypto';
      import { Stream } from ${JSON.stringify(new URL('../../dist/rng/index.js', import.meta.url).href)};
      const s = Stream.of(11, 'dropout', 2);
      const m = new Float32Array(20_000);
      s.fillThreshold(m, 20_000, 0.1 * 2 ** 32, 1 / 0.9);
      process.stdout.write(typeof WebAssembly + ' ' + createHash('sha256').update(m).digest('hex') + ' ' + s.uint32());
    `;
    const run = (flags: string[]) =>
      execFileSync(process.execPath, [...flags, '--input-type=module', '-e', script], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
    const jitless = run(['--jitless']);
    const here = run([]);
    expect(jitless.startsWith('undefined ')).toBe(true);
    expect(here.startsWith('object ')).toBe(true);
    expect(jitless.slice('undefined '.length)).toBe(here.slice('object '.length));
    // And the same as this process's stream.
    const s = Stream.of(11, 'dropout', 2);
    const m = new Float32Array(20_000);
    s.fillThreshold(m, 20_000, 0.1 * 2 ** 32, 1 / 0.9);
    expect(here.slice('object '.length)).toBe(
      `${createHash('sha256').update(m).digest('hex')} ${s.uint32()}`,
    );
  });

  it('keeps a fraction near 1 − p and scales the kept values', () => {
    const m = new Float32Array(100_000);
    Stream.of(3, 'x').fillThreshold(m, m.length, 0.25 * 0x100000000, 1 / 0.75);
    const kept = m.filter((v) => v !== 0);
    expect(kept.length / m.length).toBeGreaterThan(0.74);
    expect(kept.length / m.length).toBeLessThan(0.76);
    expect(new Set(kept).size).toBe(1);
    expect(kept[0]).toBe(Math.fround(1 / 0.75));
  });
});

describe('the mask loop', () => {
  it('is the binary of the text kept beside it (wabt, saturating float-to-int)', async () => {
    const wabt = await (await import('wabt')).default();
    const m = wabt.parseWat('mask.wat', MASK_WAT, { saturating_float_to_int: true });
    try {
      m.validate();
      expect(Buffer.from(m.toBinary({}).buffer).toString('base64')).toBe(MASK_WASM);
    } finally {
      m.destroy();
    }
  });
});
