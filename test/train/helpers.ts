import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The tests that spawn processes or workers run the compiled code: `npm test` builds first. */
export function requireBuild(): void {
  if (!existsSync(`${ROOT}dist/train/loop.js`) || !existsSync(`${ROOT}dist/pool/worker.cjs`)) {
    throw new Error('dist/ is missing: run `npm run build` (npm test does) before these tests');
  }
}

/** Runs test/train/fixtures/run-trial.mjs in a fresh Node process and parses its JSON line. */
export async function trialInChildProcess(seed: number, task: string): Promise<Record<string, unknown>> {
  const script = fileURLToPath(new URL('./fixtures/run-trial.mjs', import.meta.url));
  // No LOCKSTEP_STRICT_RANDOM here: the child runs like a user's process.
  const env = { ...process.env };
  delete env.LOCKSTEP_STRICT_RANDOM;
  const { stdout } = await run(process.execPath, [script, String(seed), task], { env, cwd: ROOT });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
}
