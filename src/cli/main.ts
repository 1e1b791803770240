import { type ParseArgsConfig, parseArgs } from 'node:util';
import { errorLine, LockstepError } from '../errors.js';
import { printable } from './printable.js';

/** Every subcommand: its options and a lazily loaded implementation. */
interface Command {
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  load: () => Promise<{
    run: (args: { positionals: string[]; values: Record<string, unknown> }) => Promise<number>;
  }>;
}

const json = { type: 'boolean' } as const;

export const COMMANDS: Record<string, Command> = {
  train: {
    summary: 'train one configuration and export its model',
    usage:
      'lockstep train <config> [--params JSON] [--seed N] [--out DIR] [--backend wasm|cpu|tensorflow] [--json]',
    options: {
      params: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      backend: { type: 'string' },
      json,
    },
    load: () => import('./train.js'),
  },
  search: {
    summary: 'run (or resume) a study',
    usage:
      'lockstep search <config> [--workers N] [--trials N] [--out DIR] [--ledger PATH|postgres://…] [--json]',
    options: {
      workers: { type: 'string' },
      trials: { type: 'string' },
      out: { type: 'string' },
      ledger: { type: 'string' },
      json,
    },
    load: () => import('./search.js'),
  },
  worker: {
    summary: 'run a study’s trials with other workers, through a shared PostgreSQL ledger',
    usage:
      'lockstep worker <config-or-study-key> --ledger postgres://… [--workers N] [--dataset PATH] [--lease SECONDS] [--trials N] [--out DIR] [--json]',
    options: {
      ledger: { type: 'string' },
      workers: { type: 'string' },
      dataset: { type: 'string' },
      lease: { type: 'string' },
      trials: { type: 'string' },
      out: { type: 'string' },
      json,
    },
    load: () => import('./worker.js'),
  },
  ledger: {
    summary: 'copy a study between ledger storages (file, PostgreSQL)',
    usage: 'lockstep ledger copy <from> <to> [--json]',
    options: { json },
    load: () => import('./ledger.js'),
  },
  replay: {
    summary: 'retrain one trial and compare every recorded number',
    usage: 'lockstep replay <trial-id> [--ledger PATH] [--dataset PATH] [--allow-close] [--json]',
    options: {
      ledger: { type: 'string' },
      dataset: { type: 'string' },
      'allow-close': { type: 'boolean' },
      json,
    },
    load: () => import('./replay.js'),
  },
  predict: {
    summary: 'predict a CSV or JSON file with a saved model (runs/<study>/best), its preprocessing applied',
    usage: 'lockstep predict <model-dir> <csv|tsv|json> [--out FILE] [--proba] [--json]',
    options: { out: { type: 'string' }, proba: { type: 'boolean' }, json },
    load: () => import('./predict.js'),
  },
  show: {
    summary: 'print a study’s trials and its best',
    usage: 'lockstep show <ledger> [--json]',
    options: { json },
    load: () => import('./show.js'),
  },
  export: {
    summary: 'export a study’s trials as CSV or JSON',
    usage: 'lockstep export <ledger> --format csv|json [--out FILE]',
    options: { format: { type: 'string' }, out: { type: 'string' } },
    load: () => import('./export.js'),
  },
  verify: {
    summary: 'check a ledger’s hash chain and digest, and replay N trials',
    usage: 'lockstep verify <ledger> [--replay N] [--json]',
    options: { replay: { type: 'string' }, dataset: { type: 'string' }, json },
    load: () => import('./verify.js'),
  },
  bench: {
    summary: 'benchmark search strategies on test functions and tabulated problems',
    usage:
      'lockstep bench <suite.yaml> [--workers N] [--out DIR] [--json] | lockstep bench build-table <spec.yaml> [--out FILE]',
    options: { workers: { type: 'string' }, out: { type: 'string' }, json },
    load: () => import('./bench.js'),
  },
  env: {
    summary: 'print this machine’s fingerprint',
    usage: 'lockstep env [--json]',
    options: { json },
    load: () => import('./env.js'),
  },
  report: {
    summary: 'write a study’s self-contained HTML report',
    usage: 'lockstep report <ledger> [--out FILE] [--json]',
    options: { out: { type: 'string' }, json },
    load: () => import('./report.js'),
  },
  dashboard: {
    summary: 'serve a study’s report on 127.0.0.1, updated as the ledger grows',
    usage: 'lockstep dashboard <ledger> [--port N]',
    options: { port: { type: 'string' } },
    load: () => import('./dashboard.js'),
  },
  'export-env': {
    summary: 'write a Dockerfile, lockfile and replay script that rebuild a study’s recorded environment',
    usage: 'lockstep export-env <ledger> [--out DIR] [--lockfile FILE] [--json]',
    options: { out: { type: 'string' }, lockfile: { type: 'string' }, json },
    load: () => import('./export-env.js'),
  },
};

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  const lines = Object.entries(COMMANDS).map(([k, c]) => `  ${k.padEnd(width)}  ${c.summary}`);
  return `lockstep — reproducible hyperparameter search for neural networks on tabular data\n\nUsage: lockstep <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun 'lockstep <command> --help' for a command's options.\n`;
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
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    const { version } = await import('../version.js');
    process.stdout.write(`${version}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(
      `lockstep: unknown command '${name}' (known: ${Object.keys(COMMANDS).join(', ')})\n`,
    );
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  try {
    let parsed: { positionals: string[]; values: Record<string, unknown> };
    try {
      parsed = parseArgs({ args: rest, options: command.options, allowPositionals: true, strict: true });
    } catch (e) {
      throw new LockstepError(
        'E_USAGE',
        `${e instanceof Error ? e.message : String(e)} (usage: ${command.usage})`,
      );
    }
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
