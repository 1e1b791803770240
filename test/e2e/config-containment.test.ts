/**
 * A config's relative paths (dataset, objective module, ledger) stay inside its folder, also through
 * symbolic links; an absolute path is taken as it is (issue 15, item 14). So a project folder handed
 * over with `data.csv -> /some/secret` cannot make lockstep print that file's first line in an error,
 * and `ledger: ../x.jsonl` cannot write beside the folder, where the dataset and module could not read.
 */
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { LockstepError } from '../../src/errors.js';
import { loadStudyConfig } from '../../src/study/config.js';
import { cli, jsonOut, oneLine, tempDir } from '../helpers/cli.js';

let root: string;
let proj: string;
let outside: string;

const OBJECTIVE = 'export function objective(p) {\n  return (p.x - 0.3) ** 2;\n}\n';
const fnConfig = (extra: string) =>
  `name: fn\nseed: 1\nobjective: { module: ./obj.mjs }\ndirection: minimize\nsampler: random\nbudget: { trials: 2 }\nspace: { x: { type: float, low: 0, high: 1 } }\n${extra}`;

beforeEach(() => {
  root = tempDir('lockstep-contain-');
  proj = join(root, 'proj');
  outside = join(root, 'outside');
  mkdirSync(proj);
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret.csv'), 'secret_column_a,secret_column_b\n1,2\n3,4\n');
  writeFileSync(join(outside, 'obj.mjs'), OBJECTIVE);
  writeFileSync(join(proj, 'obj.mjs'), OBJECTIVE);
});

function refusal(configFile: string): LockstepError {
  try {
    loadStudyConfig(configFile);
  } catch (e) {
    if (e instanceof LockstepError) return e;
    throw e;
  }
  throw new Error(`${configFile} was accepted`);
}

describe('a dataset reached through a symbolic link that leads out of the config folder', () => {
  it('is refused with one line naming the field, and the file’s content is never printed', async () => {
    symlinkSync(join(outside, 'secret.csv'), join(proj, 'data.csv'));
    writeFileSync(join(proj, 's.yaml'), 'name: s\nseed: 1\ndataset: data.csv\ntarget: label\n');
    for (const cmd of ['search', 'train']) {
      const r = await cli([cmd, join(proj, 's.yaml'), '--out', join(root, 'runs')]);
      expect(r.code).toBe(2);
      expect(r.stderr).not.toContain('secret_column');
      expect(oneLine(r)).toMatch(
        /s\.yaml: dataset: 'data\.csv' leads out of the config's folder .* through a symbolic link/,
      );
    }
  });

  it('through a linked folder too, and for the objective module', () => {
    symlinkSync(outside, join(proj, 'data'));
    writeFileSync(join(proj, 'a.yaml'), 'name: a\ndataset: data/secret.csv\ntarget: label\n');
    expect(refusal(join(proj, 'a.yaml')).message).toMatch(/dataset: 'data\/secret\.csv' leads out/);
    writeFileSync(join(proj, 'b.yaml'), fnConfig('').replace('./obj.mjs', './data/obj.mjs'));
    expect(refusal(join(proj, 'b.yaml')).message).toMatch(
      /objective\.module: '\.\/data\/obj\.mjs' leads out/,
    );
  });

  it('a link that stays inside the folder, and an absolute path anywhere, are still followed', () => {
    mkdirSync(join(proj, 'sub'));
    writeFileSync(join(proj, 'sub', 'real.csv'), 'a,label\n1,x\n');
    symlinkSync(join(proj, 'sub', 'real.csv'), join(proj, 'data.csv'));
    writeFileSync(join(proj, 'c.yaml'), 'name: c\ndataset: data.csv\ntarget: label\n');
    expect(loadStudyConfig(join(proj, 'c.yaml')).resolved.dataset).toBe(join(proj, 'data.csv'));
    writeFileSync(join(proj, 'd.yaml'), `name: d\ndataset: ${join(outside, 'secret.csv')}\ntarget: label\n`);
    expect(loadStudyConfig(join(proj, 'd.yaml')).resolved.dataset).toBe(join(outside, 'secret.csv'));
  });
});

describe('the ledger path follows the same rule as the dataset and the module', () => {
  it('ledger: ../… is refused (one line, exit 2) and nothing is written outside the folder', async () => {
    writeFileSync(join(proj, 'up.yaml'), fnConfig('ledger: ../outside/ledger.jsonl\n'));
    const r = await cli(['search', join(proj, 'up.yaml'), '--out', join(root, 'runs')]);
    expect(r.code).toBe(2);
    expect(oneLine(r)).toMatch(
      /up\.yaml: ledger: '\.\.\/outside\/ledger\.jsonl' climbs out of the config's folder/,
    );
    expect(existsSync(join(outside, 'ledger.jsonl'))).toBe(false);
  });

  it('a ledger in a folder linked outside is refused too', () => {
    symlinkSync(outside, join(proj, 'runs'));
    writeFileSync(join(proj, 'l.yaml'), fnConfig('ledger: runs/fn/ledger.jsonl\n'));
    expect(refusal(join(proj, 'l.yaml')).message).toMatch(
      /ledger: 'runs\/fn\/ledger\.jsonl' leads out of the config's folder .* through a symbolic link/,
    );
  });

  it('a ledger inside the folder is written there, relative to the config; an absolute one where it says', async () => {
    writeFileSync(join(proj, 'in.yaml'), fnConfig('ledger: runs/fn/ledger.jsonl\n'));
    const r = await cli(['search', join(proj, 'in.yaml'), '--out', join(root, 'runs'), '--json'], {
      cwd: root,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(jsonOut(r).ledger).toBe(join(proj, 'runs', 'fn', 'ledger.jsonl'));
    expect(readFileSync(join(proj, 'runs', 'fn', 'ledger.jsonl'), 'utf8')).toMatch(/^\{/);
    writeFileSync(join(proj, 'abs.yaml'), fnConfig(`ledger: ${join(outside, 'abs.jsonl')}\n`));
    expect(loadStudyConfig(join(proj, 'abs.yaml')).resolved.ledger).toBe(join(outside, 'abs.jsonl'));
    writeFileSync(join(proj, 'pg.yaml'), fnConfig('ledger: postgres://u@h/db\n'));
    expect(loadStudyConfig(join(proj, 'pg.yaml')).resolved.ledger).toBe('postgres://u@h/db');
  });
});
