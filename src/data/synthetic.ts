import { ConfigError } from '../errors.js';
import { tanh } from '../math/index.js';
import { Stream } from '../rng/index.js';
import { sha256Hex } from './hash.js';
import type { RawTable } from './types.js';

export interface SyntheticOptions {
  rows: number;
  features: number;
  task: 'binary' | 'multiclass' | 'regression';
  /** Number of classes for multiclass (default 3); binary always has 2. */
  classes?: number;
  seed: number;
  /** Standard deviation of the noise added to the latent score (default 0.1). */
  noise?: number;
}

export const SYNTHETIC_DEFAULTS = { classes: 3, noise: 0.1 } as const;

/** Decimal places kept: the CSV text is the canonical form, and the table holds exactly that text. */
const DIGITS = 6;

/**
 * The CSV text of a seeded, learnable synthetic problem: features x0..x{d-1} ~ N(0, 1), and a
 * target from a random linear function plus a small interaction term (regression: the value;
 * binary: its sign; multiclass: the argmax of one such function per class), with Gaussian noise.
 */
export function syntheticCsv(opts: SyntheticOptions): string {
  const { rows, features, task, seed } = opts;
  const noise = opts.noise ?? SYNTHETIC_DEFAULTS.noise;
  const nClasses = task === 'binary' ? 2 : (opts.classes ?? SYNTHETIC_DEFAULTS.classes);
  check(opts, noise, nClasses);

  const scores = task === 'multiclass' ? nClasses : 1;
  const ws = Stream.of(seed, 'synthetic', task, features, scores, 'weights');
  const scale = 1 / Math.sqrt(features);
  const weights = Array.from({ length: scores }, () =>
    Array.from({ length: features }, () => ws.normal() * scale),
  );
  const bias = Array.from({ length: scores }, () => ws.normal() * 0.1);
  const xs = Stream.of(seed, 'synthetic', 'rows');
  const eps = Stream.of(seed, 'synthetic', 'noise');
  const width = String(nClasses - 1).length;
  const label = (k: number): string => `c${String(k).padStart(width, '0')}`;

  const header = [...Array.from({ length: features }, (_, j) => `x${j}`), 'target'].join(',');
  const lines: string[] = [header];
  const x = new Array<number>(features);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < features; j++) x[j] = round(xs.normal());
    const latent = (k: number): number => {
      const w = weights[k]!;
      let s = bias[k]!;
      for (let j = 0; j < features; j++) s += w[j]! * x[j]!;
      // A mild nonlinearity, so that a hidden layer helps.
      if (features >= 2) s += 0.5 * tanh(x[(k * 2) % features]! * x[(k * 2 + 1) % features]!);
      return s + noise * eps.normal();
    };
    let target: string;
    if (task === 'regression') target = fmt(latent(0));
    else if (task === 'binary') target = latent(0) > 0 ? label(1) : label(0);
    else {
      let best = 0;
      let bestScore = Number.NEGATIVE_INFINITY;
      for (let k = 0; k < nClasses; k++) {
        const s = latent(k);
        if (s > bestScore) {
          bestScore = s;
          best = k;
        }
      }
      target = label(best);
    }
    lines.push([...x.map(fmt), target].join(','));
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The same problem as a table, cell for cell what `loadTable` gives for a file holding
 * `syntheticCsv(opts)`, and with the same hash.
 */
export function syntheticTable(opts: SyntheticOptions): RawTable {
  const text = syntheticCsv(opts);
  const lines = text.slice(0, -1).split('\n');
  const columns = lines[0]!.split(',');
  const rows = lines.slice(1).map((line) => line.split(','));
  return {
    source: `synthetic:${opts.task}:${opts.rows}x${opts.features}:${opts.seed}`,
    hash: sha256Hex(text),
    columns,
    rows,
  };
}

function check(opts: SyntheticOptions, noise: number, nClasses: number): void {
  if (!Number.isInteger(opts.rows) || opts.rows < 1) {
    throw new ConfigError(`synthetic.rows: must be a positive integer, but got ${opts.rows}`);
  }
  if (!Number.isInteger(opts.features) || opts.features < 1) {
    throw new ConfigError(`synthetic.features: must be a positive integer, but got ${opts.features}`);
  }
  if (!Number.isSafeInteger(opts.seed) || opts.seed < 0) {
    throw new ConfigError(`synthetic.seed: must be a non-negative integer, but got ${opts.seed}`);
  }
  if (!Number.isFinite(noise) || noise < 0)
    throw new ConfigError(`synthetic.noise: must be ≥ 0, but got ${noise}`);
  if (!Number.isInteger(nClasses) || nClasses < 2) {
    throw new ConfigError(`synthetic.classes: must be an integer ≥ 2, but got ${nClasses}`);
  }
}

function round(v: number): number {
  return Number(v.toFixed(DIGITS)) + 0;
}

function fmt(v: number): string {
  return String(round(v));
}
