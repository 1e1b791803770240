/**
 * The report page: one self-contained HTML file. Charts are inline SVG, the table's sorting is a
 * few lines of inline script, and a Content-Security-Policy forbids every fetch (no fonts, no
 * CDN, no images but data: URLs), so the page works offline and leaks nothing.
 */
import { Document, isMap, isScalar, isSeq, visit } from 'yaml';
import { version } from '../version.js';
import { type Chart, reportCharts } from './charts.js';
import type { ReportModel, ReportTrial } from './model.js';

export interface HtmlOptions {
  /** Served by the dashboard: reload when the server says the ledger changed (`/events`). */
  live?: boolean;
}

export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function num(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined) return '';
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x)) return String(x);
  return Number(x.toPrecision(digits)).toString();
}

function figure(c: Chart, cls = 'chart', titled = false): string {
  const body = c.svg ?? `<p class="empty">${escapeHtml(c.note)}</p>`;
  const note = c.svg && c.note ? `<figcaption>${escapeHtml(c.note)}</figcaption>` : '';
  return `<figure class="${cls}${c.svg ? '' : ' empty'}" id="${c.id}" data-marks="${c.marks}">${titled ? `<h3>${escapeHtml(c.title)}</h3>` : ''}${body}${note}</figure>`;
}

/**
 * A config as YAML, one line per setting and one per parameter of the space: every collection below
 * the top level (and below `space`) is written in flow style, `{ low: 16, high: 128 }`.
 */
export function compactYaml(config: Record<string, unknown>): string {
  const doc = new Document(config);
  visit(doc, {
    Map(_, node, path) {
      const depth = path.filter((p) => isMap(p) || isSeq(p)).length;
      const key = path.length >= 2 ? (path.at(-1) as { key?: unknown }).key : undefined;
      const isSpace = depth === 1 && isScalar(key) && key.value === 'space';
      if (depth >= 1 && !isSpace) node.flow = true;
    },
    Seq(_, node, path) {
      if (path.some((p) => isMap(p) || isSeq(p))) node.flow = true;
    },
  });
  return doc.toString({ lineWidth: 0 });
}

/** A sortable cell: `data-v` is what sorting compares (numbers as numbers, missing values last). */
function cell(text: string, sortValue: string | number | null, cls = ''): string {
  const v = sortValue === null ? '' : String(sortValue);
  return `<td${cls ? ` class="${cls}"` : ''} data-v="${escapeHtml(v)}">${escapeHtml(text)}</td>`;
}

/** Escaped text that may wrap after each / and _ as well as at spaces (paths, parameter names). */
function breakable(s: string): string {
  return escapeHtml(s).replace(/[/_]/g, '$&<wbr>');
}

/** A command that wraps only at its spaces and after the /s of a path, never at a hyphen of an id. */
function command(s: string): string {
  const unbroken = (part: string) =>
    part.includes('-') ? `<span class="nw">${escapeHtml(part)}</span>` : escapeHtml(part);
  return s
    .split(' ')
    .map((token) =>
      token
        .split(/(?<=\/)/)
        .map(unbroken)
        .join('<wbr>'),
    )
    .join(' ');
}

/** The objectives a judged study's tables show besides the score: every one but the study's metric. */
function extraObjectives(m: ReportModel): { name: string; direction: string; k: number }[] {
  return (m.judged?.objectives ?? []).map((o, k) => ({ ...o, k })).filter((o) => o.name !== m.metric);
}

/** `accuracy ↑` */
function objectiveLabel(o: { name: string; direction: string }): string {
  return `${o.name} ${o.direction === 'maximize' ? '↑' : '↓'}`;
}

/** `size_bytes ≤ 100000` */
function constraintLabel(c: { name: string; min?: number; max?: number }): string {
  if (c.min !== undefined && c.max !== undefined) return `${c.min} ≤ ${c.name} ≤ ${c.max}`;
  return c.min !== undefined ? `${c.name} ≥ ${c.min}` : `${c.name} ≤ ${c.max}`;
}

