// The CLI's main thread as one ES module graph (npm run build, after tsc): dist/cli/bundle/main.js, which
// bin/lockstep.js runs. Node then reads, resolves and links ~10 files for a search instead of ~150 (our modules,
// zod's, csv-parse's): ~70 ms less before the first trial (issue 19). Code splitting keeps each command's
// modules loaded only when it runs. Worker threads keep the unbundled dist/ files (piscina loads
// dist/pool/worker.cjs, which imports dist/pool/thread-entry.js): a study's objective module may import
// lockstep's own, and must meet one copy.
// Left external: tfjs (required lazily, never on a pooled search's main thread), piscina (its worker file is
// found beside it), pino, pg, vega (loaded only by the commands that use them).
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = `${root}dist/cli/bundle`;
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [`${root}dist/cli/main.js`],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['@tensorflow/*', 'piscina', 'pino', 'pg', 'pg-*', 'vega', 'vega-lite', 'playwright-core'],
  // The CommonJS packages bundled (yaml) require Node's built-ins: give each chunk a real require.
  banner: {
    js: "import { createRequire as __lockstepRequire } from 'node:module'; const require = __lockstepRequire(import.meta.url);",
  },
  legalComments: 'none',
  logLevel: 'warning',
});
