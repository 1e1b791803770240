import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CliResult, cliAsync } from '../helpers/cli.js';

export interface RunResult extends CliResult {
  signal: NodeJS.Signals | null;
}

/** Runs the CLI; `killWhen(ledgerText)` is polled every 10 ms and SIGKILLs the process when it says so. */
export function run(
  args: string[],
  opts: {
    env?: Record<string, string>;
    cwd?: string;
    killWhen?: (ledger: string) => boolean;
    ledger?: string;
  } = {},
): Promise<RunResult> {
  return new Promise((done, reject) => {
    const child = cliAsync(args, {
      ...(opts.env ? { env: opts.env } : {}),
      ...(opts.cwd ? { cwd: opts.cwd } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    let timer: NodeJS.Timeout | undefined;
    if (opts.killWhen && opts.ledger) {
      const { killWhen, ledger } = opts;
      timer = setInterval(() => {
        let text = '';
        try {
          text = readFileSync(ledger, 'utf8');
        } catch {
          return;
        }
        if (killWhen(text)) {
          clearInterval(timer);
          child.kill('SIGKILL');
        }
      }, 10);
    }
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearInterval(timer);
      done({ code, signal, stdout, stderr });
    });
  });
}

interface Line {
  type: string;
  index?: number;
  cause?: string | null;
  state?: string;
}

export function ledgerLines(path: string): Line[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.endsWith('}'))
    .map((l) => JSON.parse(l) as Line);
}

/**
 * Each trial index below `trials` has exactly one trial.finished that counts (not failed for the
 * environment), and none beyond: no complete trial lost, none duplicated. Returns the problems.
 */
export function ledgerProblems(path: string, trials: number): string[] {
  const counts = new Map<number, number>();
  for (const r of ledgerLines(path)) {
    if (r.type === 'trial.finished' && r.cause !== 'environment')
      counts.set(r.index!, (counts.get(r.index!) ?? 0) + 1);
  }
  const problems: string[] = [];
  for (let i = 0; i < trials; i++) {
    const n = counts.get(i) ?? 0;
    if (n !== 1) problems.push(`trial ${i}: ${n} finished records`);
  }
  for (const i of counts.keys()) if (i >= trials) problems.push(`trial ${i}: beyond the budget`);
  return problems;
}

export const count = (text: string, type: string): number =>
  text.split('\n').filter((l) => l.endsWith('}') && l.includes(`"type":"${type}"`)).length;

export const ledgerOf = (out: string, name: string): string => join(out, name, 'ledger.jsonl');
