import * as z from 'zod';
import { FINISHED_STATES } from '../types.js';
import { zodLine } from '../zod-line.js';

/**
 * The ledger's record schemas: the single source of truth for what a ledger line may hold.
 * Every line is one JSON object: the envelope `{ v, seq, prev, type }` and the type's body.
 */

/** The record format version written by this lockstep. */
export const LEDGER_VERSION = 1;

/** `prev` of the first line: there is no previous line. */
export const ZERO_HASH = '0'.repeat(64);

/**
 * JSON has no NaN or Infinity. A metric or score that is not finite is written as one of
 * these strings and read back as the number it stands for, so it round-trips exactly
 * (null would lose which of the three it was).
 */
export const NON_FINITE_TAGS = ['NaN', 'Infinity', '-Infinity'] as const;
export type NonFiniteTag = (typeof NON_FINITE_TAGS)[number];

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits (SHA-256)');
const index = z.int().nonnegative();
const seed = z.int().nonnegative();
/** Any JSON value (typed `unknown`, to be narrowed by whoever reads it). */
const json = z.custom<unknown>(isJson, 'expected a JSON value');
/** A JSON object. */
const jsonObject = z.custom<Record<string, unknown>>(
  (v) => isPlainObject(v) && isJson(v),
  'expected a JSON object',
);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function isJson(v: unknown): boolean {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(v);
    case 'object':
      if (v === null) return true;
      if (Array.isArray(v)) return v.every(isJson);
      return isPlainObject(v) && Object.values(v).every(isJson);
    default:
      return false;
  }
}

/** A metric value: a finite number, or the tag of a non-finite one (see {@link NON_FINITE_TAGS}). */
export const metricValueSchema = z.union([z.number(), z.enum(NON_FINITE_TAGS)]);
export const metricsSchema = z.record(z.string(), metricValueSchema);
export const paramsSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

export const environmentSchema = z.strictObject({
  /** lockstep's version. */
  lockstep: z.string(),
  /** The version of lockstep's numerics (part of the study's identity). */
  numeric: z.union([z.string(), z.number()]),
  node: z.string(),
  tfjs: z.string(),
  /** null for a study whose objective trains no tfjs model. */
  backend: z.string().nullable(),
  backendVersion: z.string().nullable(),
  platform: z.string(),
  arch: z.string(),
  cpu: z.string(),
});

export const datasetInfoSchema = z.strictObject({
  source: z.string(),
  hash: z.string(),
  rows: z.int().nonnegative(),
  schema: json,
});

export const studyInfoSchema = z.strictObject({
  name: z.string(),
  /** The study identity: 16 hex digits. */
  key: z.string().regex(/^[0-9a-f]{16}$/, 'expected 16 lowercase hex digits'),
  seed,
  /** The canonical config object. */
  config: jsonObject,
  configHash: z.string(),
  dataset: datasetInfoSchema.nullable(),
  /** The fitted preprocessing, serialised. */
  preprocessing: json,
  environment: environmentSchema,
  /**
   * `warm_start`: the other study whose finished trials this one's samplers saw first — by reference, its
   * ledger's location (not digested) and its digest (digested), so that the digest says what was seen.
   */
  warmStart: z.strictObject({ ledger: z.string(), digest: hex64, trials: z.int().nonnegative() }).optional(),
  /** Where the objective module was (resolved), for replay; a location, not part of the digest. */
  module: z.string().nullable().optional(),
});

const envelope = {
  v: z.literal(LEDGER_VERSION),
  seq: z.int().nonnegative(),
  prev: hex64,
};

export const finishedStateSchema = z.enum(FINISHED_STATES);
/** Why a trial failed: its own fault, or the environment's (timeout, lost worker, abort) — a resume retries the latter. */
export const failureCauseSchema = z.enum(['trial', 'environment']);

export const studyRecordSchema = z.strictObject({
  ...envelope,
  type: z.literal('study'),
  study: studyInfoSchema,
});

export const trialStartedRecordSchema = z.strictObject({
  ...envelope,
  type: z.literal('trial.started'),
  index,
  id: z.string().min(1),
  seed,
  params: paramsSchema,
});

export const trialProgressRecordSchema = z.strictObject({
  ...envelope,
  type: z.literal('trial.progress'),
  index,
  epoch: z.int().nonnegative(),
  metrics: metricsSchema,
});

export const trialFinishedRecordSchema = z.strictObject({
  ...envelope,
  type: z.literal('trial.finished'),
  index,
  state: finishedStateSchema,
  score: metricValueSchema.nullable(),
  metrics: metricsSchema,
  epochs: z.int().nonnegative(),
  weightsHash: hex64.nullable(),
  error: z.string().nullable(),
  cause: failureCauseSchema.nullable(),
  /** A study with several objectives (or constraints): the objective values, in the config's order. */
  values: z.array(metricValueSchema).optional(),
  /** A study with constraints: one value per constraint, feasible when every one is <= 0. */
  constraints: z.array(metricValueSchema).optional(),
});

