import { describe, expect, it } from 'vitest';
import { Stream } from '../../src/rng/index.js';
import {
  backSolve,
  cholesky,
  choleskyInverse,
  forwardSolve,
  jacobiEigen,
} from '../../src/samplers/linalg.js';

/** A random symmetric positive-definite n×n matrix: B·Bᵀ + n·I. */
function spd(n: number, seed: number): Float64Array {
  const s = Stream.of(seed, 'test', 'spd');
  const b = Float64Array.from({ length: n * n }, () => s.normal());
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let v = i === j ? n : 0;
      for (let k = 0; k < n; k++) v += b[i * n + k]! * b[j * n + k]!;
      a[i * n + j] = v;
    }
  return a;
}

function matmul(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let v = 0;
      for (let k = 0; k < n; k++) v += a[i * n + k]! * b[k * n + j]!;
      out[i * n + j] = v;
    }
  return out;
}

describe('linear algebra', () => {
  it.each([1, 2, 5, 12])('cholesky, solves and inverse agree with A (n = %i)', (n) => {
    const a = spd(n, n);
    const l = Float64Array.from(a);
    expect(cholesky(l, n)).toBe(true);
    const inv = choleskyInverse(l, n);
    const id = matmul(a, inv, n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) expect(id[i * n + j]!).toBeCloseTo(i === j ? 1 : 0, 10);
    const b = Float64Array.from({ length: n }, (_, i) => i - 1.5);
    const x = Float64Array.from(b);
    forwardSolve(l, n, x);
    backSolve(l, n, x);
    for (let i = 0; i < n; i++) {
      let v = 0;
      for (let k = 0; k < n; k++) v += a[i * n + k]! * x[k]!;
      expect(v).toBeCloseTo(b[i]!, 10);
    }
  });

  it('cholesky refuses a matrix that is not positive definite', () => {
    expect(cholesky(Float64Array.from([1, 2, 2, 1]), 2)).toBe(false);
  });

  it.each([2, 3, 6, 10])('Jacobi: A·v = λ·v for every eigenpair, V orthonormal (n = %i)', (n) => {
    const a = spd(n, 100 + n);
    // Make it indefinite too: subtract a multiple of the identity.
    for (let i = 0; i < n; i++) a[i * n + i] = a[i * n + i]! - 2 * n;
    const { values, vectors } = jacobiEigen(a, n);
    for (let k = 0; k < n; k++) {
      for (let i = 0; i < n; i++) {
        let av = 0;
        for (let j = 0; j < n; j++) av += a[i * n + j]! * vectors[j * n + k]!;
        expect(av).toBeCloseTo(values[k]! * vectors[i * n + k]!, 8);
      }
      for (let m = 0; m < n; m++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += vectors[i * n + k]! * vectors[i * n + m]!;
        expect(dot).toBeCloseTo(k === m ? 1 : 0, 10);
      }
    }
  });

  it('Jacobi on a diagonal matrix returns its diagonal', () => {
    const { values } = jacobiEigen(Float64Array.from([3, 0, 0, 0, -1, 0, 0, 0, 2]), 3);
    expect([...values]).toEqual([3, -1, 2]);
  });
});
