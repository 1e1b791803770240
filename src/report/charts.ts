/**
 * The report's charts: vega-lite specs built from the report model, rendered to SVG in Node (no
 * runtime, nothing fetched). Each chart's SVG carries a stable id (`<chart id>-svg`) and its
 * per-trial marks a stable class (`trials_marks`), so that a test can count them.
 */
import type { TrialStatus } from '../ledger/index.js';
import type { ObjectiveSpec } from '../study/objectives.js';
import { numericTicks, type ParamAxis, type ReportModel, type ReportTrial, show } from './model.js';

type VlSpec = Record<string, unknown>;

export interface Chart {
  /** The figure's id, e.g. `chart-history`, `chart-slice-learning_rate`. */
  id: string;
  title: string;
  /** Null when there is nothing to plot (the page then says why). */
  svg: string | null;
  /** How many per-trial marks the chart draws (points, lines or bars). */
  marks: number;
  note: string;
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';
const STATE_COLORS: Record<TrialStatus, string> = {
  complete: '#4c78a8',
  pruned: '#f58518',
  failed: '#e45756',
  running: '#9d9d9d',
};
const STOP_SHAPES: Partial<Record<TrialStatus, string>> = { pruned: 'triangle-down', failed: 'cross' };

/** The colour by state, its legend listing only the states that `trials` have (each keeps its colour). */
function stateColor(trials: readonly { state: TrialStatus }[]) {
  const present = (Object.keys(STATE_COLORS) as TrialStatus[]).filter((s) =>
    trials.some((t) => t.state === s),
  );
  return {
    field: 'state',
    type: 'nominal',
    title: 'state',
    scale: { domain: present, range: present.map((s) => STATE_COLORS[s]) },
  };
}

/** An axis of counts (trial indices, epochs): no tick between two integers. */
const INTEGER_TICKS = { tickMinStep: 1, format: 'd' };

const scored = (t: ReportTrial): t is ReportTrial & { score: number } =>
  t.score !== null && Number.isFinite(t.score) && t.state !== 'failed';

/** A parameter id safe in an HTML id and a CSS selector. */
export function slug(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, (c) => `_${c.charCodeAt(0).toString(16)}`);
}

export function historySpec(m: ReportModel): { spec: VlSpec; marks: number } {
  const points = m.trials.filter(scored).map((t) => ({ trial: t.index, score: t.score, state: t.state }));
  const best: { trial: number; best: number }[] = [];
  let b: number | undefined;
  for (const t of m.trials) {
    if (t.state !== 'complete' || !scored(t)) continue;
    if (b === undefined || (m.direction === 'maximize' ? t.score > b : t.score < b)) b = t.score;
    best.push({ trial: t.index, best: b });
  }
  const last = m.trials.at(-1)?.index;
  if (b !== undefined && last !== undefined && best.at(-1)!.trial !== last)
    best.push({ trial: last, best: b });
  return {
    marks: points.length,
    spec: {
      $schema: SCHEMA,
      width: 640,
      height: 260,
      layer: [
        {
          name: 'trials',
          data: { values: points },
          mark: { type: 'point', filled: true, size: 36, opacity: 0.8 },
          encoding: {
            x: { field: 'trial', type: 'quantitative', title: 'trial index', axis: INTEGER_TICKS },
            y: { field: 'score', type: 'quantitative', title: m.metric, scale: { zero: false } },
            color: stateColor(points),
          },
        },
        {
          name: 'best',
          data: { values: best },
          mark: { type: 'line', interpolate: 'step-after', color: '#222', strokeWidth: 1.5 },
          encoding: {
            x: { field: 'trial', type: 'quantitative' },
            y: { field: 'best', type: 'quantitative' },
          },
        },
      ],
    },
  };
}

/**
 * One line per complete trial across every parameter (in [0, 1], log-aware) and the score. Each
 * axis is a vertical rule labelled where its values cross it: every choice of a categorical
 * parameter, round numbers on a numeric one (the same ticks as its slice plot).
 */
