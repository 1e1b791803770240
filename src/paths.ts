import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LockstepError } from './errors.js';

let root: string | undefined;

/** The package's root folder (the one holding package.json), from src/ or dist/ alike. */
export function packageRoot(): string {
  if (root !== undefined) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('lockstep: cannot find its package.json');
    dir = up;
  }
  root = dir;
  return dir;
}

/**
 * A compiled file of this package, for what must load JavaScript (piscina's worker entries, a study's
 * objective module): `dist/<path>`, whether the caller runs from dist/ or as TypeScript from src/ (the
 * tests). `what` names it in the error when it is missing.
 */
export function compiledFile(path: string, what: string): string {
  const file = join(packageRoot(), 'dist', path);
  if (!existsSync(file)) {
    throw new LockstepError('E_NOT_FOUND', `${file}: the compiled ${what} is missing; run npm run build`);
  }
  return file;
}