function valueCell(v: number | null | undefined): string {
  return cell(num(v ?? null), v !== null && v !== undefined && Number.isFinite(v) ? v : null);
}

function paramCells(t: { params: Record<string, unknown> }, m: ReportModel): string[] {
  return m.axes.map((a) => {
    const v = t.params[a.name] as ReportTrial['params'][string] | undefined;
    return cell(
      v === undefined ? '' : typeof v === 'number' ? num(v) : String(v),
      v === undefined ? null : typeof v === 'number' ? v : String(v),
    );
  });
}

function trialRow(t: ReportTrial, m: ReportModel): string {
  const best = m.best?.index === t.index ? ' best' : '';
  const front = t.front && (m.judged?.objectives.length ?? 0) > 1 ? ' front' : '';
  const constrained = (m.judged?.constraints.length ?? 0) > 0;
  const cells = [
    cell(String(t.index), t.index),
    cell(t.id, t.id, 'mono'),
    cell(t.label, t.label, `state-${t.state}`),
    cell(num(t.score), t.score !== null && Number.isFinite(t.score) ? t.score : null),
    ...extraObjectives(m).map((o) => valueCell(t.values?.[o.k])),
    ...(constrained
      ? [
          t.feasible === null
            ? cell('', null)
            : cell(t.feasible ? 'yes' : 'no', t.feasible ? 'yes' : 'no', t.feasible ? '' : 'infeasible'),
        ]
      : []),
    cell(String(t.epochs), t.epochs),
    cell(t.wallMs === null ? '' : (t.wallMs / 1000).toFixed(2), t.wallMs),
    ...paramCells(t, m),
    `<td class="replay"><code>${command(t.replay)}</code>${t.error ? `<div class="error">${escapeHtml(t.error)}</div>` : ''}</td>`,
  ];
  return `<tr class="trial${best}${front}" data-index="${t.index}">${cells.join('')}</tr>`;
}

function trialsTable(m: ReportModel): string {
  const constrained = (m.judged?.constraints.length ?? 0) > 0;
  // [title, how sorting compares it]: text columns compare as strings, the rest as numbers where they are
  const heads: [string, 'text' | 'auto'][] = [
    ['#', 'auto'],
    ['id', 'text'],
    ['state', 'text'],
    [m.metric, 'auto'],
    ...extraObjectives(m).map((o): [string, 'auto'] => [o.name, 'auto']),
    ...(constrained ? [['feasible', 'text'] as [string, 'text']] : []),
    ['epochs', 'auto'],
    ['wall (s)', 'auto'],
    ...m.axes.map((a): [string, 'auto'] => [a.name, 'auto']),
  ];
  const th = heads
    .map(([h, type], i) => `<th data-col="${i}" data-type="${type}" title="sort">${breakable(h)}</th>`)
    .join('');
  return `<table id="trials" class="trials"><thead><tr>${th}<th>replay</th></tr></thead><tbody>${m.trials
    .map((t) => trialRow(t, m))
    .join('\n')}</tbody></table>`;
}

/** The Pareto front, best first in the first objective (ties by index): each member's values and parameters. */
function frontTable(m: ReportModel): string {
  const j = m.judged!;
  const sign = j.objectives[0]!.direction === 'maximize' ? -1 : 1;
  const members = [...j.front].sort((a, b) => sign * (a.values[0]! - b.values[0]!) || a.index - b.index);
  const heads = ['#', 'id', ...j.objectives.map(objectiveLabel), ...m.axes.map((a) => a.name)];
  const rows = members.map((f) => {
    const t = m.trials.find((r) => r.index === f.index);
    const cells = [
      cell(String(f.index), f.index),
      cell(f.id, f.id, 'mono'),
      ...f.values.map((v) => valueCell(v)),
      ...paramCells(f, m),
      `<td class="replay"><code>${command(t?.replay ?? '')}</code></td>`,
    ];
    const best = m.best?.index === f.index ? ' best' : '';
    return `<tr class="trial front${best}" data-index="${f.index}">${cells.join('')}</tr>`;
  });
  return `<table id="front" class="trials"><thead><tr>${heads.map((h) => `<th>${breakable(h)}</th>`).join('')}<th>replay</th></tr></thead><tbody>${rows.join('\n')}</tbody></table>`;
}

