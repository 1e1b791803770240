import { errorLine, LockstepError } from '../errors.js';
import { didYouMean, parseCommandArgs } from './args.js';
import { printable } from './printable.js';

/**
 * One option of a command, as its help shows it. `value` names what a string option takes (`N`, `DIR`…);
 * `default` says what holds without the option, in the user's terms; `required` marks an option that
 * must be given (it has no default).
 */
interface OptionSpec {
  type: 'string' | 'boolean';
  value?: string;
  help: string;
  default?: string;
  required?: boolean;
}

/** Every subcommand: its help (usage, arguments, options, an example) and a lazily loaded implementation. */
interface Command {
  summary: string;
  /** The usage lines, without the options (`[options]` stands for them). */
  usage: string[];
  /** The positional arguments, as `[name, meaning]`. */
  args: [string, string][];
  /** How many positional arguments the command takes at most (a subcommand word counts). */
  maxPositionals: number;
  options: Record<string, OptionSpec>;
  example: string;
  load: () => Promise<{
    run: (args: { positionals: string[]; values: Record<string, unknown> }) => Promise<number>;
  }>;
}

const json = (what: string): OptionSpec => ({
  type: 'boolean',
  help: `print ${what} as one JSON line on stdout (messages go to stderr)`,
  default: 'off',
});

