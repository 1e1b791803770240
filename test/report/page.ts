/**
 * Opening a report in headless Chromium (Debian's package, through playwright-core), and reading
 * what its vega SVG shows: axis labels, legend entries, marks.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { cli } from '../helpers/cli.js';
import { CHROMIUM_ARGS, requireChromium } from './fixtures.js';

export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: requireChromium(), args: CHROMIUM_ARGS, headless: true });
}

export interface Opened {
  page: Page;
  /** Console errors and warnings, page errors and dialogs. */
  errors: string[];
  /** Every request that is not for a file:// URL. */
  foreign: string[];
}

/** Opens a report file at a viewport width (1280 unless told), recording errors and foreign requests. */
export async function open(browser: Browser, file: string, width = 1280): Promise<Opened> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const errors: string[] = [];
  const foreign: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => {
    errors.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  page.on('request', (r) => {
    if (!r.url().startsWith('file://')) foreign.push(r.url());
  });
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  return { page, errors, foreign };
}

/** `lockstep report <ledger> --out <dir>/<name>.html`; returns the page's path. */
export async function writeReportFile(ledger: string, dir: string, name: string): Promise<string> {
  const out = join(dir, `${name}.html`);
  const r = await cli(['report', ledger, '--out', out]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return out;
}

/** The tick labels of a chart's axis, as drawn: `which` is 'X' or 'Y'. */
export function axisLabels(page: Page, chart: string, which: 'X' | 'Y'): Promise<string[]> {
  return page
    .locator(`#${chart}-svg g.role-axis[aria-label^="${which}-axis"] g.role-axis-label text`)
    .allTextContents();
}

/** The aria-label vega gives a chart's axis, e.g. `X-axis titled 'units' for a log scale with values from 16 to 128`. */
export async function axisDescription(page: Page, chart: string, which: 'X' | 'Y'): Promise<string> {
  return (
    (await page
      .locator(`#${chart}-svg g.role-axis[aria-label^="${which}-axis"]`)
      .getAttribute('aria-label')) ?? ''
  );
}

/** The entries of a chart's legend titled `title`, as drawn. */
export function legendEntries(page: Page, chart: string, title: string): Promise<string[]> {
  return page
    .locator(`#${chart}-svg g.role-legend[aria-label*="titled '${title}'"] g.role-legend-label text`)
    .allTextContents();
}
