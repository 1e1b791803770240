/**
 * `export --out`, `report --out` and `export-env --out` never write over the ledger they read, nor its
 * lock file, whatever path names it (issue 15, item 6): one line, exit 2, the ledger's bytes unchanged.
 */
import { copyFileSync, existsSync, linkSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { ENV_FILES } from '../../src/cli/export-env.js';
import { cli, jsonOut, oneLine, tempDir } from '../helpers/cli.js';
import { fixtureTrials, writeFixtureLedger } from '../report/fixtures.js';

let dir: string;
let ledger: string;
let bytes: Buffer;

beforeEach(() => {
  dir = tempDir('lockstep-out-');
  mkdirSync(join(dir, 'study'));
  ledger = join(dir, 'study', 'ledger.jsonl');
  writeFixtureLedger(ledger, fixtureTrials(['complete', 'pruned', 'complete']));
  bytes = readFileSync(ledger);
});

async function refused(args: string[], what: RegExp): Promise<void> {
  const r = await cli(args);
  expect(r.code, r.stderr).toBe(2);
  expect(oneLine(r)).toMatch(what);
  expect(readFileSync(ledger).equals(bytes)).toBe(true);
}

describe('an output path that is the ledger is refused, and the ledger is untouched', () => {
  it('export --out the ledger itself, through a linked folder, a link to it or a hard link', async () => {
    symlinkSync(join(dir, 'study'), join(dir, 'alias'));
    symlinkSync(ledger, join(dir, 'link.jsonl'));
    linkSync(ledger, join(dir, 'hard.jsonl'));
    for (const out of [
      ledger,
      join(dir, 'alias', 'ledger.jsonl'),
      join(dir, 'link.jsonl'),
      join(dir, 'hard.jsonl'),
    ]) {
      for (const format of ['csv', 'json']) {
        await refused(
          ['export', ledger, '--format', format, '--out', out],
          /^lockstep: --out: .* is the ledger .* itself; refusing to write over it/,
        );
      }
    }
    // and the other way round: the ledger named through the link, the output by its real path
    await refused(['export', join(dir, 'link.jsonl'), '--out', ledger], /is the ledger .* itself/);
  });

  it('export --out and report --out the ledger’s lock file', async () => {
    for (const args of [
      ['export', ledger, '--format', 'csv', '--out', `${ledger}.lock`],
      ['report', ledger, '--out', `${ledger}.lock`],
      ['report', ledger, '--out', join(dir, 'study', '..', 'study', 'ledger.jsonl.lock')],
    ]) {
      await refused(args, /^lockstep: --out: .* is the lock file of the ledger /);
      expect(existsSync(`${ledger}.lock`)).toBe(false);
    }
  });

  it('report --out the ledger', async () => {
    await refused(['report', ledger, '--out', ledger], /^lockstep: --out: .* is the ledger .* itself/);
    await refused(['report', ledger, '--json', '--out', join(dir, 'study', '.', 'ledger.jsonl')], /itself/);
  });

  it('export-env --out a folder where one of the files it writes is the ledger', async () => {
    // A ledger that happens to be called README.txt, exported into its own folder.
    const readme = join(dir, 'study', 'README.txt');
    copyFileSync(ledger, readme);
    ledger = readme;
    await refused(
      ['export-env', readme, '--out', join(dir, 'study')],
      /^lockstep: --out: .*README\.txt is the ledger .* itself/,
    );
    await refused(['export-env', readme, '--out', readme], /is the ledger .* itself/);
  });

  it('ENV_FILES names every file export-env writes (outside dataset/)', async () => {
    const r = await cli(['export-env', ledger, '--out', join(dir, 'env'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const files = (jsonOut(r).files as string[]).filter((f) => !f.startsWith('dataset/'));
    expect([...files].sort()).toEqual([...ENV_FILES].sort());
  });

  it('an output elsewhere is still written', async () => {
    const out = join(dir, 'trials.csv');
    const r = await cli(['export', ledger, '--format', 'csv', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(out, 'utf8').split('\n')[0]).toMatch(/^index,id,state,score/);
    expect(readFileSync(ledger).equals(bytes)).toBe(true);
  });
});
