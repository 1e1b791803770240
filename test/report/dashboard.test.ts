import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLedger } from '../../src/ledger/index.js';
import { type Dashboard, startDashboard } from '../../src/report/index.js';
import { cliAsync, tempDir } from '../helpers/cli.js';
import { appendTrial, fixtureTrials, writeFixtureLedger } from './fixtures.js';

/** One raw HTTP/1.1 exchange: the request target and Host are sent exactly as given. */
function raw(
  port: number,
  target: string,
  opts: { host?: string; method?: string } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      data += d;
    });
    socket.on('error', reject);
    socket.on('end', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0);
      resolve({ status, body: data.slice(data.indexOf('\r\n\r\n') + 4) });
    });
    socket.write(
      `${opts.method ?? 'GET'} ${target} HTTP/1.1\r\nHost: ${opts.host ?? `127.0.0.1:${port}`}\r\nConnection: close\r\n\r\n`,
    );
  });
}

describe('dashboard', () => {
  const dir = tempDir('lockstep-dashboard-');
  const ledger = join(dir, 'ledger.jsonl');
  const trials = fixtureTrials(['complete', 'complete', 'pruned', 'complete']);
  let dash: Dashboard;

  beforeAll(async () => {
    writeFixtureLedger(ledger, trials.slice(0, 3));
    dash = await startDashboard({ ledger, port: 0, pollMs: 50 });
  });
  afterAll(async () => {
    await dash?.close();
  });

  it('listens on the loopback address only', () => {
    const address = dash.server.address();
    expect(address).not.toBeNull();
    expect(typeof address).toBe('object');
    expect((address as { address: string }).address).toBe('127.0.0.1');
    expect(dash.url).toBe(`http://127.0.0.1:${dash.port}/`);
  });

  it('serves the report at / and /report.html', async () => {
    for (const path of ['/', '/report.html', '/?x=1']) {
      const r = await raw(dash.port, path);
      expect(r.status, path).toBe(200);
      expect(r.body).toContain('data-trials="3"');
      expect(r.body).toContain("new EventSource('/events')");
    }
  });

  it('answers 404 to every other path, traversal attempts included', async () => {
    const attempts = [
      '/../../etc/passwd',
      '/..%2f..%2fetc%2fpasswd',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd',
      '/report.html/../../../etc/passwd',
      '/./report.html',
      '//etc/passwd',
      '/ledger.jsonl',
      `/${ledger}`,
      '/..\\..\\etc\\passwd',
      '/favicon.ico',
      '/report.html%00',
      'http://127.0.0.1/../../etc/passwd',
    ];
    for (const target of attempts) {
      const r = await raw(dash.port, target);
      expect([400, 404], target).toContain(r.status);
      expect(r.body, target).not.toContain('root:');
      expect(r.body, target).not.toContain('"type":"study"');
    }
  });

  it('refuses other hosts (DNS rebinding) and other methods', async () => {
    expect((await raw(dash.port, '/', { host: 'evil.example:80' })).status).toBe(403);
    expect((await raw(dash.port, '/', { method: 'POST' })).status).toBe(405);
    expect((await raw(dash.port, '/', { method: 'DELETE' })).status).toBe(405);
  });

  it('serves an updated report, and tells open pages, after the ledger gains a trial', async () => {
    const events: string[] = [];
    const req = request({ host: '127.0.0.1', port: dash.port, path: '/events' });
    const gotReport = new Promise<void>((resolve, reject) => {
      req.on('response', (res) => {
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          events.push(d);
          if (d.includes('event: report')) resolve();
        });
      });
      req.on('error', reject);
    });
    req.end();
    const before = dash.generation;
    const w = openLedger(ledger);
    try {
      appendTrial(w, trials[3]!);
    } finally {
      w.close();
    }
    await gotReport;
    req.destroy();
    expect(dash.generation).toBeGreaterThan(before);
    const r = await raw(dash.port, '/');
    expect(r.body).toContain('data-trials="4"');
    expect(r.body).toContain('01234567-3');
  });
});

describe('lockstep dashboard (the command)', () => {
  it('prints its loopback URL, serves the report and stops on SIGTERM', async () => {
    const dir = tempDir('lockstep-dashboard-cli-');
    const ledger = join(dir, 'ledger.jsonl');
    writeFixtureLedger(ledger, fixtureTrials(['complete', 'pruned']));
    const child = cliAsync(['dashboard', ledger, '--port', '0']);
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
        if (m) resolve(m[0]);
      });
      child.on('exit', (code) => reject(new Error(`dashboard exited ${code} before listening`)));
    });
    const port = Number(new URL(url).port);
    const ok = await raw(port, '/');
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('data-trials="2"');
    expect((await raw(port, '/../ledger.jsonl')).status).toBe(404);
    const code = await new Promise<number | null>((resolve) => {
      child.on('exit', (c) => resolve(c));
      child.kill('SIGTERM');
    });
    expect(code).toBe(0);
  });

  it('refuses a bad port with one line and exit 2', async () => {
    const child = cliAsync(['dashboard', 'x.jsonl', '--port', '70000']);
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(2);
    expect(err.trim()).toMatch(/^lockstep: --port: expected an integer from 0 to 65535/);
  });
});
