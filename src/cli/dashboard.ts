import { startDashboard } from '../report/dashboard.js';
import { intOption, onePositional } from './args.js';

const USAGE = 'lockstep dashboard <ledger> [--port N]';
const DEFAULT_PORT = 4320;

/** Serves the ledger's report on 127.0.0.1 until SIGINT or SIGTERM. */
export async function run({
  positionals,
  values,
}: {
  positionals: string[];
  values: Record<string, unknown>;
}): Promise<number> {
  const ledger = onePositional(positionals, 'ledger', USAGE);
  const port = intOption('port', values.port, 0, 65535) ?? DEFAULT_PORT;
  const dash = await startDashboard({
    ledger,
    port,
    onError: (e) =>
      process.stderr.write(
        `lockstep: warning: report not rebuilt: ${e instanceof Error ? e.message : String(e)}\n`,
      ),
  });
  process.stdout.write(`${dash.url}\n`);
  process.stderr.write(
    `lockstep: serving the report of ${ledger} on ${dash.url} (loopback only); Ctrl-C to stop\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await dash.close();
  return 0;
}
