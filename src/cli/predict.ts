import { writeFileSync } from 'node:fs';
import { LockstepError } from '../errors.js';
import { loadModel, type Predictions } from '../train/predictor.js';
import { printJson } from './args.js';

const USAGE = 'lockstep predict <model-dir> <csv|tsv|json> [--out FILE] [--proba] [--json]';

/** A CSV cell: quoted when it holds a comma, quote or line break; a formula-like text gets a leading quote. */
function cell(v: string | number): string {
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** The predictions as CSV: `prediction`, then with `proba` one `p_<class>` column per class. */
export function predictionsCsv(p: Predictions, proba: boolean): string {
  const withProba = proba && p.probabilities !== undefined && p.classes !== undefined;
  const header = ['prediction', ...(withProba ? p.classes!.map((c) => `p_${c}`) : [])];
  const lines = [header.map(cell).join(',')];
  p.predictions.forEach((v, i) => {
    const row: (string | number)[] = [v];
    if (withProba) row.push(...p.probabilities![i]!);
    lines.push(row.map(cell).join(','));
  });
  return `${lines.join('\n')}\n`;
}

export async function run({
  positionals,
  values,
}: {
  positionals: string[];
  values: Record<string, unknown>;
}): Promise<number> {
  if (positionals.length !== 2) {
    throw new LockstepError(
      'E_USAGE',
      `expected a model directory and a data file, got ${positionals.length} argument(s) (usage: ${USAGE})`,
    );
  }
  const [dir, file] = positionals as [string, string];
  const proba = values.proba === true;
  const model = await loadModel(dir);
  try {
    const p = await model.predictFile(file);
    if (p.ignoredColumns.length > 0 && values.json !== true) {
      process.stderr.write(
        `${file}: ignored column${p.ignoredColumns.length > 1 ? 's' : ''} the model does not use: ${p.ignoredColumns.join(', ')}\n`,
      );
    }
    const out = typeof values.out === 'string' ? values.out : undefined;
    if (out !== undefined) {
      const asJson = out.endsWith('.json');
      writeFileSync(
        out,
        asJson
          ? `${JSON.stringify(proba ? p : { ...p, probabilities: undefined })}\n`
          : predictionsCsv(p, proba),
      );
    }
    if (values.json === true) {
      printJson({
        model: dir,
        rows: p.predictions.length,
        task: p.task,
        ...(p.classes ? { classes: p.classes } : {}),
        ...(out === undefined ? { predictions: p.predictions } : { out }),
        ...(out === undefined && proba && p.probabilities ? { probabilities: p.probabilities } : {}),
        ...(p.metrics ? { metrics: p.metrics } : {}),
        ignoredColumns: p.ignoredColumns,
      });
    } else {
      if (out === undefined) process.stdout.write(predictionsCsv(p, proba));
      if (p.metrics) {
        const parts = Object.entries(p.metrics).map(([k, v]) => `${k} ${v}`);
        process.stderr.write(
          `${p.predictions.length} rows with the target '${model.target}': ${parts.join(', ')}\n`,
        );
      }
      if (out !== undefined) process.stderr.write(`${p.predictions.length} predictions written to ${out}\n`);
    }
  } finally {
    model.dispose();
  }
  return 0;
}
