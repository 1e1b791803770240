/**
 * Elementary functions whose results are the same bits on every JavaScript engine and CPU: built
 * from + − × ÷, sqrt and integer operations only, which IEEE 754 and ECMAScript fix. V8's `Math.exp`,
 * `log1p`, `sin`, `cos`, `pow`, `tanh` give other bits on arm64, and `pow` (with `**`) on Node 24+,
 * so every number lockstep records is computed with these instead (test/math/no-math.test.ts
 * fails the build on a direct call). On x86-64 with Node 20 they equal `Math`'s, bit for bit.
 */
export { erfc } from './erfc.js';
export { exp, expm1, log, log1p, tanh } from './exp-log.js';
export { pow, pow2 } from './pow.js';
export { cos, sin } from './trig.js';