export const COMMANDS: Record<string, Command> = {
  train: {
    summary: 'train one configuration and export its model',
    usage: ['lockstep train <config> [options]'],
    maxPositionals: 1,
    args: [['<config>', 'the study config (YAML or JSON): its dataset, split, metric and params']],
    options: {
      params: {
        type: 'string',
        value: 'JSON',
        help: "the parameters as a JSON object, laid over the config's params",
        default: "the config's params",
      },
      seed: { type: 'string', value: 'N', help: 'the training seed', default: "the config's seed" },
      out: {
        type: 'string',
        value: 'DIR',
        help: 'the folder the model is exported to',
        default: 'runs/<name>/train-<seed>',
      },
      backend: {
        type: 'string',
        value: 'NAME',
        help: 'the numeric backend: wasm, cpu or tensorflow',
        default: "the config's backend (wasm)",
      },
      trial: {
        type: 'string',
        value: 'ID',
        help: 'retrain this trial of the study (id or index) as its refit does — train + validation, scored on the test split — e.g. a Pareto front member; the model goes to <study folder>/trial-<index>',
        default: 'off: train --params on the training split',
      },
      ledger: {
        type: 'string',
        value: 'PATH',
        help: 'with --trial: the study ledger',
        default: "the config's ledger, else runs/<name>/ledger.jsonl",
      },
      json: json('{score, metrics, weightsHash, modelDir, …}'),
    },
    example: 'lockstep train configs/penguins.yaml --params \'{"layers":2,"units_1":64}\' --seed 1',
    load: () => import('./train.js'),
  },
  search: {
    summary: 'run (or resume) a study',
    usage: ['lockstep search <config> [options]'],
    maxPositionals: 1,
    args: [['<config>', 'the study config (YAML or JSON); its ledger is resumed when it exists']],
    options: {
      workers: {
        type: 'string',
        value: 'N',
        help: 'worker threads training trials at once; the results are the same for any N',
        default: "the config's parallelism, at most the CPU cores",
      },
      trials: {
        type: 'string',
        value: 'N',
        help: "the trial budget, overriding the config's; a larger one extends a finished study",
        default: "the config's budget.trials",
      },
      out: {
        type: 'string',
        value: 'DIR',
        help: 'the folder <name>/ is written under (ledger, log, best model)',
        default: 'runs',
      },
      ledger: {
        type: 'string',
        value: 'PATH|URL',
        help: 'the ledger: a file, or a postgres:// URL that other workers can join',
        default: "the config's ledger, else <out>/<name>/ledger.jsonl",
      },
      json: json('{study, digest, ledger, trials, best, …}'),
    },
    example: 'lockstep search configs/penguins.yaml --workers 2',
    load: () => import('./search.js'),
  },
  worker: {
    summary: 'run a study’s trials with other workers, through a shared PostgreSQL ledger',
    usage: ['lockstep worker <config-or-study-key> --ledger postgres://… [options]'],
    maxPositionals: 1,
    args: [
      [
        '<config-or-study-key>',
        'a study config (the study is created when it is new), or the key or name of a study in the ledger',
      ],
    ],
    options: {
      ledger: {
        type: 'string',
        value: 'URL',
        help: 'the shared ledger, a postgres:// URL (?study=<key or name> picks a study)',
        required: true,
      },
      workers: { type: 'string', value: 'N', help: 'trials this process trains at once', default: '1' },
      dataset: {
        type: 'string',
        value: 'PATH',
        help: 'the dataset, when it is elsewhere on this machine (its SHA-256 must be the study’s)',
        default: "the config's dataset, or the path the study recorded",
      },
      lease: {
        type: 'string',
        value: 'SECONDS',
        help: 'how long a claimed trial stays claimed without renewal, before another worker takes it',
        default: '30',
      },
      trials: {
        type: 'string',
        value: 'N',
        help: "the trial budget, overriding the config's or the study's",
        default: "the config's budget.trials, or the study's",
      },
      out: {
        type: 'string',
        value: 'DIR',
        help: 'the folder <name>/best (the refit model) is written under',
        default: 'runs',
      },
      json: json('{study, key, digest, trials, ran, best, …}'),
    },
    example: "lockstep worker configs/penguins.yaml --ledger 'postgres://user@db-host/lockstep' --workers 2",
    load: () => import('./worker.js'),
  },
  ledger: {
    summary: 'copy a study between ledger storages (file, PostgreSQL)',
    usage: ['lockstep ledger copy <from> <to> [options]'],
    maxPositionals: 3,
    args: [
      ['<from>', 'the ledger to copy: a file or a postgres:// URL'],
      ['<to>', 'where to: a new file or a postgres:// URL (the same bytes, the same digest)'],
    ],
    options: { json: json('{from, to, lines, digest}') },
    example: "lockstep ledger copy runs/penguins/ledger.jsonl 'postgres://user@db-host/lockstep'",
    load: () => import('./ledger.js'),
  },
  replay: {
    summary: 'retrain one trial and compare every recorded number',
    usage: ['lockstep replay <trial-id> [options]'],
    maxPositionals: 1,
    args: [['<trial-id>', "the trial's ID, as search and show print it (e.g. 1a2b3c4d-7)"]],
    options: {
      ledger: {
        type: 'string',
        value: 'PATH|URL',
        help: 'the ledger that records the trial',
        default: "the ledger under runs/ whose study key begins with the ID's",
      },
      dataset: {
        type: 'string',
        value: 'PATH',
        help: 'the dataset, when it has moved since the study was recorded (its SHA-256 must match)',
        default: 'the path the study recorded',
      },
      'allow-close': {
        type: 'boolean',
        help: "exit 0 for 'close' too (equal within tolerance, as on another backend or platform)",
        default: "off: only 'exact' exits 0",
      },
      json: json('{verdict, recorded, replayed, difference, …}'),
    },
    example: 'lockstep replay 1a2b3c4d-7 --ledger runs/penguins/ledger.jsonl',
    load: () => import('./replay.js'),
  },
  predict: {
    summary: 'predict a CSV or JSON file with a saved model (runs/<study>/best), its preprocessing applied',
    usage: ['lockstep predict <model-dir> <csv|tsv|json> [options]'],
    maxPositionals: 2,
    args: [
      ['<model-dir>', 'a model lockstep exported (runs/<name>/best, or train --out)'],
      ['<csv|tsv|json>', 'the rows to predict, with the columns the model was trained on'],
    ],
    options: {
      out: {
        type: 'string',
        value: 'FILE',
        help: 'write the predictions to FILE (JSON when it ends in .json, else CSV)',
        default: 'CSV on stdout',
      },
      proba: {
        type: 'boolean',
        help: 'add a p_<class> column per class (classification)',
        default: 'off',
      },
      json: json('{rows, task, predictions, metrics, …}'),
    },
    example: 'lockstep predict runs/penguins/best new-penguins.csv --proba --out predictions.csv',
    load: () => import('./predict.js'),
  },
  show: {
    summary: 'print a study’s trials and its best',
    usage: ['lockstep show <ledger> [options]'],
    maxPositionals: 1,
    args: [['<ledger>', 'a ledger file or a postgres:// URL']],
    options: { json: json('{study, metric, digest, counts, best, trials, …}') },
    example: 'lockstep show runs/penguins/ledger.jsonl',
    load: () => import('./show.js'),
  },
  export: {
    summary: 'export a study’s trials as CSV or JSON',
    usage: ['lockstep export <ledger> [options]'],
    maxPositionals: 1,
    args: [['<ledger>', 'a ledger file or a postgres:// URL']],
    options: {
      format: { type: 'string', value: 'csv|json', help: 'the output format', default: 'csv' },
      out: { type: 'string', value: 'FILE', help: 'write to FILE', default: 'stdout' },
    },
    example: 'lockstep export runs/penguins/ledger.jsonl --format csv --out trials.csv',
    load: () => import('./export.js'),
  },
  verify: {
    summary: 'check that a ledger is what its own config gives: chain, params, pruner, replays',
    usage: ['lockstep verify <ledger> [options]'],
    maxPositionals: 1,
    args: [['<ledger>', 'a ledger file or a postgres:// URL']],
    options: {
      replay: {
        type: 'string',
        value: 'N|all',
        help: "how many trials to replay besides the best trial and the refit (always replayed); each must be 'exact'",
        default: 'all',
      },
      seed: {
        type: 'string',
        value: 'S',
        help: 'the seed that chooses the N replays (printed, so that a run can be repeated)',
        default: 'a fresh one from the OS',
      },
      dataset: {
        type: 'string',
        value: 'PATH',
        help: 'the dataset for the replays, when it has moved (its SHA-256 must match)',
        default: 'the path the study recorded',
      },
      json: json('{ok, digest, problems, seed, best, environmentFailures, replays, refit, …}'),
    },
    example: 'lockstep verify runs/penguins/ledger.jsonl --replay 3 --seed 42',
    load: () => import('./verify.js'),
  },
  bench: {
    summary: 'benchmark search strategies on test functions and tabulated problems',
    usage: ['lockstep bench <suite.yaml> [options]', 'lockstep bench build-table <spec.yaml> [--out FILE]'],
    maxPositionals: 2,
    args: [
      ['<suite.yaml>', 'the problems, strategies, seeds and budget to run'],
      ['<spec.yaml>', 'the grid of MLP configurations to tabulate (build-table)'],
    ],
    options: {
      workers: { type: 'string', value: 'N', help: 'runs at once', default: 'the CPU cores' },
      out: {
        type: 'string',
        value: 'DIR|FILE',
        help: 'the output folder (results.json, summary.md, report.html); for build-table, the table file',
        default: 'runs/bench-<suite name>; for build-table, <spec folder>/<name>.json',
      },
      json: json('{out, files, wallMs, ranks, wins}'),
    },
    example: 'lockstep bench benchmarks/synthetic.yaml --workers 2',
    load: () => import('./bench.js'),
  },
  env: {
    summary: 'print this machine’s fingerprint',
    usage: ['lockstep env [options]'],
    maxPositionals: 0,
    args: [],
    options: { json: json('the fingerprint (lockstep, Node, tfjs, backend, platform, CPU)') },
    example: 'lockstep env --json',
    load: () => import('./env.js'),
  },
  report: {
    summary: 'write a study’s self-contained HTML report',
    usage: ['lockstep report <ledger> [options]'],
    maxPositionals: 1,
    args: [['<ledger>', 'a ledger file or a postgres:// URL']],
    options: {
      out: {
        type: 'string',
        value: 'FILE',
        help: 'the HTML file to write',
        default: '<ledger dir>/report.html',
      },
      json: json('{report, bytes, trials}'),
    },
    example: 'lockstep report runs/penguins/ledger.jsonl --out penguins.html',
    load: () => import('./report.js'),
  },
  dashboard: {
    summary: 'serve a study’s report on 127.0.0.1, updated as the ledger grows',
    usage: ['lockstep dashboard <ledger> [options]'],
    maxPositionals: 1,
    args: [['<ledger>', 'a ledger file or a postgres:// URL']],
    options: {
      port: { type: 'string', value: 'N', help: 'the port on 127.0.0.1 (0: any free port)', default: '4320' },
    },
    example: 'lockstep dashboard runs/penguins/ledger.jsonl --port 4321',
    load: () => import('./dashboard.js'),
  },
  'export-env': {
    summary: 'write a Dockerfile, lockfile and replay script that rebuild a study’s recorded environment',
    usage: ['lockstep export-env <ledger> [options]'],
    maxPositionals: 1,
    args: [['<ledger>', 'a ledger file or a postgres:// URL']],
    options: {
      out: { type: 'string', value: 'DIR', help: 'the folder to write', default: '<ledger dir>/env' },
      lockfile: {
        type: 'string',
        value: 'FILE',
        help: 'the package-lock.json that pins the dependencies',
        default: "the installed lockstep's own",
      },
      json: json('{dir, files, node, best, warnings}'),
    },
    example: 'lockstep export-env runs/penguins/ledger.jsonl --out penguins-env',
    load: () => import('./export-env.js'),
  },
};