export function parallelSpec(m: ReportModel): { spec: VlSpec; marks: number } {
  const trials = m.trials.filter((t) => t.state === 'complete' && scored(t));
  const scores = trials.map((t) => t.score!);
  const lo = Math.min(...scores);
  const hi = Math.max(...scores);
  const scoreUnit = (s: number) => (hi > lo ? (s - lo) / (hi - lo) : 0.5);
  const axisNames = [...m.axes.map((a) => a.name), m.metric];
  const values: Record<string, unknown>[] = [];
  for (const t of trials) {
    m.axes.forEach((a, k) => {
      const u = a.unit(t.params[a.name]);
      if (u !== undefined) values.push({ trial: t.index, axis: a.name, order: k, value: u, score: t.score });
    });
    values.push({
      trial: t.index,
      axis: m.metric,
      order: m.axes.length,
      value: scoreUnit(t.score!),
      score: t.score,
    });
  }
  const labels: { axis: string; y: number; text: string }[] = [];
  for (const a of m.axes) {
    for (const v of a.ticks) {
      const y = a.unit(v);
      if (y !== undefined) labels.push({ axis: a.name, y, text: show(v) });
    }
  }
  const scoreTicks = hi > lo ? numericTicks(lo, hi, { log: false, integer: false }) : [lo];
  for (const v of scoreTicks) labels.push({ axis: m.metric, y: scoreUnit(v), text: show(v) });
  const x = { field: 'axis', type: 'nominal', sort: axisNames };
  const y = { field: 'y', type: 'quantitative', scale: { domain: [0, 1] }, axis: null };
  return {
    marks: trials.length,
    spec: {
      $schema: SCHEMA,
      width: Math.max(360, 90 * axisNames.length),
      height: 280,
      layer: [
        {
          name: 'axes',
          data: { values: axisNames.map((axis) => ({ axis, y: 0, y2: 1 })) },
          mark: { type: 'rule', color: '#bbb', strokeWidth: 1 },
          encoding: { x: { ...x, title: null, axis: { labelAngle: -30 } }, y, y2: { field: 'y2' } },
        },
        {
          name: 'trials',
          data: { values },
          mark: { type: 'line', strokeWidth: 1, opacity: 0.6 },
          encoding: {
            x,
            y: { ...y, field: 'value' },
            detail: { field: 'trial', type: 'nominal' },
            order: { field: 'order', type: 'quantitative' },
            color: {
              field: 'score',
              type: 'quantitative',
              title: m.metric,
              scale: { scheme: { name: 'viridis', extent: [0, 0.85] }, reverse: m.direction === 'minimize' },
            },
          },
        },
        {
          name: 'ticks',
          data: { values: labels },
          mark: { type: 'point', shape: 'stroke', size: 30, color: '#666', strokeWidth: 1, opacity: 1 },
          encoding: { x, y },
        },
        {
          name: 'labels',
          data: { values: labels },
          mark: { type: 'text', fontSize: 9, color: '#333', baseline: 'middle', align: 'left', dx: 5 },
          encoding: { x, y, text: { field: 'text' } },
        },
      ],
    },
  };
}

/** The score against one parameter, a point per trial where it is active. */
export function sliceSpec(m: ReportModel, axis: ParamAxis): { spec: VlSpec; marks: number } {
  const values = m.trials
    .filter(scored)
    .filter((t) => axis.unit(t.params[axis.name]) !== undefined)
    .map((t) => {
      const v = t.params[axis.name];
      // categorical values as strings, to match the axis's order (choices may be numbers)
      return { trial: t.index, value: axis.kind === 'categorical' ? String(v) : v, score: t.score };
    });
  const x =
    axis.kind === 'categorical'
      ? { field: 'value', type: 'nominal', sort: axis.choices, title: axis.name, axis: { labelAngle: 0 } }
      : {
          field: 'value',
          type: 'quantitative',
          title: axis.log ? `${axis.name} (log)` : axis.name,
          // the range itself: a nice log domain would round 16–128 out to 10–1000
          scale: { type: axis.log ? 'log' : 'linear', domain: spanOf(axis, values), nice: false, padding: 8 },
          // the axis's own ticks: vega's would put an int parameter at 1.2, 1.4…
          axis: { values: axis.ticks, format: '~g' },
        };
  return {
    marks: values.length,
    spec: {
      $schema: SCHEMA,
      width: 240,
      height: 170,
      data: { values },
      name: 'trials',
      mark: { type: 'point', filled: true, size: 28, opacity: 0.75 },
      encoding: {
        x,
        y: { field: 'score', type: 'quantitative', title: m.metric, scale: { zero: false } },
        color: { field: 'trial', type: 'quantitative', title: 'trial', scale: { scheme: 'blues' } },
      },
    },
  };
}

