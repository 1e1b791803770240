/**
 * The outputs of a benchmark: results.json (every run's values and the statistics; timings under
 * `timings`, so that the rest compares equal between runs), summary.md, and a self-contained
 * report.html whose charts are vega-lite specs rendered to SVG in Node (no network).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderSvg } from '../report/charts.js';
import type { SuiteStats, TimingStats } from './analyse.js';
import type { ProblemInfo } from './problems.js';
import type { RunResult } from './run.js';
import type { Suite } from './suite.js';

export interface BenchResults {
  format: 'lockstep-bench/1';
  suite: {
    name: string;
    seed: number;
    seeds: number;
    trials: number;
    budgets: number[];
    problems: ProblemInfo[];
    strategies: { label: string; sampler: Record<string, unknown> }[];
  };
  runs: Omit<RunResult, 'timings' | 'index'>[];
  stats: SuiteStats;
  timings: TimingStats & { wallMs: number; workers: number };
}

export function benchResults(
  suite: Suite,
  problems: ProblemInfo[],
  runs: readonly RunResult[],
  stats: SuiteStats,
  timings: BenchResults['timings'],
): BenchResults {
  return {
    format: 'lockstep-bench/1',
    suite: {
      name: suite.name,
      seed: suite.seed,
      seeds: suite.seeds,
      trials: suite.trials,
      budgets: suite.budgets,
      problems,
      strategies: suite.strategies.map((s) => ({ label: s.label, sampler: s.sampler })),
    },
    runs: runs.map(({ timings: _t, index: _i, ...rest }) => rest),
    stats,
    timings,
  };
}

/** A number for a table: 3 significant digits, or exponent form for very small / large. */
export function fmt(x: number | undefined): string {
  if (x === undefined || Number.isNaN(x)) return '—';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a < 1e-3 || a >= 1e5) return x.toExponential(2);
  return Number(x.toPrecision(3)).toString();
}

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

export function summaryMarkdown(r: BenchResults): string {
  const { stats, suite } = r;
  const strategies = suite.strategies.map((s) => s.label);
  const parts: string[] = [];
  parts.push(`# Benchmark ${suite.name}`);
  parts.push(
    `${suite.problems.length} problems × ${strategies.length} strategies × ${suite.seeds} seeds, ${suite.trials} trials each (suite seed ${suite.seed}). ` +
      `Wall time ${(r.timings.wallMs / 1000).toFixed(1)} s on ${r.timings.workers} worker(s).`,
  );
  parts.push('## Mean regret (best − optimum) at each budget');
  parts.push(
    'Regret is measured from the known optimum; for a problem without one (marked *), from the best value any run found. Lower is better.',
  );
  const head = [
    'problem',
    'strategy',
    ...stats.budgets.map((b) => `${b} trials`),
    `median @${stats.budgets.at(-1)}`,
    'AUC',
  ];
  const rows: string[][] = [];
  for (const p of stats.problems) {
    const best: Record<number, number> = {};
    for (const b of stats.budgets)
      best[b] = Math.min(...strategies.map((s) => p.strategies[s]!.atBudget[b]!.meanRegret));
    for (const s of strategies) {
      const st = p.strategies[s]!;
      rows.push([
        `${p.label}${p.optimumKnown ? '' : '*'}`,
        s,
        ...stats.budgets.map((b) => {
          const v = st.atBudget[b]!.meanRegret;
          return v === best[b] ? `**${fmt(v)}**` : fmt(v);
        }),
        fmt(st.atBudget[stats.budgets.at(-1)!]!.medianRegret),
        fmt(st.area),
      ]);
    }
  }
  parts.push(table(head, rows));
  parts.push('## Mean rank (1 = best; over every problem and seed, ties averaged)');
  parts.push(
    table(
      ['strategy', ...stats.budgets.map((b) => `${b} trials`)],
      strategies.map((s) => [s, ...stats.budgets.map((b) => fmt(stats.ranks[b]![s]))]),
    ),
  );
  parts.push(
    '## Normalised score (Bayesmark: 0 = optimum, 1 = median first draw of random search; mean over problems)',
  );
  parts.push(
    table(
      ['strategy', ...stats.budgets.map((b) => `${b} trials`)],
      strategies.map((s) => [s, ...stats.budgets.map((b) => fmt(stats.scores[b]![s]))]),
    ),
  );
  parts.push(
    `## Wins (one-sided Mann–Whitney U on the final best, p < 0.05, over ${stats.problems.length} problems)`,
  );
  parts.push(
    table(
      ['strategy', 'total wins', ...stats.problems.map((p) => p.label)],
      strategies.map((s) => [
        s,
        String(stats.wins[s] ?? 0),
        ...stats.problems.map((p) => String(p.wins[s] ?? 0)),
      ]),
    ),
  );
  parts.push('## Time per suggestion (timing only)');
  parts.push(
    table(
      ['strategy', 'ms per suggestion', 'ms per run'],
      strategies.map((s) => [
        s,
        fmt(r.timings.perStrategy[s]?.msPerSuggestion),
        fmt(r.timings.perStrategy[s]?.wallMsPerRun),
      ]),
    ),
  );
  return `${parts.join('\n\n')}\n`;
}

