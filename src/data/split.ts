import { ConfigError, DataError } from '../errors.js';
import { Stream } from '../rng/index.js';
import type { SplitIndices, SplitSpec } from './types.js';

export type HoldoutSpec = Extract<SplitSpec, { kind: 'holdout' }>;
export type KFoldSpec = Extract<SplitSpec, { kind: 'kfold' }>;

/**
 * Splits rows 0..n-1 by the spec. Pure: the same (n, spec, seed, labels) give the same parts.
 * With labels (class indices, one per row) the split is stratified.
 */
export function splitRows(
  n: number,
  spec: SplitSpec,
  seed: number,
  labels?: ArrayLike<number>,
): SplitIndices {
  return spec.kind === 'holdout' ? splitHoldout(n, spec, seed, labels) : splitKFold(n, spec, seed, labels);
}

/**
 * Train / validation / test by fractions (summing to 1). Each class (or the whole set, without
 * labels) is permuted with its own seeded stream and divided by largest remainder, so each part
 * holds every class within one row of its share. A part with a positive fraction is never empty.
 */
export function splitHoldout(
  n: number,
  spec: HoldoutSpec,
  seed: number,
  labels?: ArrayLike<number>,
): SplitIndices {
  checkCount(n, labels);
  const fractions = [spec.train, spec.validation, spec.test];
  const names = ['train', 'validation', 'test'];
  fractions.forEach((f, i) => {
    if (!Number.isFinite(f) || f < 0 || f > 1) {
      throw new ConfigError(`split.${names[i]}: must be a fraction in [0, 1], but got ${f}`);
    }
  });
  const sum = spec.train + spec.validation + spec.test;
  if (Math.abs(sum - 1) > 1e-9) {
    throw new ConfigError(
      `split: train + validation + test must be 1, but got ${spec.train} + ${spec.validation} + ${spec.test} = ${sum}`,
    );
  }
  if (spec.train === 0) throw new ConfigError('split.train: must be greater than 0');
  const parts = divide(n, fractions, names, groupsOf(n, labels), seed, 'holdout');
  return { train: sorted(parts[0]!), validation: sorted(parts[1]!), test: sorted(parts[2]!) };
}

/**
 * k-fold cross-validation: a test part (the same for every fold) is held out first; the rest is
 * dealt into k folds (stratified when labels are given). Fold `fold` (0-based) is the validation
 * part, the other k−1 folds the training part. Over fold = 0..k−1 the validation parts partition
 * the non-test rows.
 */
export function splitKFold(
  n: number,
  spec: KFoldSpec,
  seed: number,
  labels?: ArrayLike<number>,
): SplitIndices {
  checkCount(n, labels);
  if (!Number.isInteger(spec.k) || spec.k < 2)
    throw new ConfigError(`split.k: must be an integer ≥ 2, but got ${spec.k}`);
  if (!Number.isInteger(spec.fold) || spec.fold < 0 || spec.fold >= spec.k) {
    throw new ConfigError(
      `split.fold: must be an integer in [0, ${spec.k - 1}] (0-based), but got ${spec.fold}`,
    );
  }
  if (!Number.isFinite(spec.test) || spec.test < 0 || spec.test >= 1) {
    throw new ConfigError(`split.test: must be a fraction in [0, 1), but got ${spec.test}`);
  }
  const groups = groupsOf(n, labels);
  const [rest, test] = divide(
    n,
    [1 - spec.test, spec.test],
    ['train', 'test'],
    groups,
    seed,
    'kfold-test',
  ) as [number[], number[]];
  if (rest.length < spec.k) {
    throw new DataError(`cannot split ${rest.length} non-test rows into ${spec.k} non-empty folds`);
  }
  const inRest = new Uint8Array(n);
  for (const r of rest) inRest[r] = 1;
  // Deal each class's permuted rows round-robin, continuing the count across classes, so that
  // fold sizes differ by at most one and each class is spread within one row per fold.
  const train: number[] = [];
  const validation: number[] = [];
  let position = 0;
  for (const group of groups) {
    const members = group.rows.filter((r) => inRest[r] === 1);
    const perm = Stream.of(seed, 'split', 'kfold', spec.k, 'class', group.label).permutation(members.length);
    for (let i = 0; i < members.length; i++) {
      const row = members[perm[i]!]!;
      (position % spec.k === spec.fold ? validation : train).push(row);
      position++;
    }
  }
  return { train: sorted(train), validation: sorted(validation), test: sorted(test) };
}

