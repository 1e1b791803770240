/**
 * One error base class with stable codes. Known errors print as one line at the CLI
 * (`lockstep: <message>`), with exit code 2 for bad input and 1 for a failed check.
 */
export type ErrorCode =
  | 'E_CONFIG' // a config file or field is invalid
  | 'E_PARAM' // a trial parameter is invalid
  | 'E_DATA' // a dataset cannot be loaded or is unusable
  | 'E_NOT_FOUND' // a file, trial or dataset does not exist
  | 'E_LEDGER' // a ledger is damaged or inconsistent
  | 'E_LOCKED' // a ledger is held by another process
  | 'E_BACKEND' // a numeric backend is unavailable
  | 'E_USAGE' // a CLI usage error
  | 'E_CHECK' // a verification failed (replay diverged, verify not ok)
  | 'E_IO' // the file system refused (full disk, read-only)
  | 'E_ABORTED' // work was interrupted
  | 'E_MEMORY' // a trial would need more memory than worker_memory_mb
  | 'E_TRIAL'; // a trial failed inside the objective

export class LockstepError extends Error {
  readonly code: ErrorCode;
  /** Exit code the CLI uses when this error reaches the top level. */
  readonly exitCode: number;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; exitCode?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LockstepError';
    this.code = code;
    this.exitCode = options?.exitCode ?? (code === 'E_CHECK' ? 1 : code === 'E_ABORTED' ? 130 : 2);
  }
}

export class ConfigError extends LockstepError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_CONFIG', message, options);
    this.name = 'ConfigError';
  }
}

export class DataError extends LockstepError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_DATA', message, options);
    this.name = 'DataError';
  }
}

export class ParamError extends LockstepError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_PARAM', message, options);
    this.name = 'ParamError';
  }
}

export class NotFoundError extends LockstepError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_NOT_FOUND', message, options);
    this.name = 'NotFoundError';
  }
}

export class LedgerError extends LockstepError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_LEDGER', message, options);
    this.name = 'LedgerError';
  }
}

export function isLockstepError(e: unknown): e is LockstepError {
  return e instanceof LockstepError;
}

/** Renders any thrown value as one line: the message of a known error, else `name: message`. */
export function errorLine(e: unknown): string {
  if (e instanceof LockstepError) return e.message;
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}
