import { type Logger, pino } from 'pino';

/**
 * The logger factory. Logs are pino JSON: to a file when one is given (beside a study's ledger),
 * else to stderr at `warn` and above, so that stdout stays free for `--json` output.
 */
export function createLogger(options: { file?: string; level?: string } = {}): Logger {
  const level = options.level ?? process.env.LOCKSTEP_LOG_LEVEL ?? (options.file ? 'info' : 'warn');
  const dest = options.file
    ? pino.destination({ dest: options.file, sync: true, mkdir: true })
    : pino.destination(2);
  return pino({ level, base: { pid: process.pid } }, dest);
}

export type { Logger };
