import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dropEarlyWorkers, startWorkersEarly } from '../pool/pool.js';
import { intOption, onePositional, printJson } from './args.js';
import { frontHeading, frontLines } from './front.js';
import { printable as p } from './printable.js';
import { ProgressLine } from './progress.js';

const USAGE =
  'lockstep search <config> [--workers N] [--trials N] [--out DIR] [--ledger PATH|postgres://…] [--json]';

export async function run({
  positionals,
  values,
}: {
  positionals: string[];
  values: Record<string, unknown>;
}): Promise<number> {
  const config = onePositional(positionals, 'config file', USAGE);
  const workers = intOption('workers', values.workers, 1, 256);
  const trials = intOption('trials', values.trials, 1, 1_000_000);
  const progress = new ProgressLine();
  const ac = new AbortController();
  const onSigint = () => {
    process.stderr.write(
      '\nlockstep: stopping: aborting running trials and closing the ledger (Ctrl-C again to force)\n',
    );
    ac.abort();
    process.once('SIGINT', () => process.exit(130));
  };
  process.once('SIGINT', onSigint);
  startWorkersForStudy(config, workers, values.ledger);
  try {
    // Loaded after the workers started: they load tfjs meanwhile.
    const [{ search }, { summarizeAny, summarizeState }, { finalStateOf }] = await Promise.all([
      import('../study/search.js'),
      import('../study/summary.js'),
      import('../study/result.js'),
    ]);
    const r = await search({
      config,
      workers,
      trials,
      out: values.out as string | undefined,
      ...(typeof values.ledger === 'string' ? { ledger: values.ledger } : {}),
      signal: ac.signal,
      onTrial: (e) => progress.update(e.done, e.total, e.best),
    });
    progress.done();
    // The metric's name is the ledger's; and this run had nothing to do when its resume note is the ledger's
    // last record (no trial, refit or stop was recorded after it).
    // From the search's own final state (the ledger's, as recorded), not read again.
    const final = finalStateOf(r);
    const recorded = final === undefined ? await summarizeAny(r.ledger) : summarizeState(r.ledger, final, []);
    const lastNote = recorded.state.notes.at(-1);
    const alreadyComplete =
      !r.stopped && lastNote?.message === 'resumed' && lastNote.line === recorded.state.records;
    for (const w of r.warnings) process.stderr.write(`lockstep: warning: ${w}\n`);
    if (values.json) {
      printJson({
        study: r.study,
        metric: recorded.metric,
        alreadyComplete,
        digest: r.digest,
        ledger: r.ledger,
        trials: r.trials,
        complete: r.complete,
        pruned: r.pruned,
        failed: r.failed,
        epochs: r.epochs,
        stopped: r.stopped,
        best: r.best,
        // A study with several objectives or constraints: what it was judged by, and its front.
        ...(recorded.judged === null
          ? {}
          : {
              objectives: recorded.judged.objectives,
              constraints: recorded.judged.constraints,
              feasible: recorded.judged.feasible,
              front: r.front ?? [],
            }),
        refit: r.refit,
        failures: r.failures,
        gaveUp: r.gaveUp,
      });
    } else {
      const out = process.stdout;
      out.write(
        `study ${r.study}: ${r.trials} trials (${r.complete} complete, ${r.pruned} pruned, ${r.failed} failed), ${r.epochs} epochs\n`,
      );
      if (r.failures.length > 0) {
        // Errors come from the objective's code: escaped, so that they cannot drive the terminal.
        out.write('failures:\n');
        for (const f of r.failures) {
          const retried = f.cause === 'environment' ? '(environment; a resume retries it) ' : '';
          out.write(`  ${f.count} × ${retried}${p(f.error)}\n`);
        }
      }
      const j = recorded.judged;
      if (j !== null && j.objectives.length > 1) {
        // Several objectives: the front, then the member the refit takes (its best in the first objective).
        out.write(`${frontHeading(j, r.complete)}\n${frontLines(j).join('\n')}\n`);
        if (r.best) {
          out.write(
            `refit trial ${r.best.id} (the front's best ${p(j.objectives[0]!.name)})\n  params ${JSON.stringify(r.best.params)}\n`,
          );
          out.write(`  replay: npx lockstep replay ${r.best.id} --ledger ${r.ledger}\n`);
        }
      } else if (r.best) {
        out.write(
          `best ${recorded.metric} ${r.best.score} (trial ${r.best.id})\n  params ${JSON.stringify(r.best.params)}\n`,
        );
        out.write(`  replay: npx lockstep replay ${r.best.id} --ledger ${r.ledger}\n`);
      }
      if (r.refit)
        out.write(
          `refit on train+validation: test ${recorded.metric} ${r.refit.testScore}  model ${r.refit.modelDir}\n`,
        );
      out.write(`ledger ${r.ledger}\ndigest ${r.digest}\n`);
      // A study that gave up would stop again: the line on stderr says why instead.
      if (r.stopped && r.gaveUp === null)
        out.write('stopped before the budget; run the same command again to resume\n');
      if (alreadyComplete)
        out.write(
          `study ${r.study}: already complete: its ${r.trials} trials were recorded before this run; nothing to do\n`,
        );
    }
    if (ac.signal.aborted) return 130;
    // A study that cannot succeed is a failed run, not a result: say why, and exit 1.
    if (r.gaveUp !== null) {
      process.stderr.write(
        `lockstep: study ${r.study} stopped: its first trials all failed with the same error: ${p(r.gaveUp)}\n`,
      );
      return 1;
    }
    if (r.complete === 0) {
      const why = r.failures[0] === undefined ? '' : `; most common failure: ${p(r.failures[0].error)}`;
      process.stderr.write(`lockstep: study ${r.study}: no trial completed (${r.failed} failed)${why}\n`);
      return 1;
    }
    return 0;
  } finally {
    process.removeListener('SIGINT', onSigint);
    progress.done();
    await dropEarlyWorkers();
  }
}

/**
 * Starts the study's worker threads before the engine is loaded, when the config file's text shows the pool it
 * will get: the default backend and memory, and `--workers N` (else the default: its parallelism, capped by the
 * cores). A config that names its backend, worker memory or ledger is left to the search (its pool starts as
 * before). Only a guess of timing: the search adopts these threads when its pool has the same options.
 */
function startWorkersForStudy(config: string, workers: number | undefined, ledger: unknown): void {
  if (typeof ledger === 'string') return;
  let text: string;
  try {
    text = readFileSync(config, 'utf8');
  } catch {
    return; // the search reports it
  }
  if (/backend|worker_memory_mb|ledger/.test(text)) return;
  const parallelism = /\bparallelism["']?\s*:\s*(\d+)/.exec(text);
  const n = workers ?? Math.min(Math.max(Number(parallelism?.[1] ?? 4), 1), availableParallelism());
  startWorkersEarly({ workers: n });
}
