import { createHash } from 'node:crypto';

/** The study's identity: its canonical config (which holds the seed) and its dataset's content. */
export function studyKey(configHash: string, datasetHash: string): string {
  return createHash('sha256').update(`${configHash}:${datasetHash}`).digest('hex').slice(0, 16);
}

/** A trial's ID: the study key's first 8 hex digits and the trial index, e.g. `3f9a2c1b-17`. */
export function trialId(key: string, index: number): string {
  return `${key.slice(0, 8)}-${index}`;
}

const ID_RE = /^([0-9a-f]{8})-(\d{1,9})$/;

/** Parses a trial ID; undefined when it is not of that form. */
export function parseTrialId(id: string): { keyPrefix: string; index: number } | undefined {
  const m = ID_RE.exec(id);
  if (!m) return undefined;
  return { keyPrefix: m[1]!, index: Number(m[2]) };
}
