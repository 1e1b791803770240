import { readFileSync } from 'node:fs';
import { packageRoot } from './paths.js';

/** lockstep's own version, from package.json. */
export const version: string = (
  JSON.parse(readFileSync(`${packageRoot()}/package.json`, 'utf8')) as { version: string }
).version;
