/**
 * How `show` and `search` print a study judged by several objectives or constraints: each objective's
 * name with its direction's arrow, each constraint as its bounds, and the Pareto front as a table.
 */
import type { ConstraintSpec, ObjectiveSpec } from '../study/objectives.js';
import type { JudgedSummary } from '../study/summary.js';
import type { Direction } from '../types.js';
import { printable as p } from './printable.js';

/** ↑ for an objective to maximise, ↓ for one to minimise. */
export function arrow(direction: Direction): string {
  return direction === 'maximize' ? '↑' : '↓';
}

/** `accuracy ↑` */
export function objectiveLabel(o: ObjectiveSpec): string {
  return `${p(o.name)} ${arrow(o.direction)}`;
}

/** `size_bytes ≤ 100000`, `0.9 ≤ accuracy`, `10 ≤ param_count ≤ 5000` */
export function constraintLabel(c: ConstraintSpec): string {
  const name = p(c.name);
  if (c.min !== undefined && c.max !== undefined) return `${c.min} ≤ ${name} ≤ ${c.max}`;
  if (c.min !== undefined) return `${name} ≥ ${c.min}`;
  return `${name} ≤ ${c.max}`;
}

/** A value as the tables print it: six significant digits (an integer whole). */
export function value(v: number | null | undefined): string {
  return v === null || v === undefined ? '—' : String(Number(v.toPrecision(6)));
}

/** Rows of cells as columns two spaces apart, each padded to its widest cell, trailing spaces trimmed. */
export function columns(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const r of rows) {
    r.forEach((c, i) => {
      widths[i] = Math.max(widths[i] ?? 0, c.length);
    });
  }
  return rows.map((r) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  );
}

/**
 * The front's heading: `front: 3 trials (accuracy ↑, param_count ↓); 22 of 24 complete trials feasible
 * (size_bytes ≤ 100000)`. The feasible count only when the study has constraints.
 */
export function frontHeading(j: JudgedSummary, complete: number): string {
  const n = j.front.length;
  const feasible =
    j.constraints.length === 0
      ? ''
      : `; ${j.feasible} of ${complete} complete trials feasible (${j.constraints.map(constraintLabel).join(', ')})`;
  return `front: ${n} ${n === 1 ? 'trial' : 'trials'} (${j.objectives.map(objectiveLabel).join(', ')})${feasible}`;
}

/**
 * The front, one line per member (id and each objective's value), indented by `indent`: best first in the
 * first objective (ties by index), so that the lines read as the trade-off.
 */
export function frontLines(j: JudgedSummary, indent = '  '): string[] {
  if (j.front.length === 0) return [`${indent}(no complete feasible trial yet)`];
  const sign = j.objectives[0]!.direction === 'maximize' ? -1 : 1;
  const members = [...j.front].sort((a, b) => sign * (a.values[0]! - b.values[0]!) || a.index - b.index);
  const rows = [
    ['id', ...j.objectives.map(objectiveLabel)],
    ...members.map((t) => [p(t.id), ...t.values.map(value)]),
  ];
  return columns(rows).map((l) => `${indent}${l}`);
}
