/**
 * The Pareto front of a study with several objectives, in headless Chromium: a scatter of the first two
 * objectives (one point per complete trial, infeasible ones grey, coloured by a third objective), the
 * front's members ringed and labelled, and its table. Real NSGA-II studies on penguins (~3 s each).
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { foldLedger, readLedger, type StudyState } from '../../src/ledger/index.js';
import { isFeasible } from '../../src/study/objectives.js';
import { type FrontTrial, paretoFrontOf } from '../../src/study/result.js';
import { tempDir } from '../helpers/cli.js';
import { fixtureTrials, MIXED, writeFixtureLedger } from './fixtures.js';
import { launch, legendEntries, type Opened, open, writeReportFile } from './page.js';
import { MULTI_OBJECTIVE_3, MULTI_OBJECTIVE_STUDY, runStudy } from './studies.js';

let browser: Browser;
const dir = tempDir('lockstep-report-pareto-');

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

/** The trial index and feasibility of each point a chart layer draws, read from its aria-label. */
async function points(
  page: Page,
  layer: string,
): Promise<{ trial: number; infeasible: boolean; fill: string }[]> {
  const paths = page.locator(`#chart-pareto-svg g.${layer}_marks > path`);
  const out: { trial: number; infeasible: boolean; fill: string }[] = [];
  for (const p of await paths.all()) {
    const label = (await p.getAttribute('aria-label')) ?? '';
    out.push({
      trial: Number(/trial: (\d+)/.exec(label)?.[1] ?? Number.NaN),
      infeasible: label.includes('constraints: infeasible'),
      fill: (await p.getAttribute('fill')) ?? '',
    });
  }
  return out;
}

function ledgerState(ledger: string): StudyState {
  return foldLedger(readLedger(ledger).records);
}

describe('the report of a study with two objectives and a constraint', () => {
  let opened: Opened;
  let state: StudyState;
  let front: FrontTrial[];

  beforeAll(async () => {
    const ledger = await runStudy(dir, 'two', MULTI_OBJECTIVE_STUDY);
    state = ledgerState(ledger);
    front = paretoFrontOf(state)!;
    opened = await open(browser, await writeReportFile(ledger, dir, 'two'), 1400);
  });

  it('renders without console errors and requests nothing outside its file', () => {
    expect(opened.errors).toEqual([]);
    expect(opened.foreign).toEqual([]);
  });

  it('plots every complete trial, the infeasible ones grey, and rings exactly the front', async () => {
    const { page } = opened;
    const complete = state.trials.filter((t) => t.state === 'complete');
    const drawn = await points(page, 'trials');
    expect(drawn.map((p) => p.trial)).toEqual(complete.map((t) => t.index));
    expect(drawn.map((p) => p.infeasible)).toEqual(complete.map((t) => !isFeasible(t.constraints)));
    expect(drawn.some((p) => p.infeasible)).toBe(true);
    for (const p of drawn) expect(p.fill === '#c4c4c4', `trial ${p.trial}`).toBe(p.infeasible);
    expect(await page.locator('#chart-pareto-svg g.front_marks > path').count()).toBe(front.length);
    // labelled with their index, in the front's (index) order
    expect(await page.locator('#chart-pareto-svg g.labels_marks text').allTextContents()).toEqual(
      front.map((t) => `#${t.index}`),
    );
    // two objectives: the staircase through the front
    expect(await page.locator('#chart-pareto-svg g.staircase_marks path').count()).toBe(1);
    expect(await legendEntries(page, 'chart-pareto', 'constraints')).toEqual(['feasible', 'infeasible']);
    const box = await page.locator('#chart-pareto-svg').boundingBox();
    expect(box?.width).toBeGreaterThan(600);
  });

  it('tables the front, best accuracy first, and marks its rows in the trials table', async () => {
    const { page } = opened;
    const listed = [...front].sort((a, b) => b.values[0]! - a.values[0]! || a.index - b.index);
    expect(
      await page
        .locator('#front tbody tr')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-index'))),
    ).toEqual(listed.map((t) => String(t.index)));
    expect(await page.locator('#front thead th').allTextContents()).toEqual(
      expect.arrayContaining(['accuracy ↑', 'param_count ↓']),
    );
    expect(
      await page
        .locator('#trials tbody tr.front')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-index'))),
    ).toEqual(front.map((t) => String(t.index)));
    const summary = (await page.locator('#front-summary').textContent()) ?? '';
    const feasible = state.trials.filter((t) => t.state === 'complete' && isFeasible(t.constraints)).length;
    expect(summary).toContain(
      `of the ${state.trials.length} complete trials are feasible (size_bytes ≤ 6000)`,
    );
    expect(summary).toContain(`${feasible} of the`);
  });

  it('saves a screenshot', async () => {
    const shot = join(dir, 'pareto.png');
    await opened.page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(20_000);
  });
});

it('colours the points by a third objective and draws no staircase', async () => {
  const ledger = await runStudy(dir, 'three', MULTI_OBJECTIVE_3);
  const state = ledgerState(ledger);
  const front = paretoFrontOf(state)!;
  const { page, errors } = await open(browser, await writeReportFile(ledger, dir, 'three'), 1400);
  expect(errors).toEqual([]);
  const drawn = await points(page, 'trials');
  expect(drawn).toHaveLength(state.trials.filter((t) => t.state === 'complete').length);
  // feasible points take the colour scale's colours, infeasible ones stay grey
  const colours = new Set(drawn.filter((p) => !p.infeasible).map((p) => p.fill));
  expect(colours.size).toBeGreaterThan(1);
  expect(colours.has('#c4c4c4')).toBe(false);
  expect(await page.locator('#chart-pareto-svg g.role-legend[aria-label*="train_loss"]').count()).toBe(1);
  expect(await page.locator('#chart-pareto-svg g.front_marks > path').count()).toBe(front.length);
  expect(await page.locator('#chart-pareto-svg g.staircase_marks').count()).toBe(0);
  await page.close();
});

it('a single-objective report has no front', async () => {
  const ledger = join(dir, 'mixed.jsonl');
  writeFixtureLedger(ledger, fixtureTrials(MIXED));
  const { page } = await open(browser, await writeReportFile(ledger, dir, 'mixed'));
  expect(await page.locator('#chart-pareto').count()).toBe(0);
  expect(await page.locator('#front').count()).toBe(0);
  expect((await page.locator('body').textContent()) ?? '').not.toContain('Pareto');
  await page.close();
});
