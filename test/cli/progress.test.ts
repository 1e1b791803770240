import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProgressLine } from '../../src/cli/progress.js';
import { cli, jsonOut, smallCsv, tempDir, writeFiles } from '../helpers/cli.js';

/** A terminal of `columns` columns that records what is written to it. */
function fakeTerminal(columns: number | undefined) {
  const writes: string[] = [];
  const stream = {
    isTTY: true,
    columns,
    write: (s: string) => {
      writes.push(s);
      return true;
    },
  } as unknown as NodeJS.WriteStream;
  /** The lines as the terminal shows them: each \r\x1b[K rewrites the current line. */
  const shown = () =>
    writes
      .join('')
      .split('\n')
      .flatMap((l) => l.split('\r\x1b[K'))
      .filter((l) => l !== '');
  return { stream, writes, shown };
}

/** A clock the test moves (seconds). */
function clock() {
  let t = 0;
  return { now: () => t * 1000, set: (s: number) => (t = s) };
}

describe('ProgressLine on a terminal', () => {
  it('fits a 50-column terminal: 30 trials stay on one line, none longer than 49 columns', () => {
    const term = fakeTerminal(50);
    const c = clock();
    const p = new ProgressLine(term.stream, { now: c.now });
    for (let i = 1; i <= 30; i++) {
      c.set(i * 7.3);
      p.update(i, 30, 0.98529411764 - 1 / (i + 3), 'worker 2 of 2, trial abcd1234-17 pruned@3');
    }
    p.done();
    const text = term.writes.join('');
    expect(text.split('\n')).toHaveLength(2); // one line, ended by done()
    expect(text.endsWith('\n')).toBe(true);
    for (const line of term.shown()) expect(line.length, line).toBeLessThanOrEqual(49);
    expect(term.shown().at(-1)).toMatch(/30\/30/);
    expect(term.shown().at(-1)).toMatch(/best 0\.9/);
  });

  it('keeps every field on a wide terminal, and follows a resize', () => {
    const term = fakeTerminal(120);
    const c = clock();
    const p = new ProgressLine(term.stream, { now: c.now });
    c.set(5);
    p.update(1, 8, 0.5);
    c.set(10);
    p.update(2, 8, 0.5);
    const wide = term.shown().at(-1)!;
    expect(wide).toMatch(/^\[#{5}\.{15}\] 2\/8 trials {2}best 0\.50000 {2}10s elapsed {2}ETA 30s$/);
    (term.stream as { columns: number }).columns = 30;
    c.set(20);
    p.update(3, 8, 0.5);
    const narrow = term.shown().at(-1)!;
    expect(narrow.length).toBeLessThanOrEqual(29);
    expect(narrow).toMatch(/3\/8/);
    p.done();
  });

  it('after a resume, the rate counts only the trials of this run, and the ETA the ones left', () => {
    const term = fakeTerminal(120);
    const c = clock();
    const p = new ProgressLine(term.stream, { now: c.now });
    // 20 of 30 trials were done before this run; the first of this run finishes after 10 s.
    c.set(10);
    p.update(21, 30, 0.9);
    expect(term.shown().at(-1)).toMatch(/21\/30 trials .* 10s elapsed {2}ETA 1m30s$/);
    c.set(40);
    p.update(24, 30, 0.9); // 4 trials in 40 s: 6 left take 60 s
    expect(term.shown().at(-1)).toMatch(/24\/30 trials .* 40s elapsed {2}ETA 1m00s$/);
    p.done();
  });
});

describe('ProgressLine when stderr is not a terminal', () => {
  it('search prints a plain progress line every LOCKSTEP_PROGRESS_S seconds, and --json keeps stdout one JSON line', async () => {
    const dir = tempDir();
    writeFiles(dir, {
      'data.csv': smallCsv(160, 5),
      'p.yaml': `name: p\nseed: 3\ndataset: data.csv\ntarget: label\nsampler: random\nparallelism: 1\nbudget: { trials: 6 }\nspace:\n  layers: 1\n  units_1: { type: int, low: 4, high: 16 }\n  learning_rate: { type: float, low: 0.001, high: 0.1, log: true }\n  epochs: 4\n`,
    });
    const r = await cli(
      ['search', join(dir, 'p.yaml'), '--workers', '1', '--out', join(dir, 'runs'), '--json'],
      {
        env: { LOCKSTEP_PROGRESS_S: '0.05', LOCKSTEP_TEST_DELAY_MS: '150' },
      },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(jsonOut(r).trials).toBe(6);
    expect(r.stderr).not.toContain('\r');
    expect(r.stderr).not.toContain('\u001b');
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('lockstep: progress'));
    expect(lines.length, r.stderr).toBeGreaterThanOrEqual(3);
    for (const l of lines) {
      expect(l).toMatch(
        /^lockstep: progress (?:\d+\/6 trials {2}best (?:—|\d\S*) {2}\d+s elapsed {2}ETA \S+|waiting for the first trial, \d+s elapsed)$/,
      );
    }
    expect(
      lines.some((l) => /[1-6]\/6 trials/.test(l)),
      r.stderr,
    ).toBe(true);
  });
});
