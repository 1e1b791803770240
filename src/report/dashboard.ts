/**
 * A live report: an HTTP server on the loopback interface that serves a ledger's report, rebuilds
 * it when the ledger changes, and tells open pages to reload (server-sent events). A ledger file is
 * watched (its size and mtime); a `postgres://` ledger is held open on a read-only session and polled
 * for records appended since.
 *
 * It serves exactly three paths — `/`, `/report.html` and `/events` — matched on the raw request
 * target, before any decoding or normalisation; everything else is a 404, so no path can reach a
 * file. It answers only requests whose Host is its own loopback address (against DNS rebinding).
 */
import { existsSync, statSync, unwatchFile, watchFile } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LockstepError, NotFoundError } from '../errors.js';
import type { PgLedger } from '../ledger/postgres.js';
import { isPgUrl, openPgLedger } from '../ledger/url.js';
import { summarize } from '../study/summary.js';
import { reportHtml } from './html.js';
import { modelOf } from './model.js';
import { buildReport } from './write.js';

export const DASHBOARD_HOST = '127.0.0.1';
export const DASHBOARD_PATHS = ['/', '/report.html', '/events'] as const;

export interface DashboardOptions {
  ledger: string;
  /** 0 picks a free port. */
  port?: number;
  /** How often the ledger is checked for changes, in milliseconds (default 500 for a file, 1000 for PostgreSQL). */
  pollMs?: number;
  /** Called when a rebuild fails (the last good report keeps being served). */
  onError?: (error: unknown) => void;
}

export interface Dashboard {
  server: Server;
  url: string;
  port: number;
  /** How many times the report was built (1 after start). */
  readonly generation: number;
  /** Rebuilds now (also what a change of the ledger triggers). */
  refresh(): Promise<void>;
  close(): Promise<void>;
}

const CSP =
  "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; connect-src 'self'";

/** Where the report comes from: how it is built, and what says that the ledger changed. */
interface ReportSource {
  build(): Promise<string>;
  /** Calls `changed` whenever the ledger may have changed; returns what stops it. */
  watch(changed: () => void): () => void;
  close(): Promise<void>;
}

function fileSource(ledger: string, pollMs: number): ReportSource {
  if (!existsSync(ledger)) throw new NotFoundError(`ledger ${ledger} does not exist`);
  return {
    build: () => buildReport(ledger, { live: true }),
    watch: (changed) => {
      const stamp = (s: { mtimeMs: number; size: number }) => `${s.mtimeMs}:${s.size}`;
      let last = stamp(statSync(ledger));
      const onChange = (cur: { mtimeMs: number; size: number }) => {
        const now = stamp(cur);
        if (now === last) return;
        last = now;
        changed();
      };
      watchFile(ledger, { interval: pollMs, persistent: true }, onChange);
      return () => unwatchFile(ledger, onChange);
    },
    close: async () => {},
  };
}

/**
 * A PostgreSQL ledger, opened once (read-only: the dashboard never writes or creates anything) and
 * polled: each poll reads only the lines appended since, and the report is rebuilt when there are some.
 * A failed poll (the server gone for longer than LOCKSTEP_PG_RETRY_S) is shown on the page until a poll
 * succeeds again.
 */
async function pgSource(url: string, pollMs: number): Promise<ReportSource> {
  const ledger: PgLedger = await openPgLedger(url, { readOnly: true });
  let failure: { error: unknown } | null = null;
  let polling: Promise<void> | null = null;
  return {
    build: async () => {
      if (failure !== null) throw failure.error;
      const read = { records: ledger.records(), warnings: [...ledger.warnings], state: ledger.state() };
      return reportHtml(modelOf(summarize(ledger.location, read)), { live: true });
    },
    watch: (changed) => {
      const timer = setInterval(() => {
        if (polling !== null) return;
        polling = ledger
          .refresh()
          .then(
            (n) => {
              const recovered = failure !== null;
              failure = null;
              if (n > 0 || recovered) changed();
            },
            (error: unknown) => {
              failure = { error };
              changed();
            },
          )
          .finally(() => {
            polling = null;
          });
      }, pollMs);
      return () => clearInterval(timer);
    },
    close: async () => {
      await polling;
      await ledger.close();
    },
  };
}

export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const { ledger } = options;
  const source = isPgUrl(ledger)
    ? await pgSource(ledger, options.pollMs ?? 1000)
    : fileSource(ledger, options.pollMs ?? 500);
  let html: string;
  try {
    html = await source.build();
  } catch (e) {
    await source.close();
    throw e;
  }
  let generation = 1;
  let error: string | null = null;
  const clients = new Set<ServerResponse>();

  let building: Promise<void> | null = null;
  let again = false;
  const rebuild = async (): Promise<void> => {
    try {
      html = await buildReport(ledger, { live: true });
      generation++;
      error = null;
      for (const c of clients) c.write(`event: report\ndata: ${generation}\n\n`);
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
      options.onError?.(e);
    }
  };
  const refresh = (): Promise<void> => {
    if (building) {
      again = true;
      return building;
    }
    building = (async () => {
      do {
        again = false;
        await rebuild();
      } while (again);
      building = null;
    })();
    return building;
  };

  const unwatch = source.watch(() => void refresh());

  let port = options.port ?? 0;
  const allowedHosts = () => new Set([`${DASHBOARD_HOST}:${port}`, `localhost:${port}`]);

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const target = req.url ?? '';
    const q = target.indexOf('?');
    const path = q < 0 ? target : target.slice(0, q);
    const send = (status: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, {
        'Content-Type': type,
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
        'Content-Security-Policy': CSP,
        'Content-Length': Buffer.byteLength(body),
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (!allowedHosts().has(req.headers.host ?? '')) {
      send(403, 'forbidden host\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(405, 'method not allowed\n');
      return;
    }
    if (path === '/' || path === '/report.html') {
      const banner = error
        ? `<p style="background:#fee;padding:.5em">The ledger could not be read (${error.replace(/[<>&"]/g, '')}); showing the last good report.</p>`
        : '';
      send(
        200,
        banner ? html.replace(/<body[^>]*>/, (tag) => `${tag}${banner}`) : html,
        'text/html; charset=utf-8',
      );
      return;
    }
    if (path === '/events') {
      res.writeHead(200, {
        'Content-Type': 'text/event-stream',
        'Cache-Control': 'no-store',
        Connection: 'keep-alive',
        'X-Content-Type-Options': 'nosniff',
      });
      res.write(`retry: 1000\nevent: hello\ndata: ${generation}\n\n`);
      clients.add(res);
      req.on('close', () => clients.delete(res));
      return;
    }
    send(404, 'not found\n');
  };

  const server = createServer(handle);
  const ping = setInterval(() => {
    for (const c of clients) c.write(': ping\n\n');
  }, 15_000);
  ping.unref();
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      unwatch();
      clearInterval(ping);
      void source.close();
      reject(
        e.code === 'EADDRINUSE'
          ? new LockstepError('E_USAGE', `--port: port ${port} is in use (try --port 0 for a free one)`)
          : e,
      );
    });
    server.listen(port, DASHBOARD_HOST, () => resolve());
  });
  port = (server.address() as AddressInfo).port;

  return {
    server,
    url: `http://${DASHBOARD_HOST}:${port}/`,
    port,
    get generation() {
      return generation;
    },
    refresh,
    close: async () => {
      unwatch();
      clearInterval(ping);
      for (const c of clients) c.end();
      clients.clear();
      await building;
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await source.close();
    },
  };
}
