export { canonicalJson, canonicalMembers } from './canonical.js';
export { digestContent, studyDigest } from './digest.js';
export { foldLedger, StudyFold } from './fold.js';
export type { LedgerFs, LedgerOptions } from './journal.js';
export { createLedger, FileLedger, holdsCompleteLine, openLedger, readLedger, serialize } from './journal.js';
// The PostgreSQL ledger is imported from './postgres.js' (or opened through './url.js'), so that
// file-only users never load the pg driver.
export type { LeaseLostError, PgClaim, PgClaimQueue } from './pg-claims.js';
export type { ParsedPgUrl, PgLedger, PgLedgerOptions } from './postgres.js';
export type {
  DatasetInfo,
  Environment,
  FailureCause,
  FinishedState,
  LedgerRecord,
  Metrics,
  MetricValue,
  NonFiniteTag,
  NoteRecord,
  RecordBody,
  RecordParams,
  RecordType,
  RefitRecord,
  StudyBody,
  StudyInfo,
  StudyRecord,
  TrialFinishedRecord,
  TrialMetaRecord,
  TrialProgressRecord,
  TrialRecordState,
  TrialStartedRecord,
} from './records.js';
export {
  decodeMetrics,
  decodeNumber,
  encodeMetrics,
  encodeNonFinite,
  encodeNumber,
  LEDGER_VERSION,
  ledgerRecordSchema,
  NON_FINITE_TAGS,
  studyInfoSchema,
  ZERO_HASH,
} from './records.js';
export type { ScanResult, TornLine } from './scan.js';
export { scanLedger } from './scan.js';
export type {
  Ledger,
  NoteState,
  OpenReport,
  ProgressPoint,
  RefitState,
  StudyState,
  TrialMeta,
  TrialState,
  TrialStatus,
  TrialView,
} from './types.js';
export type { VerifyResult } from './verify.js';
export { verifyLedger } from './verify.js';