interface Group {
  label: number;
  rows: number[];
}

function checkCount(n: number, labels?: ArrayLike<number>): void {
  if (!Number.isInteger(n) || n < 0)
    throw new RangeError(`row count must be a non-negative integer, but got ${n}`);
  if (labels !== undefined && labels.length !== n) {
    throw new RangeError(`labels has ${labels.length} entries, expected one per row (${n})`);
  }
}

/** Rows grouped by label, groups in ascending label order; one group without labels. */
function groupsOf(n: number, labels?: ArrayLike<number>): Group[] {
  if (labels === undefined) return [{ label: -1, rows: Array.from({ length: n }, (_, i) => i) }];
  const byLabel = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const l = labels[i]!;
    let g = byLabel.get(l);
    if (g === undefined) {
      g = [];
      byLabel.set(l, g);
    }
    g.push(i);
  }
  return [...byLabel.entries()].sort((a, b) => a[0] - b[0]).map(([label, rows]) => ({ label, rows }));
}

/** Largest-remainder division of `total` by `fractions`; ties go to the earlier part. */
function apportion(total: number, fractions: number[]): number[] {
  const exact = fractions.map((f) => f * total);
  const counts = exact.map((e) => Math.floor(e + 1e-9));
  let left = total - counts.reduce((a, b) => a + b, 0);
  const order = exact
    .map((e, i) => ({ i, rem: e - Math.floor(e + 1e-9) }))
    .sort((a, b) => b.rem - a.rem || a.i - b.i);
  for (let j = 0; left > 0; j = (j + 1) % order.length) {
    const i = order[j]!.i;
    if (fractions[i]! > 0) {
      counts[i]!++;
      left--;
    }
  }
  return counts;
}

/** Permutes each group and cuts it into parts; then makes sure no positive-fraction part is empty. */
function divide(
  n: number,
  fractions: number[],
  names: string[],
  groups: Group[],
  seed: number,
  streamName: string,
): number[][] {
  const counts = groups.map((g) => apportion(g.rows.length, fractions));
  const wanted = fractions.filter((f) => f > 0).length;
  for (let p = 0; p < fractions.length; p++) {
    if (fractions[p]! <= 0) continue;
    const total = counts.reduce((a, c) => a + c[p]!, 0);
    if (total > 0) continue;
    if (n < wanted) {
      throw new DataError(`cannot split ${n} rows into ${wanted} non-empty parts (${names.join(', ')})`);
    }
    // Move one row from the largest (group, part) cell that can spare it.
    let best: { g: number; q: number; size: number } | undefined;
    counts.forEach((c, g) => {
      c.forEach((size, q) => {
        if (q === p) return;
        const partTotal = counts.reduce((a, cc) => a + cc[q]!, 0);
        if (partTotal > 1 && (best === undefined || size > best.size)) best = { g, q, size };
      });
    });
    if (best === undefined) {
      throw new DataError(`cannot split ${n} rows into ${wanted} non-empty parts (${names.join(', ')})`);
    }
    counts[best.g]![best.q]!--;
    counts[best.g]![p]!++;
  }
  const parts: number[][] = fractions.map(() => []);
  groups.forEach((group, g) => {
    const perm = Stream.of(seed, 'split', streamName, 'class', group.label).permutation(group.rows.length);
    let at = 0;
    counts[g]!.forEach((count, p) => {
      for (let i = 0; i < count; i++) parts[p]!.push(group.rows[perm[at++]!]!);
    });
  });
  return parts;
}

function sorted(rows: number[]): Uint32Array {
  return Uint32Array.from(rows).sort();
}
