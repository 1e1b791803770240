/**
 * Code that decides a recorded number must not call V8's transcendental `Math` functions or `**`:
 * their bits differ on arm64 and on Node 24+. It calls src/math instead. Only the CLI, the logger
 * and the report (which print or draw, never record) may use them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';
import { offences } from './scan.js';

const SRC = new URL('../../src/', import.meta.url).pathname;
const ALLOWED = ['cli/', 'log.ts', 'report/'];
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('number-deciding code', () => {
  test('calls no transcendental Math function and no ** (src outside cli/, log.ts, report/)', () => {
    const found: string[] = [];
    for (const file of sources(SRC)) {
      const rel = relative(SRC, file);
      if (ALLOWED.some((a) => rel.startsWith(a))) continue;
      for (const o of offences(readFileSync(file, 'utf8'))) found.push(`src/${rel}:${o}`);
    }
    expect(found).toEqual([]);
  });

  test('the scan flags each form it forbids, and not comments or Math.sqrt', () => {
    expect(offences('const a = Math.exp(x);')).toHaveLength(1);
    expect(offences('const a = Math . pow (x, 2);')).toHaveLength(1);
    expect(offences("const a = Math['log'](x);")).toHaveLength(1);
    expect(offences('const { PI, cos } = Math;')).toHaveLength(1);
    expect(offences('const a = b ** 2;')).toHaveLength(1);
    expect(offences('const a = (b + 1) ** -c;')).toHaveLength(1);
    expect(offences('x **= 2;')).toHaveLength(1);
    expect(offences('/** doc: Math.exp(x) */\nconst a = Math.sqrt(x); // Math.log here')).toEqual([]);
    expect(offences('const url = "postgres://h/x"; const y = Math.abs(z);')).toEqual([]);
  });
});