type VlSpec = Record<string, unknown>;

function curveSpec(r: BenchResults, problem: SuiteStats['problems'][number]): VlSpec {
  const strategies = r.suite.strategies.map((s) => s.label);
  const values: { trial: number; strategy: string; value: number }[] = [];
  const positive = strategies.flatMap((s) => problem.strategies[s]!.meanRegret).filter((v) => v > 0);
  const floor = positive.length > 0 ? Math.min(...positive) : 1e-12;
  for (const s of strategies) {
    problem.strategies[s]!.meanRegret.forEach((v, t) => {
      if (Number.isFinite(v)) values.push({ trial: t + 1, strategy: s, value: Math.max(v, floor) });
    });
  }
  const title = `${problem.label}: mean regret${problem.optimumKnown ? '' : ' (from the best found)'}`;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 420,
    height: 260,
    data: { values },
    mark: { type: 'line', interpolate: 'step-after' },
    encoding: {
      x: { field: 'trial', type: 'quantitative', title: 'trials' },
      y: { field: 'value', type: 'quantitative', title: 'mean regret', scale: { type: 'log' } },
      color: { field: 'strategy', type: 'nominal', sort: strategies },
    },
  };
}

function rankSpec(r: BenchResults): VlSpec {
  const strategies = r.suite.strategies.map((s) => s.label);
  const values = r.stats.budgets.flatMap((b) =>
    strategies.map((s) => ({ budget: b, strategy: s, rank: r.stats.ranks[b]![s]! })),
  );
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Mean rank at each budget (1 = best)',
    width: 420,
    height: 220,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'budget', type: 'quantitative', title: 'trials' },
      y: {
        field: 'rank',
        type: 'quantitative',
        title: 'mean rank',
        scale: { domain: [1, strategies.length], reverse: true },
      },
      color: { field: 'strategy', type: 'nominal', sort: strategies },
    },
  };
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Markdown tables to HTML tables (only what summaryMarkdown writes: headings, paragraphs, tables). */
function markdownToHtml(md: string): string {
  const out: string[] = [];
  for (const block of md.trim().split(/\n\n+/)) {
    if (block.startsWith('# ')) out.push(`<h1>${escapeHtml(block.slice(2))}</h1>`);
    else if (block.startsWith('## ')) out.push(`<h2>${escapeHtml(block.slice(3))}</h2>`);
    else if (block.startsWith('|')) {
      const lines = block.split('\n').filter((_, i) => i !== 1);
      const cells = (l: string) => l.slice(2, -2).split(' | ');
      const bold = (c: string) => escapeHtml(c).replace(/\*\*(.+?)\*\*/g, '<b>$1</b>');
      const [h, ...rows] = lines;
      out.push(
        `<table><thead><tr>${cells(h!)
          .map((c) => `<th>${bold(c)}</th>`)
          .join('')}</tr></thead><tbody>${rows
          .map(
            (r) =>
              `<tr>${cells(r)
                .map((c) => `<td>${bold(c)}</td>`)
                .join('')}</tr>`,
          )
          .join('')}</tbody></table>`,
      );
    } else out.push(`<p>${escapeHtml(block)}</p>`);
  }
  return out.join('\n');
}

export async function reportHtml(r: BenchResults, summary: string): Promise<string> {
  const charts: string[] = [];
  for (const p of r.stats.problems) charts.push(await renderSvg(curveSpec(r, p)));
  const rank = await renderSvg(rankSpec(r));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>lockstep bench: ${escapeHtml(r.suite.name)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
td:first-child,td:nth-child(2),th{text-align:left}.charts{display:flex;flex-wrap:wrap;gap:1em}</style></head>
<body>
${markdownToHtml(summary)}
<h2>Best-so-far curves</h2>
<div class="charts">${charts.map((c) => `<figure>${c}</figure>`).join('\n')}</div>
<h2>Ranks</h2>
<figure>${rank}</figure>
</body></html>
`;
}

/** Writes results.json, summary.md and report.html into `dir`; returns their paths. */
export async function writeOutputs(
  dir: string,
  r: BenchResults,
): Promise<{ results: string; summary: string; report: string }> {
  const paths = {
    results: join(dir, 'results.json'),
    summary: join(dir, 'summary.md'),
    report: join(dir, 'report.html'),
  };
  const md = summaryMarkdown(r);
  writeFileSync(paths.results, `${JSON.stringify(r, null, 1)}\n`);
  writeFileSync(paths.summary, md);
  writeFileSync(paths.report, await reportHtml(r, md));
  return paths;
}
