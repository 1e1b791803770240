import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RandomSampler } from '../../src/samplers/random.js';
import type { FinishedTrial, SampleContext, Sampler } from '../../src/samplers/types.js';
import { isActive, validateParams } from '../../src/space/codec.js';
import { mlpDefaultSpace } from '../../src/space/schema.js';
import type { Params, SearchSpace } from '../../src/space/types.js';
import { makeHistory, mixedObjective, mixedSpace } from './fixtures.js';

const spaces: [string, SearchSpace][] = [
  ['mixed', mixedSpace],
  ['mlp-default', mlpDefaultSpace()],
];

function historyFor(space: SearchSpace, n: number): FinishedTrial[] {
  const random = new RandomSampler();
  const objective = (p: Params) =>
    space === mixedSpace
      ? mixedObjective(p)
      : Math.log10(p.learning_rate as number) ** 2 + (p.dropout as number);
  return makeHistory(
    n,
    (i) => random.sample(space, [], { seed: 99, index: i, direction: 'minimize' }),
    objective,
  );
}

/**
 * The contract every Sampler must keep (see src/samplers/types.ts): pure, seeded only through
 * its context, every active parameter valid, every inactive one absent, and no Math.random.
 */
export function samplerContract(
  name: string,
  factory: () => Sampler,
  options: {
    /** False for a sampler whose points do not depend on the seed (a grid in fixed order). */ seeded?: boolean;
  } = {},
): void {
  const seeded = options.seeded ?? true;
  describe(`Sampler contract: ${name}`, () => {
    const original = Math.random;
    beforeEach(() => {
      Math.random = () => {
        throw new Error('Math.random was called by a sampler');
      };
    });
    afterEach(() => {
      Math.random = original;
    });

    for (const [spaceName, space] of spaces) {
      const histories: [string, FinishedTrial[]][] = [
        ['empty history', []],
        ['history with failed and pruned trials', historyFor(space, 40)],
        [
          'history of failed trials only',
          historyFor(space, 12).map((t) => ({ ...t, state: 'failed' as const, value: undefined })),
        ],
      ];

      for (const [historyName, history] of histories) {
        const ctx = (index: number, seed = 7): SampleContext => ({ seed, index, direction: 'minimize' });

        it(`${spaceName}, ${historyName}: valid points, inactive params absent`, () => {
          const sampler = factory();
          for (let i = 0; i < 40; i++) {
            const p = sampler.sample(space, history, ctx(i));
            expect(() => validateParams(space, p)).not.toThrow();
            for (const spec of space.params) expect(spec.name in p).toBe(isActive(spec, p));
          }
        });

        it(`${spaceName}, ${historyName}: same arguments give the same params, also after other calls and from a new instance`, () => {
          const a = factory();
          const first = a.sample(space, history, ctx(13));
          for (let i = 0; i < 5; i++) a.sample(space, history, ctx(i, 1000 + i));
          a.sample(mixedSpace, [], ctx(3));
          expect(a.sample(space, history, ctx(13))).toEqual(first);
          expect(factory().sample(space, history, ctx(13))).toEqual(first);
        });

        it(`${spaceName}, ${historyName}: different indices and seeds give mostly different params`, () => {
          const s = factory();
          const keys = new Set<string>();
          for (let i = 0; i < 20; i++) keys.add(JSON.stringify(s.sample(space, history, ctx(i))));
          expect(keys.size).toBeGreaterThanOrEqual(15);
          const bySeed = new Set<string>();
          for (let seed = 0; seed < 10; seed++)
            bySeed.add(JSON.stringify(s.sample(space, history, ctx(20, seed))));
          if (seeded) expect(bySeed.size).toBeGreaterThanOrEqual(7);
          else expect(bySeed.size).toBe(1);
        });
      }

      it(`${spaceName}: does not modify its arguments`, () => {
        const history = historyFor(space, 30);
        const before = JSON.stringify([space, history]);
        factory().sample(space, history, { seed: 1, index: 31, direction: 'maximize' });
        expect(JSON.stringify([space, history])).toBe(before);
      });
    }

    it('ints are integers, floats on their step, log values inside the bounds', () => {
      const s = factory();
      const history = historyFor(mixedSpace, 30);
      for (let i = 0; i < 60; i++) {
        const p = s.sample(mixedSpace, history, { seed: 3, index: i, direction: 'maximize' });
        expect(Number.isInteger(p.n)).toBe(true);
        expect((p.n as number) % 4).toBe(0);
        expect(Number.isInteger(p.units)).toBe(true);
        expect(Number.isInteger((p.frac as number) * 8)).toBe(true);
        expect(p.lr as number).toBeGreaterThanOrEqual(1e-5);
        expect(p.lr as number).toBeLessThanOrEqual(1e-1);
        expect(p.epochs).toBe(7);
      }
    });

    it('never calls Math.random (it throws in this suite)', () => {
      expect(() => Math.random()).toThrow('Math.random was called by a sampler');
      expect(() =>
        factory().sample(mixedSpace, historyFor(mixedSpace, 25), {
          seed: 5,
          index: 30,
          direction: 'minimize',
        }),
      ).not.toThrow();
    });
  });
}
