import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, jsonOut, oneLine, smallCsv, tempDir, writeFiles } from '../helpers/cli.js';

const PARAMS =
  'params: { layers: 2, units: 16, dropout: 0.2, optimizer: adam, learning_rate: 0.01, batch_size: 16, epochs: 4 }\n';

describe('train: one configuration, bit for bit', () => {
  let dir: string;
  let cfg: string;
  beforeAll(() => {
    dir = tempDir();
    writeFiles(dir, { 'data.csv': smallCsv(200, 11) });
    cfg = join(dir, 'study.yaml');
    writeFileSync(cfg, `name: t\nseed: 5\ndataset: data.csv\ntarget: label\n${PARAMS}`);
  });

  it('gives the same weights hash and metrics in two separate processes, and another hash for another seed', async () => {
    const a = await cli(['train', cfg, '--json', '--out', join(dir, 'a')]);
    const b = await cli(['train', cfg, '--json', '--out', join(dir, 'b')]);
    const c = await cli(['train', cfg, '--json', '--seed', '6', '--out', join(dir, 'c')]);
    for (const r of [a, b, c]) expect(r.code, r.stderr).toBe(0);
    const [ja, jb, jc] = [jsonOut(a), jsonOut(b), jsonOut(c)];
    expect(ja.weightsHash).toMatch(/^[0-9a-f]{64}$/);
    expect(jb.weightsHash).toBe(ja.weightsHash);
    expect(jb.metrics).toEqual(ja.metrics);
    expect(jb.score).toBe(ja.score);
    expect(jc.weightsHash).not.toBe(ja.weightsHash);
    expect(typeof ja.score).toBe('number');
    // The export: model.json + weights + metadata that says how it was made.
    const meta = JSON.parse(readFileSync(join(dir, 'a', 'metadata.json'), 'utf8'));
    expect(meta.seed).toBe(5);
    expect(meta.weightsHash).toBe(ja.weightsHash);
    expect(meta.dataset.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(meta.environment.tfjs).toBe('4.22.0');
    expect(existsSync(join(dir, 'a', 'model.json'))).toBe(true);
  });

  it('--params overrides the config and is validated', async () => {
    const r = await cli(['train', cfg, '--json', '--params', '{"units": 0}', '--out', join(dir, 'x')]);
    expect(r.code).toBe(2);
    expect(oneLine(r)).toMatch(/units.*>= 1.*0/);
  });
});

describe('train: bad input gets one clear line naming the file, column or field, and exit 2', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
  });
  const run = async (name: string, csv: string | null, extra = '') => {
    const cfg = join(dir, `${name}.yaml`);
    if (csv !== null) writeFileSync(join(dir, `${name}.csv`), csv);
    writeFileSync(cfg, `name: ${name}\ndataset: ${name}.csv\ntarget: label\n${PARAMS}${extra}`);
    const r = await cli(['train', cfg, '--out', join(dir, 'out', name)]);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    return oneLine(r);
  };

  it('a missing dataset file', async () => expect(await run('missing', null)).toMatch(/missing\.csv/));
  it('a missing config file', async () => {
    const r = await cli(['train', join(dir, 'nope.yaml')]);
    expect(r.code).toBe(2);
    expect(oneLine(r)).toMatch(/nope\.yaml/);
  });
  it('an unknown target column', async () =>
    expect(await run('notarget', 'a,b\n1,2\n3,4\n')).toMatch(/notarget\.csv.*'label'.*a, b/));
  it('an empty CSV', async () => expect(await run('empty', '')).toMatch(/empty\.csv.*empty/));
  it('a header-only CSV', async () =>
    expect(await run('header', 'a,b,label\n')).toMatch(/header\.csv.*no rows/));
  it('a text value in a numeric column', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => `${i === 17 ? 'abc' : i / 10},${i % 2 ? 'x' : 'y'}`);
    expect(await run('textnum', `a,label\n${rows.join('\n')}\n`, 'columns: { a: numeric }\n')).toMatch(
      /textnum\.csv.*'a'.*'abc'.*not a number/,
    );
  });
  it('a target with one class', async () => {
    const rows = Array.from({ length: 20 }, (_, i) => `${i},same`);
    expect(await run('oneclass', `a,label\n${rows.join('\n')}\n`)).toMatch(
      /oneclass\.csv.*'label'.*one class/,
    );
  });
  it('an invalid parameter', async () => {
    writeFileSync(join(dir, 'p.csv'), smallCsv(40, 2));
    const cfg = join(dir, 'p.yaml');
    writeFileSync(cfg, 'name: p\ndataset: p.csv\ntarget: label\nparams: { units_1: 0 }\n');
    const r = await cli(['train', cfg]);
    expect(r.code).toBe(2);
    expect(oneLine(r)).toMatch(/units_1.*0/);
  });
  it('an unknown command and a bad option', async () => {
    const r = await cli(['trian']);
    expect(r.code).toBe(2);
    expect(oneLine(r)).toMatch(/unknown command 'trian'/);
    const r2 = await cli(['train', 'x.yaml', '--seed', 'abc']);
    expect(r2.code).toBe(2);
    expect(oneLine(r2)).toMatch(/--seed.*abc/);
  });
});