/** A numeric axis's domain: its range, widened to any value outside it (a foreign value). */
function spanOf(axis: ParamAxis, values: { value: unknown }[]): [number, number] {
  let [low, high] = axis.domain ?? [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
  for (const { value } of values) {
    if (typeof value !== 'number') continue;
    low = Math.min(low, value);
    high = Math.max(high, value);
  }
  return [low, high];
}

export function importanceSpec(m: ReportModel): { spec: VlSpec; marks: number } {
  const values = m.importance.map((i) => ({ param: i.name, importance: i.importance, std: i.std }));
  return {
    marks: values.length,
    spec: {
      $schema: SCHEMA,
      width: 420,
      height: Math.max(60, 22 * values.length),
      data: { values },
      layer: [
        {
          name: 'params',
          mark: { type: 'bar', color: '#4c78a8' },
          encoding: {
            y: { field: 'param', type: 'nominal', sort: values.map((v) => v.param), title: null },
            x: {
              field: 'importance',
              type: 'quantitative',
              title:
                m.importanceBasis.epoch === null
                  ? 'share of the score’s variance explained alone (fANOVA)'
                  : `share of the variance of ${m.metric} at epoch ${m.importanceBasis.epoch} explained alone (fANOVA)`,
              scale: { domain: [0, 1] },
            },
          },
        },
        {
          name: 'values',
          mark: { type: 'text', align: 'left', dx: 4, fontSize: 10 },
          encoding: {
            y: { field: 'param', type: 'nominal', sort: values.map((v) => v.param) },
            x: { field: 'importance', type: 'quantitative' },
            text: { field: 'importance', type: 'quantitative', format: '.3f' },
          },
        },
      ],
    },
  };
}

/** One line per trial with per-epoch metrics; pruned and failed trials end in a marker. */
export function curvesSpec(m: ReportModel): { spec: VlSpec; marks: number } {
  const withCurve = m.trials.filter((t) => t.curve.length > 0);
  const values = withCurve.flatMap((t) =>
    t.curve.map((p) => ({ trial: t.index, epoch: p.epoch, value: p.value, state: t.state })),
  );
  const ends = withCurve
    .filter((t) => STOP_SHAPES[t.state] !== undefined)
    .map((t) => ({
      trial: t.index,
      epoch: t.curve.at(-1)!.epoch,
      value: t.curve.at(-1)!.value,
      state: t.state,
    }));
  const stopped = (Object.keys(STOP_SHAPES) as TrialStatus[]).filter((s) => ends.some((e) => e.state === s));
  const color = stateColor(withCurve);
  const layer: VlSpec[] = [
    {
      name: 'trials',
      data: { values },
      mark: { type: 'line', strokeWidth: 1, opacity: 0.55 },
      encoding: {
        x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: INTEGER_TICKS },
        y: { field: 'value', type: 'quantitative', title: m.curveMetric ?? '', scale: { zero: false } },
        detail: { field: 'trial', type: 'nominal' },
        color,
      },
    },
  ];
  // no markers, no "stopped" legend, when no trial stopped early
  if (ends.length > 0) {
    layer.push({
      name: 'ends',
      data: { values: ends },
      mark: { type: 'point', filled: true, size: 60 },
      encoding: {
        x: { field: 'epoch', type: 'quantitative' },
        y: { field: 'value', type: 'quantitative' },
        color,
        shape: {
          field: 'state',
          type: 'nominal',
          title: 'stopped',
          scale: { domain: stopped, range: stopped.map((s) => STOP_SHAPES[s]!) },
        },
      },
    });
  }
  return {
    marks: withCurve.length,
    spec: { $schema: SCHEMA, width: 640, height: 280, layer },
  };
}

