import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';

/** Options each command accepts (its parser takes them), which its help must list. */
const OPTIONS: Record<string, string[]> = {
  train: ['params', 'seed', 'out', 'backend', 'json'],
  search: ['workers', 'trials', 'out', 'ledger', 'json'],
  worker: ['ledger', 'workers', 'dataset', 'lease', 'trials', 'out', 'json'],
  ledger: ['json'],
  replay: ['ledger', 'dataset', 'allow-close', 'json'],
  predict: ['out', 'proba', 'json'],
  show: ['json'],
  export: ['format', 'out'],
  verify: ['replay', 'dataset', 'json'],
  bench: ['workers', 'out', 'json'],
  env: ['json'],
  report: ['out', 'json'],
  dashboard: ['port'],
  'export-env': ['out', 'lockfile', 'json'],
};

/** The command names the general help lists. */
async function commandNames(): Promise<string[]> {
  const r = await cli(['--help']);
  const section = r.stdout.split('Commands:\n')[1]!.split('\n\n')[0]!;
  return section
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0]!)
    .filter((n) => n !== '');
}

/** The option entries of a command's help: `--name VALUE  meaning (default: …)`, continuation lines joined. */
function optionEntries(help: string): Map<string, string> {
  const section = help.split('\nOptions:\n')[1]?.split('\n\n')[0] ?? '';
  const entries = new Map<string, string>();
  let current: string | undefined;
  for (const line of section.split('\n')) {
    const m = /^ {2}(?:-\w, )?(--[\w-]+)/.exec(line);
    if (m) {
      current = m[1]!;
      entries.set(current, line.trim());
    } else if (current !== undefined && /^ {4,}\S/.test(line)) {
      entries.set(current, `${entries.get(current)} ${line.trim()}`);
    }
  }
  return entries;
}

describe('lockstep <command> --help', () => {
  it('search: the usage, each option with its meaning and default, and an example', async () => {
    const r = await cli(['search', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: lockstep search <config> \[options\]$/m);
    const options = optionEntries(r.stdout);
    expect([...options.keys()]).toEqual(['--workers', '--trials', '--out', '--ledger', '--json', '--help']);
    expect(options.get('--workers')).toMatch(/^--workers N\s+worker threads.*\(default: .*parallelism.*\)$/);
    expect(options.get('--trials')).toMatch(/^--trials N\s+.*\(default: .*budget\.trials\)$/);
    expect(options.get('--out')).toMatch(/^--out DIR\s+.*\(default: runs\)$/);
    expect(options.get('--ledger')).toMatch(
      /^--ledger PATH\|URL\s+.*postgres.*\(default: .*<out>\/<name>\/ledger\.jsonl\)$/,
    );
    expect(options.get('--json')).toMatch(/^--json\s+.*stdout.*\(default: off\)$/);
    expect(r.stdout).toMatch(/\nExample:\n {2}lockstep search configs\/penguins\.yaml/);
  });

  it('every command: every option it accepts, with a meaning and a default, and one example', async () => {
    const names = await commandNames();
    expect(names).toEqual(Object.keys(OPTIONS));
    const helps = await Promise.all(names.map((n) => cli([n, '--help'])));
    names.forEach((name, i) => {
      const r = helps[i]!;
      expect(r.code, name).toBe(0);
      expect(r.stdout, name).toMatch(new RegExp(`^Usage: lockstep ${name}\\b`, 'm'));
      const options = optionEntries(r.stdout);
      // The parser and the help read the same table; these options at least must be there (more may come).
      expect([...options.keys()], name).toEqual(expect.arrayContaining(OPTIONS[name]!.map((o) => `--${o}`)));
      expect([...options.keys()].at(-1), name).toBe('--help');
      for (const [o, text] of options) {
        if (o === '--help') continue;
        // A meaning (text after the option and its value name) and a default (or 'required').
        expect(text, `${name} ${o}`).toMatch(/^--[\w-]+(?: \S+)?\s{2,}\S.*\((?:default: .+|required)\)$/);
      }
      const example = r.stdout.split('\nExample:\n')[1];
      expect(example, name).toBeDefined();
      expect(example!.trim().split('\n')[0], name).toMatch(new RegExp(`^lockstep ${name}\\b`));
    });
  });

  it("help <command> prints that command's help, not the general one", async () => {
    const [viaHelp, viaOption, viaShort] = await Promise.all([
      cli(['help', 'search']),
      cli(['search', '--help']),
      cli(['search', '-h']),
    ]);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toBe(viaOption.stdout);
    expect(viaShort.stdout).toBe(viaOption.stdout);
    expect(viaHelp.stdout).not.toMatch(/Commands:/);
    expect(viaHelp.stdout).toMatch(/^Usage: lockstep search /m);
  });
});
