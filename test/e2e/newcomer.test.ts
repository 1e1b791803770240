/**
 * A newcomer's path, from the packed package: in a fresh folder, `npm install <tarball>`, then the
 * README's bring-your-own-CSV example (search, predict) and its TypeScript example (compiled with tsc
 * against the installed package's types, then run). Needs the npm registry for the dependencies.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers/cli.js';

const run = (cmd: string, args: string[], cwd: string) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000 });

let app: string;

beforeAll(() => {
  const packs = tempDir();
  run('npm', ['pack', '--pack-destination', packs, '--ignore-scripts'], ROOT);
  const tarball = join(packs, readdirSync(packs).find((f) => f.endsWith('.tgz'))!);
  app = tempDir();
  writeFileSync(join(app, 'package.json'), '{ "name": "my-app", "private": true, "type": "module" }\n');
  run('npm', ['install', '--no-audit', '--no-fund', tarball, 'typescript@5.9', '@types/node@20'], app);
}, 600_000);

describe('a newcomer, from the packed package', () => {
  it('runs the README bring-your-own-CSV example: search, then predict', () => {
    copyFileSync(join(ROOT, 'examples/churn/churn.csv'), join(app, 'churn.csv'));
    copyFileSync(join(ROOT, 'examples/churn/churn.yaml'), join(app, 'churn.yaml'));
    const s = JSON.parse(run('npx', ['lockstep', 'search', 'churn.yaml', '--json'], app)) as {
      complete: number;
      digest: string;
    };
    expect(s.complete).toBe(12);
    run(
      'npx',
      ['lockstep', 'predict', 'runs/churn/best', 'churn.csv', '--out', 'predictions.csv', '--proba'],
      app,
    );
    const lines = readFileSync(join(app, 'predictions.csv'), 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('prediction,p_no,p_yes');
    expect(lines).toHaveLength(601);
    // The same study in the repository gives the same digest.
    const here = JSON.parse(
      run(
        process.execPath,
        [
          join(ROOT, 'bin/lockstep.js'),
          'search',
          join(ROOT, 'examples/churn/churn.yaml'),
          '--out',
          tempDir(),
          '--json',
        ],
        ROOT,
      ),
    ) as { digest: string };
    expect(s.digest).toBe(here.digest);
  });

  it('compiles the README TypeScript example against the installed types and runs it', () => {
    copyFileSync(join(ROOT, 'examples/api.ts'), join(app, 'api.ts'));
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          skipLibCheck: true, // as `tsc --init` sets it: tfjs's own .d.ts files do not type-check on their own
          outDir: 'dist',
          types: ['node'],
        },
        include: ['api.ts'],
      }),
    );
    run('npx', ['tsc', '-p', '.'], app);
    const out = run(process.execPath, ['dist/api.js'], app);
    expect(out).toMatch(/^MLP: best accuracy [\d.]+ \(trial [0-9a-f]{8}-\d+\), digest [0-9a-f]{64}$/m);
    expect(out).toMatch(/^own objective: best /m);
  });
});
