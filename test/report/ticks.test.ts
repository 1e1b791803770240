import { describe, expect, it } from 'vitest';
import { numericTicks } from '../../src/report/model.js';

describe('numeric axis ticks', () => {
  it('are round numbers inside the range', () => {
    expect(numericTicks(0, 0.99, { log: false, integer: false })).toEqual([0, 0.2, 0.4, 0.6, 0.8]);
    expect(numericTicks(0.6, 1, { log: false, integer: false })).toEqual([0.6, 0.7, 0.8, 0.9, 1]);
  });

  it('are integers only on an integer axis', () => {
    expect(numericTicks(1, 2, { log: false, integer: true })).toEqual([1, 2]);
    expect(numericTicks(1, 3, { log: false, integer: true })).toEqual([1, 2, 3]);
    expect(numericTicks(8, 64, { log: false, integer: true })).toEqual([20, 40, 60]);
  });

  it('step by decades, 1-2-5 or 1…9 on a log axis, and never leave the range', () => {
    expect(numericTicks(1e-4, 0.1, { log: true, integer: false })).toEqual([1e-4, 1e-3, 0.01, 0.1]);
    expect(numericTicks(16, 128, { log: true, integer: true })).toEqual([20, 50, 100]);
    expect(numericTicks(16, 256, { log: true, integer: true })).toEqual([20, 50, 100, 200]);
    expect(numericTicks(0.3, 0.9, { log: true, integer: false })).toEqual([
      0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9,
    ]);
    expect(numericTicks(1e-7, 1e-2, { log: true, integer: false })).toEqual([
      1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 0.01,
    ]);
  });
});
