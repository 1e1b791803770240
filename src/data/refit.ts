import type { PreparedData } from './types.js';

/**
 * The refit's data: the best configuration trains on train + validation and is scored on test. In a module of
 * its own, so that a worker thread that refits loads no more than this (not the dataset loader).
 */
export function refitData(data: PreparedData): PreparedData {
  const cat = (a: Float32Array, b: Float32Array) => {
    const out = new Float32Array(a.length + b.length);
    out.set(a, 0);
    out.set(b, a.length);
    return out;
  };
  return {
    ...data,
    train: {
      x: cat(data.train.x, data.validation.x),
      y: cat(data.train.y, data.validation.y),
      n: data.train.n + data.validation.n,
    },
    validation: data.test,
  };
}
