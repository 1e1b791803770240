import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LedgerRecord, RecordBody, StudyInfo } from '../../src/ledger/index.js';
import { ledgerRecordSchema, serialize, ZERO_HASH } from '../../src/ledger/index.js';

export function sampleStudy(overrides: Partial<StudyInfo> = {}): StudyInfo {
  return {
    name: 'iris-random',
    key: '0123456789abcdef',
    seed: 42,
    config: { name: 'iris-random', seed: 42, sampler: { type: 'random' }, budget: { trials: 4 } },
    configHash: 'c'.repeat(64),
    dataset: {
      source: 'iris',
      hash: 'd'.repeat(64),
      rows: 150,
      schema: { task: 'multiclass', columns: ['a', 'b'] },
    },
    preprocessing: { steps: [{ kind: 'standardise', mean: [1.5, 2], std: [0.5, 1] }] },
    environment: {
      lockstep: '0.1.0',
      numeric: '1',
      node: '20.20.2',
      tfjs: '4.22.0',
      backend: 'wasm',
      backendVersion: '4.22.0',
      platform: 'linux',
      arch: 'x64',
      cpu: 'Test CPU',
    },
    ...overrides,
  };
}

export const hashOf = (c: string): string => c.repeat(64);

/** The records of one trial that completes after `epochs` epochs. */
export function completeTrial(index: number, score: number, epochs = 2): RecordBody[] {
  const out: RecordBody[] = [started(index)];
  for (let e = 1; e <= epochs; e++) {
    out.push({
      type: 'trial.progress',
      index,
      epoch: e,
      metrics: { train_loss: 1 / e, accuracy: score - 0.01 * (epochs - e) },
    });
  }
  out.push(finished(index, score, epochs));
  return out;
}

export function started(index: number): RecordBody {
  return {
    type: 'trial.started',
    index,
    id: `abcd1234-${index}`,
    seed: 1000 + index,
    params: { lr: 0.01 * (index + 1), units: 8, act: 'relu' },
  };
}

export function finished(index: number, score: number, epochs = 2): RecordBody {
  return {
    type: 'trial.finished',
    index,
    state: 'complete',
    score,
    metrics: { train_loss: 1 / epochs, accuracy: score },
    epochs,
    weightsHash: hashOf((index % 10).toString()),
    error: null,
    cause: null,
  };
}

export function envFailed(index: number): RecordBody {
  return {
    type: 'trial.finished',
    index,
    state: 'failed',
    score: null,
    metrics: {},
    epochs: 0,
    weightsHash: null,
    error: 'worker lost',
    cause: 'environment',
  };
}

export function meta(index: number, worker: number, wallMs: number): RecordBody {
  return {
    type: 'trial.meta',
    index,
    wallMs,
    worker,
    startedAt: '2024-01-01T00:00:00.000Z',
    finishedAt: '2024-01-01T00:00:01.000Z',
  };
}

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-ledger-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The records a ledger would hold after appending `bodies` to a study (in memory, chained). */
export function recordsOf(study: StudyInfo, bodies: RecordBody[]): LedgerRecord[] {
  const out: LedgerRecord[] = [];
  let prev = ZERO_HASH;
  for (const [seq, body] of [{ type: 'study', study } as RecordBody, ...bodies].entries()) {
    const line = serialize(seq, prev, body);
    out.push(ledgerRecordSchema.parse(JSON.parse(line)));
    prev = createHash('sha256').update(line).digest('hex');
  }
  return out;
}
