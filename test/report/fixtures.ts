import { existsSync } from 'node:fs';
import type { Environment, RecordBody, StudyInfo } from '../../src/ledger/index.js';
import { createLedger } from '../../src/ledger/index.js';
import { Stream } from '../../src/rng/index.js';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Fails loudly (never skips) when the browser the report tests need is missing. */
export function requireChromium(): string {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium; .ci/run does)`,
    );
  }
  return CHROMIUM;
}

export const SPACE = {
  lr: { type: 'float', low: 1e-4, high: 0.1, log: true },
  units: { type: 'int', low: 8, high: 64 },
  act: { type: 'categorical', choices: ['relu', 'tanh'] },
  momentum: { type: 'float', low: 0, high: 0.9, when: { act: 'tanh' } },
} as const;

export function studyInfo(env: Partial<Environment> = {}, trials = 10): StudyInfo {
  return {
    name: 'fixture',
    key: '0123456789abcdef',
    seed: 7,
    config: {
      name: 'fixture',
      seed: 7,
      dataset: 'builtin:penguins',
      target: 'Species',
      metric: 'accuracy',
      space: SPACE,
      sampler: 'random',
      budget: { trials },
    },
    configHash: 'c'.repeat(64),
    dataset: { source: 'builtin:penguins', hash: 'd'.repeat(64), rows: 344, schema: { task: 'multiclass' } },
    preprocessing: {},
    environment: {
      lockstep: '0.1.0',
      numeric: 1,
      node: '20.20.2',
      tfjs: '4.22.0',
      backend: 'wasm',
      backendVersion: '4.22.0',
      platform: 'linux',
      arch: 'x64',
      cpu: 'Test CPU',
      ...env,
    },
  };
}

export type Fate = 'complete' | 'pruned' | 'failed' | 'failed-early' | 'running';

export interface FixtureTrial {
  index: number;
  id: string;
  fate: Fate;
  params: Record<string, string | number>;
  /** Accuracy after each epoch that ran. */
  curve: number[];
  score: number | null;
}

/** Deterministic synthetic trials: accuracy rises with log lr, a little with units. */
export function fixtureTrials(fates: Fate[], epochs = 5, seed = 3): FixtureTrial[] {
  return fates.map((fate, index) => {
    const s = Stream.of(seed, 'fixture', index);
    const u = s.float();
    const lr = 10 ** (-4 + 3 * u);
    const units = s.int(8, 64);
    const act = s.float() < 0.5 ? 'relu' : 'tanh';
    const params: Record<string, string | number> = { lr, units, act };
    if (act === 'tanh') params.momentum = 0.9 * s.float();
    const final = 0.4 + 0.5 * u + 0.002 * (units - 8) + 0.02 * s.float();
    const ran =
      fate === 'pruned'
        ? 2
        : fate === 'failed'
          ? 3
          : fate === 'failed-early'
            ? 0
            : fate === 'running'
              ? 1
              : epochs;
    const curve = Array.from({ length: ran }, (_, e) => final * (1 - 0.5 / (e + 1)));
    const score = fate === 'complete' ? final : fate === 'pruned' ? curve.at(-1)! : null;
    return { index, id: `01234567-${index}`, fate, params, curve, score };
  });
}

/** Writes a ledger with these trials through the ledger API (the records a search would write). */
export function writeFixtureLedger(
  path: string,
  trials: FixtureTrial[],
  env: Partial<Environment> = {},
): void {
  const ledger = createLedger(path, studyInfo(env, Math.max(1, trials.length)));
  try {
    for (const t of trials) appendTrial(ledger, t);
  } finally {
    ledger.close();
  }
}

export function appendTrial(ledger: { append(b: RecordBody): unknown }, t: FixtureTrial): void {
  ledger.append({ type: 'trial.started', index: t.index, id: t.id, seed: 100 + t.index, params: t.params });
  t.curve.forEach((v, e) => {
    ledger.append({
      type: 'trial.progress',
      index: t.index,
      epoch: e + 1,
      metrics: { accuracy: v, train_loss: 1 - v },
    });
  });
  if (t.fate === 'running') return;
  const state = t.fate === 'failed-early' ? 'failed' : t.fate;
  ledger.append({
    type: 'trial.finished',
    index: t.index,
    state,
    score: t.score,
    metrics: t.score === null ? {} : { accuracy: t.score },
    epochs: t.curve.length,
    weightsHash: state === 'complete' ? 'a'.repeat(64) : null,
    error: state === 'failed' ? `trial ${t.index}: loss became NaN <script>alert(1)</script>` : null,
    cause: state === 'failed' ? 'trial' : null,
  });
  ledger.append({
    type: 'trial.meta',
    index: t.index,
    wallMs: 1000 + 37 * t.index,
    worker: t.index % 2,
    startedAt: '2024-01-01T00:00:00.000Z',
    finishedAt: '2024-01-01T00:00:01.000Z',
  });
}

/** The mixed study the browser tests render: complete, pruned, failed (with and without epochs) and running trials. */
export const MIXED: Fate[] = [
  'complete',
  'complete',
  'pruned',
  'complete',
  'failed',
  'complete',
  'pruned',
  'complete',
  'failed-early',
  'complete',
  'complete',
  'complete',
  'running',
];