/** The width help text is wrapped to. */
const HELP_WIDTH = 80;

/** `text` in lines of at most `width` characters (a longer word stays whole), after a hanging indent. */
function wrap(text: string, indent: number, width = HELP_WIDTH): string {
  const room = Math.max(20, width - indent);
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > room) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines.join(`\n${' '.repeat(indent)}`);
}

/** Rows of `  label  text`, the texts aligned and wrapped. */
function table(rows: [string, string][]): string {
  const w = Math.max(...rows.map(([l]) => l.length));
  return rows.map(([l, t]) => `  ${l.padEnd(w)}  ${wrap(t, w + 4)}`).join('\n');
}

/** A command's help: its usage, arguments, every option with its meaning and default, and an example. */
export function commandHelp(name: string, c: Command): string {
  const options: [string, string][] = Object.entries(c.options).map(([k, o]) => [
    `--${k}${o.value === undefined ? '' : ` ${o.value}`}`,
    `${o.help} (${o.required ? 'required' : `default: ${o.default ?? 'off'}`})`,
  ]);
  options.push(['-h, --help', 'print this help']);
  const parts = [
    `lockstep ${name} — ${c.summary}`,
    `Usage: ${c.usage.join(`\n${' '.repeat('Usage: '.length)}`)}`,
    ...(c.args.length > 0 ? [`Arguments:\n${table(c.args)}`] : []),
    `Options:\n${table(options)}`,
    `Example:\n  ${c.example}`,
  ];
  return `${parts.join('\n\n')}\n`;
}

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  const lines = Object.entries(COMMANDS).map(([k, c]) => `  ${k.padEnd(width)}  ${c.summary}`);
  return `lockstep — reproducible hyperparameter search for neural networks on tabular data\n\nUsage: lockstep <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun 'lockstep help <command>' (or 'lockstep <command> --help') for its options, their defaults and an example.\n`;
}

