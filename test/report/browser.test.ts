/**
 * The report opened in headless Chromium (Debian's package, driven by playwright-core): it must
 * render without console errors, fetch nothing but its own file, draw one mark per trial in every
 * chart, and sort its table on a click. Chromium missing is a failure, not a skip.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, tempDir } from '../helpers/cli.js';
import {
  CHROMIUM_ARGS,
  type FixtureTrial,
  fixtureTrials,
  MIXED,
  requireChromium,
  SPACE,
  writeFixtureLedger,
} from './fixtures.js';

let browser: Browser;
const dir = tempDir('lockstep-report-');

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: requireChromium(), args: CHROMIUM_ARGS, headless: true });
  expect(existsSync(join(import.meta.dirname, '../../dist/cli/report.js')), 'run npm run build first').toBe(
    true,
  );
});
afterAll(async () => {
  await browser?.close();
});

interface Opened {
  page: Page;
  errors: string[];
  foreign: string[];
}

/** Opens a report file, recording console errors, page errors and every request that is not file://. */
async function open(file: string): Promise<Opened> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
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

async function report(trials: FixtureTrial[], name: string): Promise<string> {
  const ledger = join(dir, `${name}.jsonl`);
  writeFixtureLedger(ledger, trials);
  const out = join(dir, `${name}.html`);
  const r = await cli(['report', ledger, '--out', out]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return out;
}

/** Counts the per-trial marks of a chart: symbols and bars are one path each, a line series is one group. */
async function marks(page: Page, chart: string, name = 'trials'): Promise<number> {
  const svg = page.locator(`#${chart}-svg`);
  expect(await svg.count(), `${chart} has an SVG`).toBe(1);
  return svg.locator(`g.${name}_marks > path`).count();
}

describe('the report of a study with complete, pruned, failed and running trials', () => {
  const trials = fixtureTrials(MIXED);
  let file: string;
  let opened: Opened;

  beforeAll(async () => {
    file = await report(trials, 'mixed');
    opened = await open(file);
  });

  it('renders without console errors and requests nothing outside its file', () => {
    expect(opened.errors).toEqual([]);
    expect(opened.foreign).toEqual([]);
    const html = readFileSync(file, 'utf8');
    expect(html).not.toMatch(/(src|href)="https?:/);
    expect(html).not.toContain('<script>alert(1)</script>');
  });

  it('draws one mark per trial in every chart', async () => {
    const { page } = opened;
    const scored = trials.filter((t) => t.fate === 'complete' || t.fate === 'pruned');
    const complete = trials.filter((t) => t.fate === 'complete');
    const withCurve = trials.filter((t) => t.curve.length > 0);
    expect(await marks(page, 'chart-history')).toBe(scored.length);
    expect(await marks(page, 'chart-parallel')).toBe(complete.length);
    expect(await marks(page, 'chart-curves')).toBe(withCurve.length);
    // pruned and failed trials that ran an epoch end in a marker
    expect(await marks(page, 'chart-curves', 'ends')).toBe(
      withCurve.filter((t) => t.fate === 'pruned' || t.fate === 'failed').length,
    );
    for (const name of Object.keys(SPACE)) {
      const active = scored.filter((t) => t.params[name] !== undefined);
      expect(await marks(page, `chart-slice-${name}`), `slice ${name}`).toBe(active.length);
    }
    expect(await marks(page, 'chart-importance', 'params')).toBe(Object.keys(SPACE).length);
    for (const id of ['chart-history', 'chart-parallel', 'chart-curves', 'chart-importance']) {
      const box = await page.locator(`#${id}-svg`).boundingBox();
      expect(box?.width, id).toBeGreaterThan(100);
    }
  });

  it('lists every trial with its replay command, and sorts by score on a click', async () => {
    const { page } = opened;
    const rows = page.locator('#trials tbody tr');
    expect(await rows.count()).toBe(trials.length);
    const firstIndex = () => rows.first().getAttribute('data-index');
    expect(await page.locator('#trials tbody tr[data-index="3"] td.replay code').textContent()).toBe(
      `npx lockstep replay 01234567-3 --ledger ${join(dir, 'mixed.jsonl')}`,
    );
    const byScore = trials.filter((t) => t.score !== null).sort((a, b) => a.score! - b.score!);
    const header = page.locator('#trials th', { hasText: 'accuracy' });
    await header.click();
    expect(await header.getAttribute('aria-sort')).toBe('ascending');
    expect(await firstIndex()).toBe(String(byScore[0]!.index));
    await header.click();
    expect(await firstIndex()).toBe(String(byScore.at(-1)!.index));
    // trials without a score stay last in both directions
    expect(await rows.last().getAttribute('data-index')).toBe(
      String(trials.filter((t) => t.score === null).at(-1)!.index),
    );
    await page.locator('#trials th', { hasText: '#' }).click();
    expect(await firstIndex()).toBe('0');
  });

  it('shows the environment, dataset hash and digest, and saves a screenshot', async () => {
    const { page } = opened;
    const text = (await page.locator('body').textContent()) ?? '';
    expect(text).toContain('d'.repeat(64));
    expect(text).toContain('Test CPU');
    expect(await page.locator('#digest').textContent()).toMatch(/^[0-9a-f]{64}$/);
    const shot = join(dir, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(20_000);
  });
});

describe('reports that have little to show', () => {
  it('renders an empty study: no charts, no rows, no errors', async () => {
    const file = await report([], 'empty');
    const { page, errors, foreign } = await open(file);
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
    expect(await page.locator('#trials tbody tr').count()).toBe(0);
    expect(await page.locator('svg.lockstep-chart').count()).toBe(0);
    expect(await page.locator('figure.chart.empty').count()).toBeGreaterThanOrEqual(4);
    await page.close();
  });

  it('renders a study whose every trial failed or was pruned', async () => {
    const trials = fixtureTrials(['failed', 'pruned', 'failed-early', 'pruned']);
    const { page, errors } = await open(await report(trials, 'bad'));
    expect(errors).toEqual([]);
    expect(await marks(page, 'chart-history')).toBe(2);
    expect(await marks(page, 'chart-curves')).toBe(3);
    expect(await page.locator('#chart-parallel-svg').count()).toBe(0);
    expect(await page.locator('#trials tbody tr').count()).toBe(4);
    await page.close();
  });
});

it('gives the same bytes from two processes (importance is seeded by the study)', async () => {
  const ledger = join(dir, 'twice.jsonl');
  writeFixtureLedger(ledger, fixtureTrials(MIXED));
  const a = join(dir, 'a.html');
  const b = join(dir, 'b.html');
  const [ra, rb] = await Promise.all([
    cli(['report', ledger, '--out', a]),
    cli(['report', ledger, '--out', b]),
  ]);
  expect([ra.code, rb.code]).toEqual([0, 0]);
  expect(readFileSync(a, 'utf8')).toBe(readFileSync(b, 'utf8'));
});