/** The non-deterministic facts of a trial; excluded from the digest. */
export const trialMetaRecordSchema = z.strictObject({
  ...envelope,
  type: z.literal('trial.meta'),
  index,
  wallMs: z.number().nonnegative(),
  /** Milliseconds the trained model took to predict 1,000 validation rows, when the study measures it. */
  inferenceMs: z.number().nonnegative().optional(),
  worker: z.int().nonnegative().nullable(),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
});

/** The final retrain of the best trial on train + validation, scored on the test part. */
export const refitRecordSchema = z.strictObject({
  ...envelope,
  type: z.literal('refit'),
  index,
  params: paramsSchema,
  seed,
  testMetrics: metricsSchema,
  testScore: metricValueSchema,
  weightsHash: hex64,
});

/** Free-form; excluded from the digest (e.g. "resumed", "stopped by SIGINT"). */
export const noteRecordSchema = z.strictObject({
  ...envelope,
  type: z.literal('study.note'),
  message: z.string(),
  data: json,
});

export const ledgerRecordSchema = z.discriminatedUnion('type', [
  studyRecordSchema,
  trialStartedRecordSchema,
  trialProgressRecordSchema,
  trialFinishedRecordSchema,
  trialMetaRecordSchema,
  refitRecordSchema,
  noteRecordSchema,
]);

export type MetricValue = z.infer<typeof metricValueSchema>;
export type Metrics = z.infer<typeof metricsSchema>;
export type RecordParams = z.infer<typeof paramsSchema>;
export type Environment = z.infer<typeof environmentSchema>;
export type DatasetInfo = z.infer<typeof datasetInfoSchema>;
export type StudyInfo = z.infer<typeof studyInfoSchema>;
export type FinishedState = z.infer<typeof finishedStateSchema>;
export type FailureCause = z.infer<typeof failureCauseSchema>;

export type StudyRecord = z.infer<typeof studyRecordSchema>;
export type TrialStartedRecord = z.infer<typeof trialStartedRecordSchema>;
export type TrialProgressRecord = z.infer<typeof trialProgressRecordSchema>;
export type TrialFinishedRecord = z.infer<typeof trialFinishedRecordSchema>;
export type TrialMetaRecord = z.infer<typeof trialMetaRecordSchema>;
export type RefitRecord = z.infer<typeof refitRecordSchema>;
export type NoteRecord = z.infer<typeof noteRecordSchema>;
export type LedgerRecord = z.infer<typeof ledgerRecordSchema>;
export type RecordType = LedgerRecord['type'];

type Envelope = 'v' | 'seq' | 'prev';
type Body<R> = R extends unknown ? Omit<R, Envelope> : never;

/**
 * What a caller appends: a record without its envelope. Metric values and scores may be any
 * number here, NaN and ±Infinity included; `append` writes those as tags.
 */
export type RecordBody = Body<LedgerRecord>;
/** The body of the study record: what `createLedger` takes. */
export type StudyBody = StudyInfo;
/** A finished trial's state. */
export type TrialRecordState = FinishedState;

/** A number as the ledger stores it: finite numbers as themselves, the others as a tag. */
export function encodeNumber(x: number): MetricValue {
  if (Number.isFinite(x)) return x;
  return Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity';
}

/** The number a stored metric value stands for. */
export function decodeNumber(v: MetricValue): number {
  if (typeof v === 'number') return v;
  return v === 'NaN' ? Number.NaN : v === 'Infinity' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
}

export function encodeMetrics(m: Readonly<Record<string, number | MetricValue>>): Metrics {
  const out: Metrics = {};
  for (const [k, v] of Object.entries(m)) out[k] = typeof v === 'number' ? encodeNumber(v) : v;
  return out;
}

export function decodeMetrics(m: Readonly<Metrics>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(m)) out[k] = decodeNumber(v);
  return out;
}

/**
 * Deeply replaces every non-finite number by its tag, so that a body built from in-memory
 * results (where a metric may be NaN) can be validated and written. A non-finite number in a
 * field that is not a metric then fails validation, as it should.
 */
export function encodeNonFinite<T>(value: T): T {
  if (typeof value === 'number') return encodeNumber(value) as T;
  if (Array.isArray(value)) return value.map((v) => encodeNonFinite(v)) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = encodeNonFinite(v);
    return out as T;
  }
  return value;
}

/** A refused record's first issue as one line, `path: message (and N more)`, for the ledger's messages. */
export function describeIssues(error: z.ZodError): string {
  return zodLine(error, { emptyPath: '(record)', countOthers: true });
}
