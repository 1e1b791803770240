/**
 * Hostile input, fuzzed (bounded runs here; longer in scripts/fuzz.mjs): every input to the config parser
 * and the CSV loader either loads or raises a LockstepError with a code — never another exception, never a
 * hang. Then the hand-picked cases.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTable, parseBytes } from '../../src/data/load.js';
import { inferSchema } from '../../src/data/schema.js';
import { LockstepError } from '../../src/errors.js';
import { loadStudyConfig, parseStudyConfig } from '../../src/study/config.js';
import { tempDir } from '../helpers/cli.js';
import { configObject, csvText, mutatedConfig, rawBytes, yamlText } from './arbitraries.js';

/** 200 in npm test; scripts/fuzz.mjs sets LOCKSTEP_FUZZ_RUNS (and LOCKSTEP_FUZZ_SEED) for longer runs. */
const RUNS = Number(process.env.LOCKSTEP_FUZZ_RUNS ?? 200);
const SEED =
  process.env.LOCKSTEP_FUZZ_SEED === undefined ? {} : { seed: Number(process.env.LOCKSTEP_FUZZ_SEED) };
fc.configureGlobal({ ...SEED, interruptAfterTimeLimit: RUNS > 200 ? 600_000 : 20_000 });

/** Runs f; passes when it returns or throws a LockstepError with a code; rethrows anything else. */
function loadsOrRefuses(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (e instanceof LockstepError && typeof e.code === 'string' && !e.message.includes('\n')) return;
    throw e;
  }
}