/** Grey for a trial whose constraints do not hold. */
const INFEASIBLE = '#c4c4c4';

/**
 * A positive range wide enough (1.5 decades or more) to be read on a log scale, e.g. parameter counts, whose
 * front sits at the small end: on a linear axis 16–1,500 parameters crush the front's members into one spot.
 */
function wantsLog(values: number[]): boolean {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return lo > 0 && hi / lo >= 30;
}

/**
 * The first two objectives of a study with several, one point per complete trial with both values:
 * coloured by the third objective when there is one, grey crosses where the constraints fail. The front's
 * members are ringed and labelled with their index. With two objectives they are joined by the staircase
 * that bounds what they dominate (vertical first when the x objective is maximised, horizontal first when it
 * is minimised); with more, a member may be on the front for a later objective alone, so there is none.
 */
export function paretoSpec(m: ReportModel): { spec: VlSpec; marks: number } {
  const j = m.judged!;
  const [ox, oy, oz] = j.objectives as [ObjectiveSpec, ObjectiveSpec, ObjectiveSpec | undefined];
  const constrained = j.constraints.length > 0;
  const points = m.trials
    .filter(
      (t) =>
        t.state === 'complete' &&
        t.values !== null &&
        Number.isFinite(t.values[0]) &&
        Number.isFinite(t.values[1]),
    )
    .map((t) => ({
      trial: t.index,
      x: t.values![0]!,
      y: t.values![1]!,
      ...(oz !== undefined && Number.isFinite(t.values![2]) ? { z: t.values![2]! } : {}),
      feasibility: t.feasible === false ? 'infeasible' : 'feasible',
      front: t.front,
    }));
  const front = points.filter((p) => p.front).map((p) => ({ ...p, label: `#${p.trial}` }));
  const title = (o: ObjectiveSpec) => `${o.name} (${o.direction})`;
  const axis = (field: string, o: ObjectiveSpec, values: number[]) => ({
    field,
    type: 'quantitative',
    title: title(o),
    scale: wantsLog(values) ? { type: 'log' } : { zero: false },
  });
  const x = axis(
    'x',
    ox,
    points.map((p) => p.x),
  );
  const y = axis(
    'y',
    oy,
    points.map((p) => p.y),
  );
  const plain = constrained
    ? {
        field: 'feasibility',
        type: 'nominal',
        title: 'constraints',
        scale: { domain: ['feasible', 'infeasible'], range: [STATE_COLORS.complete, INFEASIBLE] },
      }
    : { value: STATE_COLORS.complete };
  const color =
    oz === undefined
      ? plain
      : {
          condition: { test: "datum.feasibility === 'infeasible'", value: INFEASIBLE },
          field: 'z',
          type: 'quantitative',
          title: title(oz),
          legend: { titleLimit: 320 },
          scale: { scheme: { name: 'viridis', extent: [0, 0.85] }, reverse: oz.direction === 'minimize' },
        };
  const trialsLayer: VlSpec = {
    name: 'trials',
    data: { values: points },
    mark: { type: 'point', filled: true, size: 46, opacity: 0.85 },
    encoding: {
      x,
      y,
      color,
      // in each point's aria-label: which trial it is
      tooltip: { field: 'trial', type: 'quantitative', title: 'trial' },
      ...(constrained
        ? {
            shape: {
              field: 'feasibility',
              type: 'nominal',
              title: 'constraints',
              scale: { domain: ['feasible', 'infeasible'], range: ['circle', 'cross'] },
            },
          }
        : {}),
    },
  };
  const layer: VlSpec[] = [];
  if (front.length > 0 && oz === undefined) {
    layer.push({
      name: 'staircase',
      data: { values: front },
      mark: {
        type: 'line',
        interpolate: ox.direction === 'maximize' ? 'step-before' : 'step-after',
        color: '#222',
        strokeWidth: 1.2,
        strokeDash: [4, 3],
      },
      encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
    });
  }
  layer.push(trialsLayer);
  if (front.length > 0) {
    layer.push(
      {
        name: 'front',
        data: { values: front },
        mark: { type: 'point', filled: false, size: 190, strokeWidth: 2, color: '#222', opacity: 1 },
        encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
      },
      {
        name: 'labels',
        data: { values: front },
        mark: { type: 'text', fontSize: 10, color: '#222', align: 'left', baseline: 'bottom', dx: 7, dy: -5 },
        encoding: {
          x: { field: 'x', type: 'quantitative' },
          y: { field: 'y', type: 'quantitative' },
          text: { field: 'label' },
        },
      },
    );
  }
  return { marks: points.length, spec: { $schema: SCHEMA, width: 640, height: 360, layer } };
}

