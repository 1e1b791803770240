/**
 * Which epochs of a trial the ledger records as `trial.progress`: every epoch up to 100, then one in ten per
 * decade — every 10th up to 1,000, every 100th up to 10,000, every 1,000th up to 100,000 … — and always the
 * trial's last epoch (where it completed, was pruned or failed). So an attempt writes at most 371 progress
 * records up to 100,000 epochs, and a study of ≤ 100 epochs records every one (so its ledger and digest do not
 * depend on this rule).
 *
 * The rule is a pure function of the epoch's position (the k-th report of the trial, 1-based: the epoch
 * itself for the MLP) and of the trial's epoch count, which `trial.finished` records: replay, resume and the
 * samplers know which epochs were recorded, and compare or use exactly those.
 */

/** Every position up to this one is recorded. */
export const EVERY_EPOCH_UP_TO = 100;

/** Whether position `k` is recorded whatever the trial's length: k ≤ 100, or a multiple of its decade's step. */
export function isSampledEpoch(k: number): boolean {
  let step = 1;
  while (step * EVERY_EPOCH_UP_TO < k) step *= 10;
  return k % step === 0;
}

/** Whether position `k` of a trial that reported `last` epochs in all is recorded. */
export function isRecordedEpoch(k: number, last: number): boolean {
  return k === last || isSampledEpoch(k);
}

/** The recorded positions of a trial that reported `epochs` epochs, in order. */
export function recordedEpochs(epochs: number): number[] {
  const out: number[] = [];
  for (let k = 1; k <= epochs; k++) if (isRecordedEpoch(k, epochs)) out.push(k);
  return out;
}

/** Keeps the entries of a full per-epoch history (index 0 = position 1) that the ledger records. */
export function recordedOf<T>(history: readonly T[]): T[] {
  return history.filter((_, i) => isRecordedEpoch(i + 1, history.length));
}

/**
 * A finished trial's curve of `metric` by position, as the samplers and pruners see it: the recorded values at
 * the recorded positions, NaN at the others. Built the same from a live trial's full history
 * ({@link curveOfHistory}) and from its ledger records (this), so that a resumed study sees what an
 * uninterrupted one saw. Records of every epoch (at most 100 of them, or a ledger written before this rule)
 * give every value, as the run that wrote them saw them.
 */
export function curveOfProgress(
  progress: readonly { epoch: number; metrics: Record<string, number> }[],
  epochs: number,
  metric: string,
): number[] {
  if (progress.length === epochs && progress.every((p, i) => p.epoch === i + 1)) {
    return progress.map((p) => p.metrics[metric] ?? Number.NaN);
  }
  const curve = new Array<number>(epochs).fill(Number.NaN);
  const positions = recordedEpochs(epochs);
  progress.forEach((p, i) => {
    const k = positions[i];
    if (k !== undefined) curve[k - 1] = p.metrics[metric] ?? Number.NaN;
  });
  return curve;
}

/** The curve {@link curveOfProgress} gives, from the trial's full history. */
export function curveOfHistory(history: readonly Record<string, number>[], metric: string): number[] {
  return history.map((m, i) =>
    isRecordedEpoch(i + 1, history.length) ? (m[metric] ?? Number.NaN) : Number.NaN,
  );
}
