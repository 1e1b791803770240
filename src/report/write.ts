import { writeFileSync } from 'node:fs';
import { type HtmlOptions, reportHtml } from './html.js';
import { readReportModel } from './model.js';

/** The report page of a ledger (read without a lock, so a running search can be reported). */
export async function buildReport(ledger: string, options: HtmlOptions = {}): Promise<string> {
  return reportHtml(await readReportModel(ledger), options);
}

/** Writes a ledger's report to `out`; returns its size in bytes and its number of trials. */
export async function writeReport(ledger: string, out: string): Promise<{ bytes: number; trials: number }> {
  const model = await readReportModel(ledger);
  const html = await reportHtml(model);
  writeFileSync(out, html);
  return { bytes: Buffer.byteLength(html), trials: model.trials.length };
}
