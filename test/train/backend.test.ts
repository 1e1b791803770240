import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { LockstepError } from '../../src/errors.js';
import { environment, initBackend, NUMERIC_VERSION } from '../../src/train/backend.js';
import { backendPackage, environmentOf } from '../../src/train/environment.js';
import { ROOT } from './helpers.js';

describe('initBackend', () => {
  test("'tensorflow' without @tensorflow/tfjs-node fails with E_BACKEND and the install command", async () => {
    // The optional peer is not installed in this repository; if it ever is, this test says so.
    expect(existsSync(`${ROOT}node_modules/@tensorflow/tfjs-node`)).toBe(false);
    const err = await initBackend('tensorflow').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LockstepError);
    expect((err as LockstepError).code).toBe('E_BACKEND');
    expect((err as LockstepError).message).toBe(
      "backend 'tensorflow' needs @tensorflow/tfjs-node, which is not installed (npm install @tensorflow/tfjs-node)",
    );
  });

  test('wasm initialises once, single-threaded, and reports its version in the environment', async () => {
    const a = await initBackend('wasm');
    const b = await initBackend('wasm');
    expect(b).toBe(a);
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.env().getBool('PROD')).toBe(true);
    const env = environment();
    expect(env).toMatchObject({
      backend: 'wasm',
      backendVersion: a.version,
      tfjs: tf.version_core,
      node: process.versions.node,
    });
    expect(env.lockstep).toMatch(/^\d+\.\d+\.\d+/);
    expect(typeof env.cpu).toBe('string');
    expect(NUMERIC_VERSION).toBeGreaterThanOrEqual(1);
  });

  test('cpu is available as the fallback, and wasm comes back after it', async () => {
    expect((await initBackend('cpu')).name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(environment().backend).toBe('cpu');
    await initBackend('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  test("the environment a search records before loading tfjs is the initialised backend's", async () => {
    // A search's main thread records its study before any trial, from the packages alone (train/environment.ts).
    for (const name of ['wasm', 'cpu'] as const) {
      const info = await initBackend(name);
      expect(backendPackage(name)).toEqual(info);
      expect(environmentOf(backendPackage(name))).toEqual(environment());
    }
    await initBackend('wasm');
    expect(() => backendPackage('tensorflow')).toThrow(
      "backend 'tensorflow' needs @tensorflow/tfjs-node, which is not installed (npm install @tensorflow/tfjs-node)",
    );
  });
});