/** Renders a vega-lite spec to an SVG string in Node. */
export async function renderSvg(spec: VlSpec): Promise<string> {
  const vl = await import('vega-lite');
  const vega = await import('vega');
  const compiled = vl.compile(spec as never).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

async function chart(
  id: string,
  title: string,
  built: { spec: VlSpec; marks: number },
  empty: string,
  note = '',
): Promise<Chart> {
  if (built.marks === 0) return { id, title, svg: null, marks: 0, note: empty };
  const svg = (await renderSvg(built.spec)).replace(
    /^<svg ([^>]*?)class="marks"/,
    `<svg $1id="${id}-svg" class="marks lockstep-chart" aria-label="${title.replace(/[<>&"]/g, '')}"`,
  );
  return { id, title, svg, marks: built.marks, note };
}

/** Every chart of the report, in page order. */
export async function reportCharts(m: ReportModel): Promise<{
  history: Chart;
  parallel: Chart;
  slices: Chart[];
  importance: Chart;
  curves: Chart;
  /** A study with several objectives: the first two against each other, the front marked; else null. */
  pareto: Chart | null;
}> {
  const history = await chart(
    'chart-history',
    'Optimisation history',
    historySpec(m),
    'No trial has a score yet.',
    `One point per trial with a score (${m.metric}, to ${m.direction}); the line is the best complete trial so far.`,
  );
  const parallel = await chart(
    'chart-parallel',
    'Parallel coordinates',
    parallelSpec(m),
    'No complete trial yet.',
    'One line per complete trial, coloured by score; each axis spans its parameter’s range in the space (log-scaled where the space is) and is labelled at every choice or at round values. A conditional parameter that is inactive is skipped.',
  );
  const slices: Chart[] = [];
  for (const a of m.axes) {
    slices.push(
      await chart(`chart-slice-${slug(a.name)}`, a.name, sliceSpec(m, a), `No scored trial sets ${a.name}.`),
    );
  }
  const importance = await chart(
    'chart-importance',
    'Parameter importance',
    importanceSpec(m),
    `No importance: ${m.importanceNote ?? 'nothing to compute'}.`,
  );
  const curves = await chart(
    'chart-curves',
    'Learning curves',
    curvesSpec(m),
    'No per-epoch metrics recorded yet.',
    `${m.curveMetric ?? ''} after each epoch, one line per trial; ▼ marks where a pruned trial stopped, ✕ where a failed one did.`,
  );
  const objectives = m.judged?.objectives ?? [];
  const pareto =
    objectives.length < 2
      ? null
      : await chart(
          'chart-pareto',
          'Pareto front',
          paretoSpec(m),
          'No complete trial has values for both objectives yet.',
          `One point per complete trial: ${objectives[0]!.name} against ${objectives[1]!.name}${objectives[2] ? `, coloured by ${objectives[2].name}` : ''}${m.judged!.constraints.length > 0 ? '; grey crosses break a constraint' : ''}. The front's members (no other feasible trial is as good in every objective and better in one) are ringed and labelled with their index${
            objectives.length === 2
              ? '; the dashed staircase bounds what they dominate'
              : ` (a member may be on the front for ${objectives
                  .slice(2)
                  .map((o) => o.name)
                  .join(' or ')} alone)`
          }.`,
        );
  return { history, parallel, slices, importance, curves, pareto };
}
