import { ConfigError } from '../errors.js';
import { isPgUrl } from '../ledger/url.js';
import { configFrom } from './config.js';
import { searchLocal } from './local.js';
import { functionObjective } from './objective.js';
import type { SearchOptions, SearchResult } from './types.js';

/**
 * Runs a study to its budget, or resumes it. The storage decides who runs it: a ledger file, this process
 * (study/local.ts); a `postgres://` URL, this process as worker slots of a study that others may join
 * (study/distributed.ts). Every event is appended to the ledger before it is acted on.
 */
export async function search(opts: SearchOptions): Promise<SearchResult> {
  const { config, resolved } = configFrom(opts.config, { base: opts.base, trials: opts.trials });
  // The config may name the ledger (a file inside its folder, or `postgres://…`); the --ledger option wins.
  const ledger = opts.ledger ?? resolved.ledger;
  const objectiveFunction = functionObjective(config, opts.objective);
  if (ledger === undefined || !isPgUrl(ledger)) {
    return searchLocal(opts, { config, resolved, ledger, objectiveFunction });
  }
  if (objectiveFunction !== undefined) {
    throw new ConfigError(
      'config: ledger: a study whose objective is a function runs in this process only; give it a ledger file',
    );
  }
  // Loaded only for a URL: it brings the pg driver.
  const { runWorker } = await import('./distributed.js');
  const {
    key: _key,
    ran: _ran,
    ...result
  } = await runWorker({
    study: opts.config,
    ...(opts.base === undefined ? {} : { base: opts.base }),
    ledger,
    workers: Math.max(1, opts.workers ?? 1),
    ...(opts.trials === undefined ? {} : { trials: opts.trials }),
    ...(opts.out === undefined ? {} : { out: opts.out }),
    ...(opts.signal === undefined ? {} : { signal: opts.signal }),
    ...(opts.onTrial === undefined ? {} : { onTrial: opts.onTrial }),
  });
  return result;
}
