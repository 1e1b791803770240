import { describe, expect, it } from 'vitest';
import { cli, oneLine } from '../helpers/cli.js';

/** Bad usage: one line of our own on stderr, exit 2, nothing of Node's parseArgs wording. */
async function refused(args: string[]): Promise<string> {
  const r = await cli(args);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).not.toMatch(/parseArgs|ERR_PARSE_ARGS|place it at the end|as in '--|ambiguous/);
  return oneLine(r);
}

describe('did you mean', () => {
  it('suggests the nearest command by edit distance', async () => {
    expect(await refused(['serch', 'x.yaml'])).toBe(
      "lockstep: unknown command 'serch'; did you mean 'search'?",
    );
    expect(await refused(['exprot'])).toBe("lockstep: unknown command 'exprot'; did you mean 'export'?");
    expect(await refused(['help', 'replya'])).toBe(
      "lockstep: unknown command 'replya'; did you mean 'replay'?",
    );
  });

  it('lists the commands when none is near', async () => {
    const line = await refused(['xyzzy']);
    expect(line).toMatch(/^lockstep: unknown command 'xyzzy' \(known: train, search, .*\)$/);
    expect(line).not.toMatch(/did you mean/);
  });

  it('suggests the nearest option of the command', async () => {
    expect(await refused(['search', 'x.yaml', '--wokers', '2'])).toBe(
      "lockstep: unknown option '--wokers'; did you mean '--workers'?",
    );
    expect(await refused(['export', 'l.jsonl', '--fromat', 'csv'])).toBe(
      "lockstep: unknown option '--fromat'; did you mean '--format'?",
    );
    expect(await refused(['replay', 'abcd1234-1', '--allow_close'])).toBe(
      "lockstep: unknown option '--allow_close'; did you mean '--allow-close'?",
    );
  });

  it("names the command's options when none is near", async () => {
    expect(await refused(['show', 'l.jsonl', '--verbose'])).toBe(
      "lockstep: unknown option '--verbose' (lockstep show takes --json; see 'lockstep show --help')",
    );
    expect(await refused(['search', 'x.yaml', '-x'])).toMatch(
      /^lockstep: unknown option '-x' \(lockstep search takes --workers, --trials/,
    );
  });
});

describe('one-line usage errors of our own', () => {
  it('an option without its value', async () => {
    expect(await refused(['search', 'x.yaml', '--workers'])).toBe(
      "lockstep: option '--workers' needs a value (--workers N)",
    );
    // The next word is another option, not the value.
    expect(await refused(['search', 'x.yaml', '--workers', '--json'])).toBe(
      "lockstep: option '--workers' needs a value (--workers N)",
    );
  });

  it('a value given to a flag', async () => {
    expect(await refused(['show', 'l.jsonl', '--json=yes'])).toBe("lockstep: option '--json' takes no value");
  });

  it('an unexpected argument', async () => {
    expect(await refused(['env', 'extra'])).toBe(
      "lockstep: unexpected argument 'extra' (usage: lockstep env [options]; see 'lockstep env --help')",
    );
    expect(await refused(['search', 'a.yaml', 'b.yaml'])).toBe(
      "lockstep: unexpected argument 'b.yaml' (usage: lockstep search <config> [options]; see 'lockstep search --help')",
    );
  });

  it('a value that begins with a dash is still a value where a number is expected', async () => {
    const line = await refused(['train', 'x.yaml', '--seed', '-1']);
    expect(line).toMatch(/--seed: expected an integer from 0, but got '-1'/);
  });

  it('an argument after -- is a positional, even when it looks like an option', async () => {
    expect(await refused(['env', '--', '--json'])).toMatch(/^lockstep: unexpected argument '--json'/);
  });
});
