import { studyDigest } from '../ledger/index.js';
import { summarizeAny } from '../study/summary.js';
import { onePositional, printJson } from './args.js';
import { constraintLabel, frontHeading, frontLines, objectiveLabel, value } from './front.js';
import { printable as p } from './printable.js';

const USAGE = 'lockstep show <ledger> [--json]';

/** Characters of a failed trial's error that the table shows; `--json` has the whole of it. */
const ERROR_WIDTH = 60;

/** The first `width` characters of `s` (by code point), with an ellipsis when it was longer. */
function clip(s: string, width: number): string {
  const chars = Array.from(s);
  return chars.length <= width ? s : `${chars.slice(0, width - 1).join('')}…`;
}

export async function run({
  positionals,
  values,
}: {
  positionals: string[];
  values: Record<string, unknown>;
}): Promise<number> {
  const s = await summarizeAny(onePositional(positionals, 'ledger', USAGE));
  const digest = studyDigest(s.state);
  if (values.json) {
    printJson({
      study: s.study,
      ledger: s.ledger,
      metric: s.metric,
      direction: s.direction,
      digest,
      pruner: s.pruner,
      epochs: s.epochs,
      counts: s.counts,
      best: s.best,
      // A study with several objectives or constraints: what it was judged by, and its front.
      ...(s.judged === null
        ? {}
        : {
            objectives: s.judged.objectives,
            constraints: s.judged.constraints,
            feasible: s.judged.feasible,
            front: s.judged.front,
          }),
      refit: s.state.refit,
      trials: s.trials,
    });
    return 0;
  }
  const out = process.stdout;
  // Human output: every string from the ledger through p(), so that it cannot drive the terminal.
  for (const w of s.warnings) process.stderr.write(`lockstep: warning: ${p(w)}\n`);
  const c = s.counts;
  const j = s.judged;
  // Several objectives: the table shows each one's value (the score is the first metric's) and marks the front.
  const several = j !== null && j.objectives.length > 1;
  const constrained = j !== null && j.constraints.length > 0;
  const judgedBy = several
    ? j.objectives.map(objectiveLabel).join(', ')
    : `${p(s.metric)}, ${p(s.direction)}`;
  const bounds = constrained ? `; ${j.constraints.map(constraintLabel).join(', ')}` : '';
  out.write(
    `study ${p(s.study)} (${judgedBy}${bounds})  ${s.trials.length} trials (${c.complete} complete, ${c.pruned} pruned, ${c.failed} failed), ${s.epochs} epochs trained${s.pruner === 'none' ? '' : `, pruner ${p(s.pruner)}`}\n`,
  );
  const names = [...new Set(s.trials.flatMap((t) => Object.keys(t.params)))].sort();
  // 'epochs' is what each trial trained; a pruned trial's score is its value at the epoch it stopped.
  // A failed trial's error, last (it is the widest); clipped, then escaped so that it cannot drive the terminal.
  const withError = s.trials.some((t) => t.error !== null);
  const onFront = new Set(j?.front.map((t) => t.index));
  const header = [
    'id',
    'state',
    ...(several ? j.objectives.map(objectiveLabel) : ['score']),
    ...(constrained ? ['feasible'] : []),
    ...(several ? ['front'] : []),
    'epochs',
    ...names.map(p),
    ...(withError ? ['error'] : []),
  ];
  const rows = s.trials.map((t) => [
    p(t.id),
    t.state === 'pruned' ? `pruned@${t.epochs}` : p(t.state),
    ...(several
      ? j.objectives.map((_, k) => value(t.values?.[k]))
      : [t.score === null ? '—' : String(Number(t.score.toPrecision(6)))]),
    ...(constrained ? [t.feasible == null ? '—' : t.feasible ? 'yes' : 'no'] : []),
    ...(several ? [onFront.has(t.index) ? '*' : ''] : []),
    String(t.epochs),
    ...names.map((n) => {
      const v = t.params[n];
      return v === undefined ? '' : typeof v === 'number' ? String(Number(v.toPrecision(4))) : p(String(v));
    }),
    ...(withError ? [t.error === null ? '' : p(clip(t.error, ERROR_WIDTH))] : []),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  out.write(`${line(header)}\n${rows.map(line).join('\n')}\n`);
  if (several) {
    out.write(`${frontHeading(j, c.complete)}\n${frontLines(j).join('\n')}\n`);
  } else if (s.best) {
    const feasible = constrained ? ` (best of ${j.feasible} feasible)` : '';
    out.write(`best: ${p(s.best.id)}  ${p(s.metric)} ${s.best.score}${feasible}\n`);
  } else if (constrained) {
    out.write(`best: none (${j.feasible} of ${c.complete} complete trials feasible)\n`);
  }
  const refit = s.state.refit;
  if (refit && several) {
    // The front's best in the first objective (refitChoice); another member can be trained by its params.
    const id = s.trials.find((t) => t.index === refit.index)?.id ?? String(refit.index);
    out.write(
      `refit: trial ${p(id)} (the front's best ${p(j.objectives[0]!.name)}): test ${p(s.metric)} ${refit.testScore}\n`,
    );
  } else if (refit) out.write(`refit: test ${p(s.metric)} ${refit.testScore}\n`);
  out.write(`digest ${digest}\n`);
  return 0;
}
