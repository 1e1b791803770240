#!/usr/bin/env node
// The CLI: its bundled main thread (npm run build: scripts/bundle.mjs), or the plain compiled modules when the
// bundle was not built (tsc alone).
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/cli/bundle/main.js', import.meta.url);
await import(existsSync(bundle) ? bundle.href : new URL('../dist/cli/main.js', import.meta.url).href);
