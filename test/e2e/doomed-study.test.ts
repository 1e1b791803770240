/**
 * A study where no trial can succeed does not exit 0 in silence (issue 15, item 4): what can be checked
 * before the first trial is refused (one line naming the field, exit 2, no ledger); a study whose first
 * trials all fail with one error stops and prints it (exit 1); the summary counts the failures by error,
 * `show` has an error column, and a study with no complete trial exits 1. Real processes, real files.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, jsonOut, oneLine, tempDir } from '../helpers/cli.js';

/** A regression table: y is a function of a and b. */
function regressionCsv(rows = 80): string {
  const lines = ['a,b,y'];
  for (let i = 0; i < rows; i++) {
    const a = ((i * 37) % 100) / 100;
    const b = ((i * 61) % 100) / 100;
    lines.push(`${a},${b},${(2 * a + b).toFixed(4)}`);
  }
  return `${lines.join('\n')}\n`;
}

const MLP = `dataset: reg.csv\ntarget: y\nsampler: random\nbudget: { trials: 3 }\n`;

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

describe('a study that cannot succeed', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir('lockstep-doomed-');
    writeFileSync(join(dir, 'reg.csv'), regressionCsv());
    // Fails every trial with one error, which no check before the first trial can see.
    writeFileSync(
      join(dir, 'always.mjs'),
      "export function objective() { throw new Error('the objective needs a GPU'); }\n",
    );
    // Fails every trial, with one of two errors; the long one holds a terminal colour sequence.
    writeFileSync(
      join(dir, 'two-ways.mjs'),
      `export function objective(params, context) {
  if (context.index % 2 === 0) throw new Error('even \\u001b[31mred\\u001b[0m ' + 'x'.repeat(100));
  throw new Error('odd');
}\n`,
    );
  });

  const write = (name: string, text: string) => {
    const path = join(dir, `${name}.yaml`);
    writeFileSync(path, `name: ${name}\n${text}`);
    return path;
  };

  it.each([
    [
      'metric accuracy on a regression target',
      'acc',
      `${MLP}metric: accuracy\nspace: { learning_rate: { type: float, low: 0.001, high: 0.1, log: true }, epochs: 2 }\n`,
      "metric: 'accuracy' does not apply to a regression task; expected one of rmse, mae, r2",
    ],
    [
      'batch_size: 0 as a fixed parameter',
      'bs',
      `${MLP}space: { learning_rate: 0.01, batch_size: 0, epochs: 2 }\n`,
      'space.batch_size: expected an integer >= 1, got 0',
    ],
    [
      'an unknown parameter name (lr for learning_rate)',
      'lr',
      `${MLP}space: { lr: { type: float, low: 0.0001, high: 0.1, log: true }, epochs: 2 }\n`,
      'space.lr: not a parameter of the built-in MLP; expected one of layers, units, activation, dropout, l2, optimizer, init, learning_rate, momentum, batch_size, epochs, units_1..units_8',
    ],
  ])(
    'is refused before the first trial: %s (one line, exit 2, no ledger)',
    async (_what, name, text, why) => {
      const cfg = write(name, text);
      const out = join(dir, `out-${name}`);
      const r = await cli(['search', cfg, '--out', out]);
      expect(r.code, r.stdout + r.stderr).toBe(2);
      expect(oneLine(r)).toBe(`lockstep: ${cfg}: ${why}`);
      expect(existsSync(join(out, name, 'ledger.jsonl'))).toBe(false);
    },
  );

  // The space is checked against the MLP's parameters before the data is read: nothing is written at all.
  it.each([
    [
      'init: { type: fixed, value: nope }',
      'initfixed',
      `${MLP}space: { init: { type: fixed, value: nope }, learning_rate: 0.01, epochs: 2 }\n`,
      'space.init: expected one of torch, he, got "nope"',
    ],
    [
      'init: a categorical with no valid choice',
      'initcat',
      `${MLP}space: { init: [xavier, lecun], learning_rate: 0.01, epochs: 2 }\n`,
      'space.init: no choice is valid: expected one of torch, he, got "xavier"',
    ],
  ])(
    'is refused before anything is written: %s (one line, exit 2, no output folder)',
    async (_what, name, text, why) => {
      const cfg = write(name, text);
      const out = join(dir, `out-${name}`);
      const r = await cli(['search', cfg, '--out', out]);
      expect(r.code, r.stdout + r.stderr).toBe(2);
      expect(oneLine(r)).toBe(`lockstep: ${cfg}: ${why}`);
      expect(r.stdout).toBe('');
      expect(existsSync(out)).toBe(false);
    },
  );

  it('stops when its first trials all fail with one error, prints it (exit 1), and a resume runs nothing', async () => {
    const cfg = write(
      'always',
      'objective: { module: ./always.mjs }\ndirection: minimize\nbackend: cpu\nsampler: random\nparallelism: 1\nbudget: { trials: 20 }\nspace: { x: { type: float, low: 0, high: 1 } }\n',
    );
    const out = join(dir, 'out-always');
    const args = ['search', cfg, '--workers', '1', '--out', out];
    const r = await cli(args);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(oneLine(r)).toBe(
      'lockstep: study always stopped: its first trials all failed with the same error: Error: the objective needs a GPU',
    );
    expect(r.stdout).toContain('failures:\n  5 × Error: the objective needs a GPU\n');
    const ledger = join(out, 'always', 'ledger.jsonl');
    const finished = () =>
      readFileSync(ledger, 'utf8')
        .split('\n')
        .filter((l) => l.includes('"trial.finished"'));
    expect(finished()).toHaveLength(5);

    // Not "stopped before the budget; run the same command again": that would give up again.
    expect(r.stdout).not.toMatch(/run the same command again/);

    const again = await cli(args);
    expect(again.code, again.stderr).toBe(1);
    expect(oneLine(again)).toMatch(
      /its first trials all failed with the same error: Error: the objective needs a GPU$/,
    );
    expect(finished()).toHaveLength(5);

    // With a budget of 3 it gives up after the last trial: the study is not stopped before its budget.
    const three = await cli([
      'search',
      cfg,
      '--workers',
      '1',
      '--out',
      join(dir, 'out-three'),
      '--trials',
      '3',
      '--json',
    ]);
    expect(three.code, three.stderr).toBe(1);
    expect(jsonOut(three)).toMatchObject({
      trials: 3,
      failed: 3,
      stopped: false,
      gaveUp: 'Error: the objective needs a GPU',
    });
  });

  it('with no complete trial exits 1, counting the failures by error; show has an error column, escaped and clipped', async () => {
    const cfg = write(
      'twoways',
      'objective: { module: ./two-ways.mjs }\ndirection: minimize\nbackend: cpu\nsampler: random\nparallelism: 1\nbudget: { trials: 5 }\nspace: { x: { type: float, low: 0, high: 1 } }\n',
    );
    const out = join(dir, 'out-twoways');
    const r = await cli(['search', cfg, '--workers', '1', '--out', out]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const even = `Error: even \\u001b[31mred\\u001b[0m ${'x'.repeat(100)}`;
    expect(r.stdout).toContain(`failures:\n  3 × ${even}\n  2 × Error: odd\n`);
    expect(r.stdout).not.toMatch(RAW);
    expect(oneLine(r)).toBe(
      `lockstep: study twoways: no trial completed (5 failed); most common failure: ${even}`,
    );

    const json = jsonOut(await cli(['search', cfg, '--workers', '1', '--out', out, '--json']));
    expect(json.failures).toEqual([
      { error: `Error: even \u001b[31mred\u001b[0m ${'x'.repeat(100)}`, cause: 'trial', count: 3 },
      { error: 'Error: odd', cause: 'trial', count: 2 },
    ]);

    const shown = await cli(['show', join(out, 'twoways', 'ledger.jsonl')]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).not.toMatch(RAW);
    const [header, ...rows] = shown.stdout.split('\n').slice(1);
    expect(header).toMatch(/\berror$/);
    // 60 characters of the error (the last an ellipsis), each control character then written as \uXXXX.
    const clipped = `Error: even \\u001b[31mred\\u001b[0m ${'x'.repeat(60 - 'Error: even \u001b[31mred\u001b[0m '.length - 1)}…`;
    expect(rows[0]).toMatch(new RegExp(`  ${clipped.replace(/[\\[\]]/g, '\\$&')}$`));
    expect(rows[1]).toMatch(/ {2}Error: odd$/);
  });
});