/** A study with several objectives: the scatter of its first two and the front's table. */
function frontSection(m: ReportModel, chart: Chart): string {
  const j = m.judged!;
  const complete = m.trials.filter((t) => t.state === 'complete').length;
  const feasible =
    j.constraints.length > 0
      ? ` ${j.feasible} of the ${complete} complete trials are feasible (${j.constraints.map(constraintLabel).join(', ')}).`
      : '';
  const n = j.front.length;
  const refit =
    m.best !== null
      ? ` The refit takes the front's best ${j.objectives[0]!.name}, trial ${m.best.id} (highlighted).`
      : '';
  return `<h2>Pareto front</h2>
<p class="sub" id="front-summary">${n} ${n === 1 ? 'trial is' : 'trials are'} on the front of ${escapeHtml(j.objectives.map(objectiveLabel).join(', '))}: complete and feasible, and no other such trial is as good in every objective and better in one.${escapeHtml(feasible)}${escapeHtml(refit)}</p>
${figure(chart)}
<div class="tablewrap">${n > 0 ? frontTable(m) : '<p class="empty">No trial is on the front yet.</p>'}</div>`;
}

function kv(rows: [string, string][]): string {
  return `<table class="kv">${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td class="mono">${escapeHtml(v)}</td></tr>`).join('')}</table>`;
}

/** Sorts the trials table by a clicked header; a second click reverses. Numbers compare as numbers, empty cells last. */
const SORT_SCRIPT = `(function(){
var table=document.getElementById('trials');if(!table)return;
var body=table.tBodies[0];
table.querySelectorAll('th[data-col]').forEach(function(th){th.addEventListener('click',function(){
var col=+th.getAttribute('data-col');var dir=th.getAttribute('aria-sort')==='ascending'?-1:1;
table.querySelectorAll('th[data-col]').forEach(function(h){h.removeAttribute('aria-sort');});
th.setAttribute('aria-sort',dir===1?'ascending':'descending');
var text=th.getAttribute('data-type')==='text';
var rows=Array.prototype.slice.call(body.rows);
rows.sort(function(a,b){var x=a.cells[col].getAttribute('data-v'),y=b.cells[col].getAttribute('data-v');
if(x===''&&y==='')return (+a.getAttribute('data-index'))-(+b.getAttribute('data-index'));if(x==='')return 1;if(y==='')return -1;
var nx=Number(x),ny=Number(y);var c=(!text&&!isNaN(nx)&&!isNaN(ny))?(nx-ny):(x<y?-1:x>y?1:0);
return c!==0?dir*c:(+a.getAttribute('data-index'))-(+b.getAttribute('data-index'));});
rows.forEach(function(r){body.appendChild(r);});});});})();`;

const LIVE_SCRIPT = `(function(){if(!window.EventSource)return;var es=new EventSource('/events');
es.addEventListener('report',function(){es.close();location.reload();});})();`;

const STYLE = `body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:1400px;margin:1.5em auto;padding:0 1em;color:#222;font-size:14px}
h1{font-size:1.5em;margin-bottom:.2em}h2{margin-top:1.6em;border-bottom:1px solid #ddd;padding-bottom:.2em}h3{font-size:1em;margin:.2em 0}
.sub{color:#555}td.mono{white-space:nowrap}.mono,code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
.charts{display:flex;flex-wrap:wrap;gap:1em}figure{margin:0 0 1em}figcaption{color:#555;font-size:12px;max-width:700px}
figure.empty p{color:#777;font-style:italic}details{margin-top:1em}details>summary{cursor:pointer}details>summary h3{display:inline}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:2px 6px;text-align:left;vertical-align:top}
table.trials th[data-col]{cursor:pointer;background:#f4f4f4;user-select:none}
table.trials th[aria-sort=ascending]::after{content:" ▲"}table.trials th[aria-sort=descending]::after{content:" ▼"}
tr.best td{background:#eef6ee}.state-pruned{color:#b55d00}.state-failed{color:#c0262d}.error{color:#c0262d;font-size:12px}
table.trials{font-size:13px}table.trials td,table.trials th{padding:2px 5px}td.replay{min-width:14em}td.replay code{overflow-wrap:break-word}.nw{white-space:nowrap}.tablewrap{overflow-x:auto}p{max-width:75em}.kv th{background:#f8f8f8;font-weight:600}
.warn{color:#a33}`;

/** Only on the page of a study with several objectives or constraints (the others keep their bytes). */
const JUDGED_STYLE = 'tr.front td:first-child{box-shadow:inset 3px 0 #222}td.infeasible{color:#888}';

const IMPORTANCE_METHOD = `Each bar is the share of the score's variance over the search space that the parameter explains on its own; the rest is interactions. A conditional parameter's "inactive" is one of its levels.`;

/** Which trials the importance was fitted to, and by which value. */
function importanceBasisText(m: ReportModel): string {
  const b = m.importanceBasis;
  const forest = `fANOVA on a random forest of 32 regression trees (bootstrap seeded from the study seed ${m.seed}, so the same ledger gives the same numbers)`;
  if (b.epoch === null) {
    const pruned = m.trials.filter((t) => t.state === 'pruned').length;
    return `${forest}, fitted to the final ${m.metric} of the ${b.complete} complete trials.${b.prunedLeftOut ? ` The ${pruned} pruned trials are not counted: ${b.prunedLeftOut}.` : ''}`;
  }
  return `${forest}, fitted to ${m.metric} after epoch ${b.epoch} of the ${b.complete} complete and ${b.pruned} pruned trials: epoch ${b.epoch} is the last epoch all of them reached. A pruned trial has no final score, and leaving it out would hide what got it pruned; comparing every trial at the same epoch counts it without mixing short and long training, so these numbers say how much each parameter moves ${m.metric} at epoch ${b.epoch}, not at the end.`;
}

/** `Metric accuracy (maximize)`; with several objectives each one, and the constraints. */
function judgedBy(m: ReportModel): string {
  const j = m.judged;
  if (j === null) return `Metric ${escapeHtml(m.metric)} (${m.direction})`;
  const objectives =
    j.objectives.length > 1
      ? `Objectives ${j.objectives.map((o) => `${escapeHtml(o.name)} (${o.direction})`).join(', ')}`
      : `Metric ${escapeHtml(m.metric)} (${m.direction})`;
  const constraints =
    j.constraints.length > 0
      ? `; constraints ${escapeHtml(j.constraints.map(constraintLabel).join(', '))}`
      : '';
  return `${objectives}${constraints}`;
}

/** The report page of a model. */
export async function reportHtml(m: ReportModel, options: HtmlOptions = {}): Promise<string> {
  const charts = await reportCharts(m);
  const env = m.environment;
  const counts = { complete: 0, pruned: 0, failed: 0, running: 0 };
  for (const t of m.trials) counts[t.state]++;
  const several = (m.judged?.objectives.length ?? 0) > 1;
  const best = several
    ? m.best
      ? `Pareto front: <b>${m.judged!.front.length}</b> of ${m.trials.filter((t) => t.state === 'complete').length} complete trials; the refit takes trial <b>${escapeHtml(m.best.id)}</b>, the front's best ${escapeHtml(m.judged!.objectives[0]!.name)} (${num(m.judged!.front.find((t) => t.index === m.best!.index)?.values[0], 6)}) — replay with <code>${command(m.trials.find((t) => t.index === m.best!.index)?.replay ?? '')}</code>`
      : 'No complete feasible trial yet.'
    : m.best
      ? `Best: trial <b>${escapeHtml(m.best.id)}</b>, ${escapeHtml(m.metric)} = <b>${num(m.best.score, 6)}</b> — replay with <code>${escapeHtml(m.trials.find((t) => t.index === m.best!.index)?.replay ?? '')}</code>`
      : 'No complete trial yet.';
  const csp = `default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:${options.live ? "; connect-src 'self'" : ''}`;
  const importanceNote = m.importance.length > 0 ? `${importanceBasisText(m)} ${IMPORTANCE_METHOD}` : '';
  const environment = kv([
    ['lockstep', env.lockstep],
    ['numeric', String(env.numeric)],
    ['node', env.node],
    ['tfjs', env.tfjs],
    ['backend', `${env.backend ?? '—'}${env.backendVersion ? ` ${env.backendVersion}` : ''}`],
    ['platform', `${env.platform} ${env.arch}`],
    ['cpu', env.cpu],
  ]);
  const study = kv([
    ['study', m.study],
    ['key', m.key],
    ['seed', String(m.seed)],
    ['digest', m.digest],
    ['config hash', m.configHash],
    ['dataset', m.dataset ? `${m.dataset.source} (${m.dataset.rows} rows)` : '—'],
    ['dataset hash', m.dataset?.hash ?? '—'],
    ['ledger', `${m.ledger} (${m.records} records)`],
    ...(m.refit
      ? ([
          [
            'refit',
            `trial ${m.refit.index}: test ${m.metric} = ${num(m.refit.testScore, 6)}, weights ${m.refit.weightsHash}`,
          ],
        ] as [string, string][])
      : []),
  ]);
  const configText = compactYaml(m.config);
  const warnings =
    m.warnings.length > 0
      ? `<ul class="warn">${m.warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul>`
      : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>lockstep report: ${escapeHtml(m.study)}</title>
<style>${STYLE}${m.judged ? `\n${JUDGED_STYLE}` : ''}</style></head>
<body data-trials="${m.trials.length}">
<h1>Study ${escapeHtml(m.study)}</h1>
<p class="sub">${m.trials.length} trials: ${counts.complete} complete, ${counts.pruned} pruned, ${counts.failed} failed${counts.running ? `, ${counts.running} running` : ''}. ${judgedBy(m)}. Digest <span class="mono" id="digest">${m.digest}</span>.</p>
<p>${best}</p>
${warnings}
${charts.pareto ? `${frontSection(m, charts.pareto)}\n` : ''}<h2>Optimisation history</h2>
${figure(charts.history)}
<h2>Parallel coordinates</h2>
<div class="tablewrap">${figure(charts.parallel)}</div>
<h2>Slices</h2>
<p class="sub">The score against each parameter, one point per scored trial where the parameter is active; darker points are later trials.</p>
<div class="charts">${charts.slices.map((c) => figure(c, 'chart slice', true)).join('\n')}</div>
<h2>Parameter importance</h2>
${figure(charts.importance)}
<p class="sub" id="importance-basis">${escapeHtml(importanceNote)}</p>
<h2>Learning curves</h2>
${figure(charts.curves)}
<h2>Trials</h2>
<p class="sub">Click a column to sort it. Each trial's replay command retrains it and compares every recorded number.</p>
<div class="tablewrap">${trialsTable(m)}</div>
<h2>Study and environment</h2>
<div class="charts"><div><h3>Study</h3>${study}</div><div><h3>Recorded environment</h3>${environment}</div></div>
<details id="config"><summary><h3>Configuration</h3> <span class="sub">(${configText.split('\n').length - 1} lines of YAML, as recorded)</span></summary>
<pre class="mono">${escapeHtml(configText)}</pre></details>
<p class="sub">Generated by lockstep ${escapeHtml(version)} from the ledger alone; the same ledger gives the same page.</p>
<script>${SORT_SCRIPT}</script>
${options.live ? `<script>${LIVE_SCRIPT}</script>` : ''}
</body></html>
`;
}
