import { LedgerError } from '../errors.js';
import { decodeMetrics, decodeNumber, type LedgerRecord, type StudyInfo } from './records.js';
import type { NoteState, RefitState, StudyState, TrialState } from './types.js';

/**
 * The study's state as a fold over its records. Pure: the same records give the same state.
 *
 * Rules:
 * - Record 0 is the study record, and no other record is one.
 * - A `trial.started` for an index whose last attempt never finished (a crash), or finished
 *   with cause `environment`, replaces that attempt. For an index that finished otherwise,
 *   it is an error: a finished trial is never modified.
 * - `trial.progress` and `trial.finished` need a running trial; epochs strictly increase.
 * - A later `refit` replaces an earlier one (the study was extended and the best changed).
 */
export function foldLedger(records: readonly LedgerRecord[], options: { source?: string } = {}): StudyState {
  const fold = new StudyFold(options.source);
  for (const r of records) fold.apply(r);
  return fold.state();
}

/** The incremental form of {@link foldLedger}: `check` a record, then `apply` it. */
export class StudyFold {
  private readonly source: string;
  private study: StudyInfo | null = null;
  private readonly trials = new Map<number, TrialState>();
  private readonly ids = new Map<string, number>();
  private refit: RefitState | null = null;
  private readonly notes: NoteState[] = [];
  private count = 0;
  private cached: StudyState | null = null;

  constructor(source?: string) {
    this.source = source ?? 'ledger';
  }

  /** Throws the LedgerError that `apply(record)` would throw, without changing anything. */
  check(r: LedgerRecord): void {
    const fail = (what: string): never => {
      throw new LedgerError(`${this.source} line ${r.seq + 1}: ${what}`);
    };
    if (this.count === 0 && r.type !== 'study') fail(`expected the study record first, found ${r.type}`);
    switch (r.type) {
      case 'study':
        if (this.count > 0) fail('a second study record (only line 1 may hold one)');
        return;
      case 'trial.started': {
        const t = this.trials.get(r.index);
        if (t && t.state !== 'running' && t.cause !== 'environment') {
          fail(
            `trial ${r.index} is started again, but it already finished (${t.state}${t.cause ? `, cause ${t.cause}` : ''}); a finished trial is never modified`,
          );
        }
        const owner = this.ids.get(r.id);
        if (owner !== undefined && owner !== r.index)
          fail(`trial id ${r.id} of trial ${r.index} is already trial ${owner}'s`);
        return;
      }
      case 'trial.progress': {
        const t = this.running(r.index, 'progress', fail);
        const last = t.progress.at(-1);
        if (last && r.epoch <= last.epoch) {
          fail(
            `progress of trial ${r.index} for epoch ${r.epoch} after epoch ${last.epoch}; epochs must increase`,
          );
        }
        return;
      }
      case 'trial.finished': {
        this.running(r.index, 'finished', fail);
        if (r.state === 'complete' && r.score === null) fail(`trial ${r.index} is complete without a score`);
        if (r.state === 'failed' && (r.error === null || r.cause === null)) {
          fail(`trial ${r.index} failed without an error and a cause`);
        }
        if (r.state === 'failed' && (r.values !== undefined || r.constraints !== undefined)) {
          fail(
            `trial ${r.index} failed but has objective or constraint values (only a trial that ended has them)`,
          );
        }
        if (r.state !== 'failed' && (r.error !== null || r.cause !== null)) {
          fail(`trial ${r.index} is ${r.state} but has an error or a cause (only a failed trial has them)`);
        }
        return;
      }
      case 'trial.meta':
        if (!this.trials.has(r.index)) fail(`trial.meta for trial ${r.index}, which was never started`);
        return;
      case 'refit': {
        const t = this.trials.get(r.index);
        if (t?.state !== 'complete') {
          fail(
            `refit of trial ${r.index}, which is ${t ? t.state : 'not a trial'}; only a complete trial is refitted`,
          );
        }
        return;
      }
      case 'study.note':
        return;
      default:
        exhaustive(r);
    }
  }

  apply(r: LedgerRecord): void {
    this.check(r);
    this.cached = null;
    this.count++;
    switch (r.type) {
      case 'study':
        this.study = r.study;
        return;
      case 'trial.started': {
        const previous = this.trials.get(r.index);
        this.trials.set(r.index, {
          index: r.index,
          id: r.id,
          seed: r.seed,
          params: r.params,
          state: 'running',
          score: null,
          metrics: {},
          values: null,
          constraints: null,
          epochs: 0,
          weightsHash: null,
          error: null,
          cause: null,
          progress: [],
          meta: null,
          attempts: (previous?.attempts ?? 0) + 1,
        });
        this.ids.set(r.id, r.index);
        return;
      }
      case 'trial.progress':
        this.trials.get(r.index)!.progress.push({ epoch: r.epoch, metrics: decodeMetrics(r.metrics) });
        return;
      case 'trial.finished': {
        const t = this.trials.get(r.index)!;
        t.state = r.state;
        t.score = r.score === null ? null : decodeNumber(r.score);
        t.metrics = decodeMetrics(r.metrics);
        t.values = r.values === undefined ? null : r.values.map(decodeNumber);
        t.constraints = r.constraints === undefined ? null : r.constraints.map(decodeNumber);
        t.epochs = r.epochs;
        t.weightsHash = r.weightsHash;
        t.error = r.error;
        t.cause = r.cause;
        return;
      }
      case 'trial.meta': {
        const t = this.trials.get(r.index)!;
        t.meta = {
          wallMs: r.wallMs,
          worker: r.worker,
          startedAt: r.startedAt,
          finishedAt: r.finishedAt,
          ...(r.inferenceMs === undefined ? {} : { inferenceMs: r.inferenceMs }),
        };
        return;
      }
      case 'refit':
        this.refit = {
          index: r.index,
          params: r.params,
          seed: r.seed,
          testMetrics: decodeMetrics(r.testMetrics),
          testScore: decodeNumber(r.testScore),
          weightsHash: r.weightsHash,
        };
        return;
      case 'study.note':
        this.notes.push({ line: r.seq + 1, message: r.message, data: r.data });
        return;
      default:
        exhaustive(r);
    }
  }

  /** A snapshot: later `apply` calls do not change it. */
  state(): StudyState {
    if (this.cached) return this.cached;
    if (!this.study) throw new LedgerError(`${this.source}: no study record (the ledger is empty)`);
    const trials = [...this.trials.values()]
      .sort((a, b) => a.index - b.index)
      .map((t) => ({ ...t, progress: t.progress.slice(), meta: t.meta ? { ...t.meta } : null }));
    this.cached = {
      study: this.study,
      trials,
      refit: this.refit,
      notes: this.notes.slice(),
      records: this.count,
    };
    return this.cached;
  }

  private running(index: number, what: string, fail: (what: string) => never): TrialState {
    const t = this.trials.get(index);
    if (!t) return fail(`trial.${what} for trial ${index}, which was never started`);
    if (t.state !== 'running')
      return fail(`trial.${what} for trial ${index}, which already finished (${t.state})`);
    return t;
  }
}

function exhaustive(x: never): never {
  throw new Error(`unknown ledger record type ${(x as { type?: unknown }).type}`);
}
