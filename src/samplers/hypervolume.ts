/**
 * The exact hypervolume of a set of loss vectors (every objective minimised) against a reference
 * point: the measure of the region that some point dominates and that dominates the reference.
 * Only + − × and comparisons, in an order fixed by the input, so the same input gives the same bits
 * everywhere. Points not strictly better than the reference in every objective add nothing.
 *
 * 1 objective: ref − min. 2: one sweep in order of the first loss, O(n log n). 3 and more: slicing
 * along the last objective (HSO, While et al. 2006), each slab's cross-section one dimension lower;
 * O(n² log n) for 3 objectives, O(n³ log n) for 4: adequate for a few hundred points.
 */
export function hypervolume(points: readonly (readonly number[])[], reference: readonly number[]): number {
  const d = reference.length;
  const inside: (readonly number[])[] = [];
  for (const p of points) {
    let ok = p.length === d;
    for (let k = 0; ok && k < d; k++) ok = p[k]! < reference[k]!;
    if (ok) inside.push(p);
  }
  if (inside.length === 0 || d === 0) return 0;
  return volume(inside, reference, d);
}

/** Lexicographic order on the first `d` coordinates: a total order for distinct points. */
function lexicographic(d: number) {
  return (a: readonly number[], b: readonly number[]) => {
    for (let k = 0; k < d; k++) {
      if (a[k]! !== b[k]!) return a[k]! < b[k]! ? -1 : 1;
    }
    return 0;
  };
}

/** The hypervolume over the first `d` coordinates of points that all dominate the reference there. */
function volume(points: readonly (readonly number[])[], ref: readonly number[], d: number): number {
  if (d === 1) {
    let min = ref[0]!;
    for (const p of points) if (p[0]! < min) min = p[0]!;
    return ref[0]! - min;
  }
  if (d === 2) return sweep2d([...points].sort(lexicographic(2)), ref);
  // Slices along coordinate d-1: between consecutive distinct values of that coordinate, the
  // cross-section is the (d-1)-dimensional hypervolume of the points at or below the slice.
  const last = d - 1;
  const byLast = [...points].sort((a, b) =>
    a[last]! !== b[last]! ? (a[last]! < b[last]! ? -1 : 1) : lexicographic(last)(a, b),
  );
  let total = 0;
  let i = 0;
  while (i < byLast.length) {
    let j = i;
    while (j + 1 < byLast.length && byLast[j + 1]![last] === byLast[i]![last]) j++;
    const top = j + 1 < byLast.length ? byLast[j + 1]![last]! : ref[last]!;
    const height = top - byLast[i]![last]!;
    total += volume(byLast.slice(0, j + 1), ref, last) * height;
    i = j + 1;
  }
  return total;
}

/** The 2-D sweep over points sorted by (x, y): each point adds the strip below the best y so far. */
function sweep2d(sorted: readonly (readonly number[])[], ref: readonly number[]): number {
  let area = 0;
  let bound = ref[1]!;
  for (const p of sorted) {
    if (p[1]! < bound) {
      area += (ref[0]! - p[0]!) * (bound - p[1]!);
      bound = p[1]!;
    }
  }
  return area;
}

/**
 * Each point's exclusive contribution: the hypervolume of all points minus that of all but this one
 * (0 for a dominated point or a duplicate).
 */
export function hypervolumeContributions(
  points: readonly (readonly number[])[],
  reference: readonly number[],
): Float64Array {
  const n = points.length;
  const out = new Float64Array(n);
  const all = hypervolume(points, reference);
  for (let i = 0; i < n; i++) {
    const rest = points.filter((_, j) => j !== i);
    out[i] = all - hypervolume(rest, reference);
  }
  return out;
}