/**
 * A reader that goes away (`lockstep show | head -1`) is no error of ours: once stdout or stderr says
 * EPIPE, what is still to be written there is dropped, and the command finishes its work (a search is
 * not cut short by a closed pipe) and exits with its own code, without a stack trace.
 */
function dropOutputOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    stream.destroy();
  });
}

/** Parses argv and runs a command; returns the exit code. Known errors print as one line. */
export async function main(argv: string[]): Promise<number> {
  dropOutputOnClosedPipe(process.stdout);
  dropOutputOnClosedPipe(process.stderr);
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || (name === 'help' && rest.length === 0)) {
    process.stdout.write(help());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    const { version } = await import('../version.js');
    process.stdout.write(`${version}\n`);
    return 0;
  }
  // `lockstep help <command>` is `lockstep <command> --help`.
  const commandName = name === 'help' ? rest[0]! : name;
  const command = Object.hasOwn(COMMANDS, commandName) ? COMMANDS[commandName] : undefined;
  if (!command) {
    const near = didYouMean(commandName, Object.keys(COMMANDS));
    process.stderr.write(
      `lockstep: unknown command '${printable(commandName)}'${near === undefined ? ` (known: ${Object.keys(COMMANDS).join(', ')})` : `; did you mean '${near}'?`}\n`,
    );
    return 2;
  }
  const beforeTerminator = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
  if (name === 'help' || beforeTerminator.includes('--help') || beforeTerminator.includes('-h')) {
    process.stdout.write(commandHelp(commandName, command));
    return 0;
  }
  try {
    const parsed = parseCommandArgs(
      commandName,
      rest,
      command.options,
      command.maxPositionals,
      command.usage.join(' | '),
    );
    const impl = await command.load();
    return await impl.run(parsed);
  } catch (e) {
    if (e instanceof LockstepError) {
      process.stderr.write(`lockstep: ${printable(errorLine(e))}\n`);
      if (process.env.LOCKSTEP_DEBUG === '1' && e.stack) process.stderr.write(`${e.stack}\n`);
      return e.exitCode;
    }
    process.stderr.write(`lockstep: internal error: ${printable(errorLine(e))}\n`);
    if (e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
    return 1;
  }
}

const code = await main(process.argv.slice(2));
process.exitCode = code;
