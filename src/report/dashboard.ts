/**
 * A live report: an HTTP server on the loopback interface that serves a ledger's report, rebuilds
 * it when the ledger file changes, and tells open pages to reload (server-sent events).
 *
 * It serves exactly three paths — `/`, `/report.html` and `/events` — matched on the raw request
 * target, before any decoding or normalisation; everything else is a 404, so no path can reach a
 * file. It answers only requests whose Host is its own loopback address (against DNS rebinding).
 */
import { existsSync, statSync, unwatchFile, watchFile } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LockstepError, NotFoundError } from '../errors.js';
import { buildReport } from './write.js';

export const DASHBOARD_HOST = '127.0.0.1';
export const DASHBOARD_PATHS = ['/', '/report.html', '/events'] as const;

export interface DashboardOptions {
  ledger: string;
  /** 0 picks a free port. */
  port?: number;
  /** How often the ledger file is checked for changes, in milliseconds (default 500). */
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

export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const { ledger } = options;
  if (!existsSync(ledger)) throw new NotFoundError(`ledger ${ledger} does not exist`);
  let html = await buildReport(ledger, { live: true });
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

  const stamp = (s: { mtimeMs: number; size: number }) => `${s.mtimeMs}:${s.size}`;
  let last = stamp(statSync(ledger));
  const onChange = (cur: { mtimeMs: number; size: number }) => {
    const now = stamp(cur);
    if (now === last) return;
    last = now;
    void refresh();
  };
  watchFile(ledger, { interval: options.pollMs ?? 500, persistent: true }, onChange);

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
      unwatchFile(ledger, onChange);
      clearInterval(ping);
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
      unwatchFile(ledger, onChange);
      clearInterval(ping);
      for (const c of clients) c.end();
      clients.clear();
      await building;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
