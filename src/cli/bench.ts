import { bench } from '../bench/index.js';
import { fmt } from '../bench/report.js';
import { loadSuite } from '../bench/suite.js';
import { LockstepError } from '../errors.js';
import { intOption, printJson } from './args.js';
import { ProgressLine } from './progress.js';

const USAGE =
  'lockstep bench <suite.yaml> [--workers N] [--out DIR] [--json] | lockstep bench build-table <spec.yaml> [--out FILE]';

export async function run({
  positionals,
  values,
}: {
  positionals: string[];
  values: Record<string, unknown>;
}): Promise<number> {
  if (positionals[0] === 'build-table') {
    if (positionals.length !== 2)
      throw new LockstepError('E_USAGE', `expected one table spec file (usage: ${USAGE})`);
    const { buildTableFile } = await import('../bench/build-table.js');
    const progress = new ProgressLine();
    const r = await buildTableFile(positionals[1]!, values.out as string | undefined, (done, total) =>
      progress.update(done, total, null),
    );
    progress.done();
    if (values.json) printJson({ table: r.path, entries: r.table.entries.length, best: r.best });
    else
      process.stdout.write(
        `table ${r.path}: ${r.table.entries.length} configurations, best ${r.table.metric} ${r.best}\n`,
      );
    return 0;
  }
  if (positionals.length !== 1)
    throw new LockstepError(
      'E_USAGE',
      `expected one suite file, got ${positionals.length} (usage: ${USAGE})`,
    );
  const suite = loadSuite(positionals[0]!);
  const workers = intOption('workers', values.workers, 1, 256);
  const progress = new ProgressLine();
  const ac = new AbortController();
  const onSigint = () => {
    process.stderr.write(
      '\nlockstep: stopping the benchmark (finished runs are kept; run again to resume)\n',
    );
    ac.abort();
    process.once('SIGINT', () => process.exit(130));
  };
  process.once('SIGINT', onSigint);
  try {
    const r = await bench(suite, {
      ...(workers === undefined ? {} : { workers }),
      ...(values.out === undefined ? {} : { out: values.out as string }),
      signal: ac.signal,
      onRun: (_r, done, total) => progress.update(done, total, null),
    });
    progress.done();
    if (values.json) {
      printJson({
        out: r.out,
        files: r.files,
        wallMs: r.results.timings.wallMs,
        ranks: r.results.stats.ranks,
        wins: r.results.stats.wins,
      });
    } else {
      const o = process.stdout;
      const last = suite.budgets.at(-1)!;
      o.write(
        `bench ${suite.name}: ${r.results.runs.length} runs in ${(r.results.timings.wallMs / 1000).toFixed(1)} s\n`,
      );
      for (const p of r.results.stats.problems) {
        const parts = suite.strategies.map(
          (s) => `${s.label} ${fmt(p.strategies[s.label]!.atBudget[last]!.meanRegret)}`,
        );
        o.write(`  ${p.label}: mean regret at ${last}: ${parts.join(', ')}\n`);
      }
      if (r.files)
        o.write(`results ${r.files.results}\nsummary ${r.files.summary}\nreport  ${r.files.report}\n`);
    }
    return 0;
  } finally {
    process.removeListener('SIGINT', onSigint);
    progress.done();
  }
}
