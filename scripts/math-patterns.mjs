#!/usr/bin/env node
// The deterministic math on this runtime against the bit patterns recorded from Node 20 x86-64's Math
// (test/math/fixtures/patterns.json): prints one JSON line { digest, trials, mismatches, first } where
// digest is the SHA-256 of every output's bits. Run by scripts/platforms.mjs on every runtime.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as M from '../dist/math/index.js';

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const hex = (x) => {
  f64[0] = x;
  return u32[1].toString(16).padStart(8, '0') + u32[0].toString(16).padStart(8, '0');
};
const fromHex = (h) => {
  u32[1] = Number.parseInt(h.slice(0, 8), 16);
  u32[0] = Number.parseInt(h.slice(8), 16);
  return f64[0];
};
const fixture = JSON.parse(
  readFileSync(new URL('../test/math/fixtures/patterns.json', import.meta.url), 'utf8'),
);
const hash = createHash('sha256');
let mismatches = 0;
let first = null;
for (const [fn, args, expected] of fixture.cases) {
  const got = hex(M[fn](...args.map(fromHex)));
  hash.update(got);
  if (got !== expected) {
    mismatches++;
    first ??= `${fn}(${args.map(fromHex).join(', ')}) = ${got}, recorded ${expected}`;
  }
}
console.log(JSON.stringify({ digest: hash.digest('hex'), trials: fixture.cases.length, mismatches, first }));
process.exitCode = mismatches === 0 ? 0 : 1;
