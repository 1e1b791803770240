import * as z from 'zod';
import { LEDGER_VERSION, type LedgerRecord, NON_FINITE_TAGS } from './records.js';

/**
 * A fast path for validating the records a study appends most (trial.started, trial.progress,
 * trial.finished, trial.meta), beside the zod schemas of records.ts, which stay the definition: it
 * accepts only what those schemas accept, and builds the record as they build it (fields in the schema's
 * order, records of metrics and params in their own order). When it is not sure, it answers undefined and
 * the schema decides (and words the error). test/ledger/fast-check.test.ts holds it to the schemas.
 */

const HEX64 = /^[0-9a-f]{64}$/;
const TAGS: readonly string[] = NON_FINITE_TAGS;
const datetime = z.iso.datetime();

type Obj = Record<string, unknown>;

function isPlain(v: unknown): v is Obj {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Exactly these own keys. */
function hasKeys(o: Obj, keys: readonly string[]): boolean {
  const own = Object.keys(o);
  if (own.length !== keys.length) return false;
  for (const k of keys) if (!Object.hasOwn(o, k)) return false;
  return true;
}

const isIndex = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isMetricValue = (v: unknown) => isFiniteNumber(v) || (typeof v === 'string' && TAGS.includes(v));

/** A copy of a record of values (keys in order), or undefined. */
function recordOf(v: unknown, ok: (x: unknown) => boolean): Obj | undefined {
  if (!isPlain(v)) return undefined;
  const out: Obj = {};
  for (const k of Object.keys(v)) {
    const x = v[k];
    if (k === '__proto__' || !ok(x)) return undefined;
    out[k] = x;
  }
  // Symbols or non-enumerable keys: let the schema decide.
  if (Reflect.ownKeys(v).length !== Object.keys(out).length) return undefined;
  return out;
}

const isParamValue = (x: unknown) => typeof x === 'string' || typeof x === 'boolean' || isFiniteNumber(x);

const STARTED = ['v', 'seq', 'prev', 'type', 'index', 'id', 'seed', 'params'] as const;
const PROGRESS = ['v', 'seq', 'prev', 'type', 'index', 'epoch', 'metrics'] as const;
const FINISHED = [
  'v',
  'seq',
  'prev',
  'type',
  'index',
  'state',
  'score',
  'metrics',
  'epochs',
  'weightsHash',
  'error',
  'cause',
] as const;
const META = ['v', 'seq', 'prev', 'type', 'index', 'wallMs', 'worker', 'startedAt', 'finishedAt'] as const;

/** The fields every trial record starts with, in the schema's order (checked by fastRecord). */
function head(v: Obj) {
  return { v: v.v, seq: v.seq, prev: v.prev, type: v.type, index: v.index };
}

/** The record the schema would give for `v` (a JSON.parse result), or undefined: then ask the schema. */
export function fastRecord(v: unknown): LedgerRecord | undefined {
  if (!isPlain(v)) return undefined;
  if (v.v !== LEDGER_VERSION || !isIndex(v.seq) || typeof v.prev !== 'string' || !HEX64.test(v.prev)) {
    return undefined;
  }
  if (!isIndex(v.index)) return undefined;
  switch (v.type) {
    case 'trial.started': {
      if (!hasKeys(v, STARTED) || typeof v.id !== 'string' || v.id.length < 1 || !isIndex(v.seed))
        return undefined;
      const params = recordOf(v.params, isParamValue);
      if (params === undefined) return undefined;
      return {
        ...head(v),
        id: v.id,
        seed: v.seed,
        params,
      } as LedgerRecord;
    }
    case 'trial.progress': {
      if (!hasKeys(v, PROGRESS) || !isIndex(v.epoch)) return undefined;
      const metrics = recordOf(v.metrics, isMetricValue);
      if (metrics === undefined) return undefined;
      return {
        ...head(v),
        epoch: v.epoch,
        metrics,
      } as LedgerRecord;
    }
    case 'trial.finished': {
      if (!hasKeys(v, FINISHED) || !isIndex(v.epochs)) return undefined;
      const { state, score, weightsHash, error, cause } = v;
      if (state !== 'complete' && state !== 'pruned' && state !== 'failed') return undefined;
      if (score !== null && !isMetricValue(score)) return undefined;
      if (weightsHash !== null && (typeof weightsHash !== 'string' || !HEX64.test(weightsHash)))
        return undefined;
      if (error !== null && typeof error !== 'string') return undefined;
      if (cause !== null && cause !== 'trial' && cause !== 'environment') return undefined;
      const metrics = recordOf(v.metrics, isMetricValue);
      if (metrics === undefined) return undefined;
      return {
        ...head(v),
        state,
        score,
        metrics,
        epochs: v.epochs,
        weightsHash,
        error,
        cause,
      } as LedgerRecord;
    }
    case 'trial.meta': {
      if (!hasKeys(v, META)) return undefined;
      const { wallMs, worker, startedAt, finishedAt } = v;
      if (!isFiniteNumber(wallMs) || !(wallMs >= 0)) return undefined;
      if (worker !== null && !isIndex(worker)) return undefined;
      if (typeof startedAt !== 'string' || typeof finishedAt !== 'string') return undefined;
      if (!datetime.safeParse(startedAt).success || !datetime.safeParse(finishedAt).success) return undefined;
      return {
        ...head(v),
        wallMs,
        worker,
        startedAt,
        finishedAt,
      } as LedgerRecord;
    }
    default:
      return undefined;
  }
}
