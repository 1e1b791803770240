#!/usr/bin/env node
// Longer fuzzing of the config parser and the CSV loader than npm test runs (test/fuzz/inputs.test.ts).
// Usage: node scripts/fuzz.mjs [--runs N] [--seed S]   (needs npm run build; runs vitest with FUZZ_RUNS)
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '20000' }, seed: { type: 'string' } },
});
const env = {
  ...process.env,
  LOCKSTEP_FUZZ_RUNS: values.runs,
  ...(values.seed ? { LOCKSTEP_FUZZ_SEED: values.seed } : {}),
};
const t0 = performance.now();
const r = spawnSync('npx', ['vitest', 'run', 'test/fuzz', '-t', 'fuzz:'], { stdio: 'inherit', env });
console.log(
  JSON.stringify({
    fuzz: 'config+csv',
    runsPerProperty: Number(values.runs),
    ok: r.status === 0,
    seconds: Math.round((performance.now() - t0) / 1000),
  }),
);
process.exitCode = r.status ?? 1;
