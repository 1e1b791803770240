import { LockstepError } from '../errors.js';
import { isPgUrl } from '../ledger/url.js';
import { runWorker } from '../study/distributed.js';
import { intOption, onePositional, printJson } from './args.js';
import { ProgressLine } from './progress.js';

const USAGE =
  'lockstep worker <config-or-study-key> --ledger postgres://… [--workers N] [--dataset PATH] [--lease SECONDS] [--trials N] [--out DIR] [--json]';

export async function run({
  positionals,
  values,
}: {
  positionals: string[];
  values: Record<string, unknown>;
}): Promise<number> {
  const study = onePositional(positionals, 'study config or study key', USAGE);
  const ledger = values.ledger;
  if (typeof ledger !== 'string' || !isPgUrl(ledger)) {
    throw new LockstepError('E_USAGE', `--ledger: expected a postgres:// URL (usage: ${USAGE})`);
  }
  const workers = intOption('workers', values.workers, 1, 256);
  const trials = intOption('trials', values.trials, 1, 1_000_000);
  let leaseMs: number | undefined;
  if (values.lease !== undefined) {
    const s = Number(values.lease);
    if (!Number.isFinite(s) || s < 0.2 || s > 86_400) {
      throw new LockstepError(
        'E_USAGE',
        `--lease: expected seconds from 0.2 to 86400, but got '${String(values.lease)}'`,
      );
    }
    leaseMs = s * 1000;
  }
  const progress = new ProgressLine();
  const ac = new AbortController();
  const onSignal = () => {
    process.stderr.write('\nlockstep: stopping: giving back claimed trials (Ctrl-C again to force)\n');
    ac.abort();
    process.once('SIGINT', () => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const r = await runWorker({
      study,
      ledger,
      ...(workers === undefined ? {} : { workers }),
      ...(trials === undefined ? {} : { trials }),
      ...(leaseMs === undefined ? {} : { leaseMs }),
      ...(typeof values.dataset === 'string' ? { dataset: values.dataset } : {}),
      ...(typeof values.out === 'string' ? { out: values.out } : {}),
      signal: ac.signal,
      onNote: (line) => process.stderr.write(`lockstep: ${line}\n`),
      onTrial: (e) => progress.update(e.done, e.total, e.best),
    });
    progress.done();
    if (values.json) {
      printJson({
        study: r.study,
        key: r.key,
        digest: r.digest,
        ledger: r.ledger,
        trials: r.trials,
        ran: r.ran,
        complete: r.complete,
        pruned: r.pruned,
        failed: r.failed,
        stopped: r.stopped,
        best: r.best,
        refit: r.refit,
      });
    } else {
      const out = process.stdout;
      out.write(`study ${r.study} (${r.key}): ${r.trials} trials finished, ${r.ran} by this worker\n`);
      if (r.best) out.write(`best: trial ${r.best.id}  score ${r.best.score}\n`);
      out.write(`ledger ${r.ledger}\ndigest ${r.digest}\n`);
    }
    return ac.signal.aborted ? 130 : 0;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    progress.done();
  }
}
