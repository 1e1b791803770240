/**
 * One writer per ledger FILE, whatever path reaches it: a folder linked elsewhere, a link to the file,
 * `..` or a relative path. (Issue 15, item 1: the lock was keyed on the path as written.)
 */
import * as fs from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LockstepError } from '../../src/errors.js';
import { createLedger, type FileLedger, openLedger } from '../../src/ledger/index.js';
import { acquireLock } from '../../src/ledger/lock.js';
import { cli, cliAsync, jsonOut, oneLine, tempDir } from '../helpers/cli.js';
import { completeTrial, sampleStudy } from './fixtures.js';

let dir: string;
let real: string;
let open: FileLedger[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(join(fs.realpathSync('/tmp'), 'lockstep-alias-'));
  fs.mkdirSync(join(dir, 'study'));
  real = join(dir, 'study', 'ledger.jsonl');
  const l = createLedger(real, sampleStudy());
  for (const b of completeTrial(0, 0.5)) l.append(b);
  l.close();
  fs.symlinkSync(join(dir, 'study'), join(dir, 'alias'));
  fs.symlinkSync(real, join(dir, 'link.jsonl'));
  open = [];
});
afterEach(() => {
  for (const l of open) l.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function refusal(f: () => unknown): LockstepError {
  try {
    f();
  } catch (e) {
    if (e instanceof LockstepError) return e;
    throw e;
  }
  throw new Error('expected E_LOCKED, but the second writer got in');
}

describe('the ledger lock is on the file, not on the path', () => {
  it('refuses a second writer through a link to the ledger file, naming the file it reaches', () => {
    open.push(openLedger(real));
    const e = refusal(() => openLedger(join(dir, 'link.jsonl')));
    expect(e.code).toBe('E_LOCKED');
    expect(e.message).toMatch(
      new RegExp(`^ledger ${join(dir, 'link.jsonl')} \\(${real}\\) is locked by pid ${process.pid}`),
    );
  });

  it('refuses a second writer through a linked folder, a link to the file and a relative path with ..', () => {
    open.push(openLedger(join(dir, 'link.jsonl')));
    expect(refusal(() => openLedger(join(dir, 'alias', 'ledger.jsonl'))).code).toBe('E_LOCKED');
    expect(refusal(() => openLedger(real)).code).toBe('E_LOCKED');
    const rel = relative(process.cwd(), join(dir, 'alias', '..', 'study', 'ledger.jsonl'));
    expect(refusal(() => openLedger(rel)).code).toBe('E_LOCKED');
  });

  it('locks a ledger being created in a linked folder under its real path', () => {
    const lock = acquireLock(join(dir, 'alias', 'new.jsonl'), () => {});
    try {
      expect(lock.path).toBe(join(dir, 'study', 'new.jsonl.lock'));
      expect(refusal(() => acquireLock(join(dir, 'study', 'new.jsonl'), () => {})).code).toBe('E_LOCKED');
    } finally {
      lock.release();
    }
    expect(fs.existsSync(join(dir, 'study', 'new.jsonl.lock'))).toBe(false);
  });
});

describe('two search processes on one ledger through a linked folder', () => {
  it('the second search is refused with E_LOCKED (one line, exit 2) and the first finishes a sound ledger', async () => {
    const d = fs.realpathSync(tempDir());
    try {
      // Every trial waits while the file `hold` exists, so the first search holds its ledger until the
      // second writers have been tried, however slow the machine (the test removes it afterwards).
      fs.writeFileSync(join(d, 'hold'), '');
      fs.writeFileSync(
        join(d, 'slow.mjs'),
        `import { existsSync } from 'node:fs';\nexport async function objective(p) {\n  while (existsSync(${JSON.stringify(join(d, 'hold'))})) await new Promise((r) => setTimeout(r, 50));\n  return (p.x - 0.3) * (p.x - 0.3);\n}\n`,
      );
      fs.writeFileSync(
        join(d, 'slow.yaml'),
        'name: slow\nseed: 1\nobjective: { module: ./slow.mjs }\ndirection: minimize\nsampler: random\nparallelism: 1\nbudget: { trials: 8 }\nspace: { x: { type: float, low: 0, high: 1 } }\n',
      );
      fs.mkdirSync(join(d, 'runs', 'slow'), { recursive: true });
      fs.symlinkSync(join(d, 'runs'), join(d, 'runs-alias'));
      fs.symlinkSync(join(d, 'runs', 'slow', 'ledger.jsonl'), join(d, 'link.jsonl'));
      const first = cliAsync(['search', join(d, 'slow.yaml'), '--out', join(d, 'runs'), '--json'], {
        cwd: d,
      });
      let firstOut = '';
      let firstErr = '';
      first.stdout.setEncoding('utf8').on('data', (c: string) => {
        firstOut += c;
      });
      first.stderr.setEncoding('utf8').on('data', (c: string) => {
        firstErr += c;
      });
      const firstDone = new Promise<number | null>((r) => first.on('close', r));
      const ledger = join(d, 'runs', 'slow', 'ledger.jsonl');
      // Wait until the first search has written a trial (it holds the lock from creation to close).
      for (let i = 0; i < 300 && !/"trial\.started"/.test(readOrEmpty(ledger)); i++) await sleep(50);
      expect(fs.existsSync(`${ledger}.lock`)).toBe(true);

      const viaFolder = await cli(
        ['search', join(d, 'slow.yaml'), '--out', join(d, 'runs-alias'), '--json'],
        { cwd: d },
      );
      expect(viaFolder.code).toBe(2);
      expect(oneLine(viaFolder)).toMatch(
        /^lockstep: ledger .*runs-alias\/slow\/ledger\.jsonl .* is locked by pid/,
      );
      for (const alias of [join(d, 'link.jsonl'), join(d, 'runs-alias', 'slow', 'ledger.jsonl')]) {
        const viaOption = await cli(['search', join(d, 'slow.yaml'), '--ledger', alias], { cwd: d });
        expect(viaOption.code, viaOption.stderr).toBe(2);
        expect(oneLine(viaOption)).toMatch(/is locked by pid/);
      }

      fs.rmSync(join(d, 'hold'));
      expect(await firstDone, firstErr).toBe(0);
      const verify = await cli(['verify', ledger, '--json']);
      expect(verify.code, verify.stderr).toBe(0);
      expect(jsonOut(verify).ok).toBe(true);
      expect((JSON.parse(firstOut.trim().split('\n').at(-1)!) as { trials: number }).trials).toBe(8);
    } finally {
      fs.rmSync(d, { recursive: true, force: true });
    }
  }, 120_000);
});

function readOrEmpty(p: string): string {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    return '';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