describe('fuzz: the CSV loader and schema inference', () => {
  it(`parseBytes + inferSchema on ${RUNS} generated CSV texts`, () => {
    fc.assert(
      fc.property(csvText, fc.constantFrom('t.csv', 't.tsv', 't.txt'), (text, name) => {
        loadsOrRefuses(() => {
          const table = parseBytes(name, new TextEncoder().encode(text));
          const target = table.columns.at(-1)!;
          inferSchema(table, target);
        });
      }),
      { numRuns: RUNS },
    );
  });
  it(`parseBytes on ${RUNS} arbitrary byte strings (CSV and JSON)`, () => {
    fc.assert(
      fc.property(rawBytes, fc.constantFrom('b.csv', 'b.json', 'b'), (bytes, name) => {
        loadsOrRefuses(() => parseBytes(name, bytes));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('fuzz: the config parser', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir('lockstep-fuzz-');
  });
  it(`parseStudyConfig on ${RUNS} config-shaped objects and ${RUNS} mutated valid configs`, () => {
    fc.assert(
      fc.property(configObject, (o) => loadsOrRefuses(() => parseStudyConfig(o, 'fuzz.yaml'))),
      {
        numRuns: RUNS,
      },
    );
    fc.assert(
      fc.property(mutatedConfig, (o) => loadsOrRefuses(() => parseStudyConfig(o, 'fuzz.yaml'))),
      {
        numRuns: RUNS,
      },
    );
  });
  it(`loadStudyConfig on ${RUNS} YAML texts and ${RUNS} JSON texts`, () => {
    let n = 0;
    fc.assert(
      fc.property(yamlText, (text) => {
        const path = join(dir, `c${n++}.yaml`);
        writeFileSync(path, text);
        loadsOrRefuses(() => loadStudyConfig(path));
      }),
      { numRuns: RUNS },
    );
    fc.assert(
      fc.property(fc.oneof(fc.json(), fc.string()), (text) => {
        const path = join(dir, `c${n++}.json`);
        writeFileSync(path, text);
        loadsOrRefuses(() => loadStudyConfig(path));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('hostile input by hand', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir('lockstep-hostile-');
  });
  const refuse = async (f: () => Promise<unknown> | unknown, code: string, re: RegExp) => {
    let err: unknown;
    try {
      await f();
    } catch (e) {
      err = e;
    }
    expect(err, 'expected a refusal').toBeInstanceOf(LockstepError);
    expect((err as LockstepError).code).toBe(code);
    expect((err as Error).message).toMatch(re);
    expect((err as Error).message).not.toContain('\n');
  };
  const csv = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  it('loads a BOM, CRLF, quoted newlines and unicode headers', async () => {
    const t = await loadTable(csv('ok.csv', '\uFEFFnaïve,"Größe\r\nm",日本\r\n1,"a\nb",x\r\n2,c,y\r\n'));
    expect(t.columns).toEqual(['naïve', 'Größe\r\nm', '日本']);
    expect(t.rows).toEqual([
      ['1', 'a\nb', 'x'],
      ['2', 'c', 'y'],
    ]);
  });
  it('refuses duplicate and empty header names, and a ragged row, naming them', async () => {
    await refuse(
      () => loadTable(csv('dup.csv', 'a,b,a\n1,2,3\n')),
      'E_DATA',
      /duplicate column name 'a' \(columns 1 and 3\)/,
    );
    await refuse(() => loadTable(csv('empty.csv', 'a,,c\n1,2,3\n')), 'E_DATA', /column 2 has an empty name/);
    await refuse(
      () => loadTable(csv('ragged.csv', 'a,b\n1,2\n3\n')),
      'E_DATA',
      /line 3 has 1 fields, expected 2/,
    );
  });
  it('loads 5,000 columns and a 10 MB single line', async () => {
    const cols = Array.from({ length: 5000 }, (_, i) => `c${i}`);
    const wide = await loadTable(
      csv('wide.csv', `${cols.join(',')}\n${cols.map((_, i) => i % 7).join(',')}\n`),
    );
    expect(wide.columns).toHaveLength(5000);
    const big = 'x'.repeat(10 * 1024 * 1024);
    const long = await loadTable(csv('long.csv', `a,b\n1,${big}\n`));
    expect((long.rows[0]![1] as string).length).toBe(big.length);
    // A 10 MB line as the header is refused at once (csv-parse would take about a second per MB on it).
    const t0 = performance.now();
    await refuse(
      () => loadTable(csv('oneline.csv', big)),
      'E_DATA',
      /the header line is 10485760 characters long, more than 1048576/,
    );
    expect(performance.now() - t0).toBeLessThan(2000);
  });
  it('refuses a directory, /dev/zero, a FIFO and a file over the size limit — without hanging', async () => {
    const sub = join(dir, 'adir');
    mkdirSync(sub);
    await refuse(() => loadTable(sub), 'E_DATA', /is a directory/);
    await refuse(() => loadTable('/dev/zero'), 'E_DATA', /\/dev\/zero: is not a regular file/);
    await refuse(
      () => loadTable(csv('big.csv', 'a,b\n1,2\n'), { maxBytes: 4 }),
      'E_DATA',
      /larger than the limit of 4 bytes/,
    );
    await refuse(() => loadStudyConfig('/dev/zero'), 'E_CONFIG', /is not a regular file/);
  });
  it("a YAML bomb (anchors and aliases) is refused by the parser's alias limit", async () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const p = join(dir, 'bomb.yaml');
    writeFileSync(p, `name: bomb\n${levels.join('\n')}\n`);
    const t0 = performance.now();
    await refuse(() => loadStudyConfig(p), 'E_CONFIG', /not valid YAML: .*(alias|resource exhaustion)/i);
    expect(performance.now() - t0).toBeLessThan(5000);
    // A few aliases under the limit are fine (they are plain YAML).
    const q = join(dir, 'few.yaml');
    writeFileSync(
      q,
      'name: few\ndataset: d.csv\nsplit: &s { kind: holdout, train: 0.6, validation: 0.2, test: 0.2 }\nx: *s\n',
    );
    await refuse(() => loadStudyConfig(q), 'E_CONFIG', /unknown field\(s\) 'x'/);
  });
  it("a dataset or module path that climbs out of the config's folder is refused; an absolute one is allowed", async () => {
    const sub = join(dir, 'project');
    mkdirSync(sub, { recursive: true });
    const p = join(sub, 'up.yaml');
    writeFileSync(p, 'name: up\ndataset: ../../etc/passwd\ntarget: x\n');
    await refuse(
      () => loadStudyConfig(p),
      'E_CONFIG',
      /dataset: '\.\.\/\.\.\/etc\/passwd' climbs out of the config's folder/,
    );
    writeFileSync(
      p,
      'name: up\nobjective: { module: sub/../../obj.mjs }\ndirection: minimize\nspace: { x: { type: float, low: 0, high: 1 } }\n',
    );
    await refuse(
      () => loadStudyConfig(p),
      'E_CONFIG',
      /objective\.module: 'sub\/\.\.\/\.\.\/obj\.mjs' climbs out/,
    );
    writeFileSync(p, `name: up\ndataset: ${join(dir, 'ok.csv')}\ntarget: x\n`);
    expect(loadStudyConfig(p).resolved.dataset).toBe(join(dir, 'ok.csv'));
    writeFileSync(p, 'name: up\ndataset: data/../d.csv\ntarget: x\n');
    expect(loadStudyConfig(p).resolved.dataset).toBe(join(sub, 'd.csv'));
  });
});
