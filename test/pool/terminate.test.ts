import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { workerFile } from '../../src/pool/pool.js';
import { ROOT, requireBuild } from '../train/helpers.js';

// piscina requires its worker file. Were that an ES module, Node (>= 20.19) would load it through
// require(esm), and a worker terminated while that linked aborts the whole process (a native assertion:
// seen in CI when a study refused before its first trial dropped the workers it had started early). The
// pool's worker file is CommonJS and imports the ES module entry with import().

describe('the pool’s worker file', () => {
  test('is CommonJS that imports the ES module entry', () => {
    requireBuild();
    const file = workerFile();
    expect(file.endsWith('.cjs')).toBe(true);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain("import('./thread-entry.js')");
    expect(text).toContain('module.exports');
  });

  test('pools destroyed while their workers start up end cleanly, at any moment of the start-up', () => {
    requireBuild();
    const script = `
      const { TrainerPool } = await import(${JSON.stringify(`${ROOT}dist/pool/pool.js`)});
      for (let ms = 0; ms < 200; ms += 10) {
        const pool = new TrainerPool({ workers: 2, backend: 'wasm' });
        await new Promise((r) => setTimeout(r, ms));
        await pool.destroy();
      }
      console.log('done');`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(out.trim()).toBe('done');
  }, 60_000);
});
