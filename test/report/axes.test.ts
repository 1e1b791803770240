/**
 * The charts' axes, read from the SVG as Chromium draws it, for a real study (penguins, Hyperband)
 * whose space has integer (linear and log), log-float, categorical and conditional parameters.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { axisDescription, axisLabels, launch, open, writeReportFile } from './page.js';
import { MIXED_SPACE_STUDY, runStudy } from './studies.js';

let browser: Browser;
let page: Page;
const dir = tempDir('lockstep-report-axes-');

beforeAll(async () => {
  browser = await launch();
  const ledger = await runStudy(dir, 'mixed-space', MIXED_SPACE_STUDY);
  const opened = await open(browser, await writeReportFile(ledger, dir, 'mixed-space'), 1400);
  expect(opened.errors).toEqual([]);
  page = opened.page;
});
afterAll(async () => {
  await browser?.close();
});

interface AxisLabel {
  text: string;
  /** The label's vertical position in the chart, in pixels from the top. */
  y: number;
}

/** The labels the parallel-coordinates chart writes along each axis, by axis. */
async function parallelLabels(): Promise<Map<string, AxisLabel[]>> {
  const items = await page.locator('#chart-parallel-svg g.labels_marks text').evaluateAll((els) =>
    els.map((e) => ({
      aria: e.getAttribute('aria-label') ?? '',
      text: e.textContent ?? '',
      y: e.getBoundingClientRect().top,
    })),
  );
  const byAxis = new Map<string, AxisLabel[]>();
  for (const { aria, text, y } of items) {
    const axis = /^axis: (.*?); /.exec(aria)?.[1];
    expect(axis, `a label names its axis: ${aria}`).toBeDefined();
    const list = byAxis.get(axis!) ?? [];
    list.push({ text, y });
    byAxis.set(axis!, list);
  }
  return byAxis;
}

/** Labels from the bottom of the axis to its top. */
const upwards = (labels: AxisLabel[] | undefined) =>
  [...(labels ?? [])].sort((a, b) => b.y - a.y).map((l) => l.text);

describe('parallel coordinates', () => {
  it('name every choice of a categorical axis, in the space’s order from the bottom', async () => {
    const labels = await parallelLabels();
    expect(upwards(labels.get('activation'))).toEqual(['relu', 'tanh', 'elu']);
    expect(upwards(labels.get('optimizer'))).toEqual(['adam', 'sgd']);
    expect(upwards(labels.get('batch_size'))).toEqual(['32', '64']);
  });

  it('label a numeric axis at several ticks inside its range, integers only on an integer axis', async () => {
    const labels = await parallelLabels();
    expect(upwards(labels.get('layers'))).toEqual(['1', '2']);
    const numbers = (axis: string) => upwards(labels.get(axis)).map(Number);
    const units = numbers('units_1');
    expect(units.length).toBeGreaterThanOrEqual(3);
    for (const u of units) {
      expect(Number.isInteger(u), `units_1 tick ${u}`).toBe(true);
      expect(u).toBeGreaterThanOrEqual(16);
      expect(u).toBeLessThanOrEqual(128);
    }
    const lr = numbers('learning_rate');
    expect(lr).toEqual([0.001, 0.01, 0.1]);
    const momentum = numbers('momentum');
    expect(momentum.length).toBeGreaterThanOrEqual(3);
    for (const m of momentum) expect(m >= 0 && m <= 0.99, `momentum tick ${m}`).toBe(true);
    // increasing upwards, so that each label sits where its value's lines cross the axis
    for (const axis of ['units_1', 'learning_rate', 'momentum', 'accuracy']) {
      const v = numbers(axis);
      expect(v, axis).toEqual([...v].sort((a, b) => a - b));
    }
    expect(numbers('accuracy').length).toBeGreaterThanOrEqual(3);
  });
});

describe('slice plots', () => {
  it('tick an integer parameter at integers only', async () => {
    const layers = await axisLabels(page, 'chart-slice-layers', 'X');
    expect(layers).toEqual(['1', '2']);
    expect(await axisDescription(page, 'chart-slice-layers', 'X')).toMatch(/linear scale/);
  });

  it('span a log axis over the space’s range (units 16–128), not to the next decades, ticked inside it', async () => {
    const description = await axisDescription(page, 'chart-slice-units_1', 'X');
    expect(description).toMatch(/log scale/);
    const [low, high] = /values from ([\d.,]+) to ([\d.,]+)/
      .exec(description)!
      .slice(1)
      .map((v) => Number(v.replace(/,/g, '')));
    // the padding of a few pixels may widen it a little, never to 10 or 1,000
    expect(low).toBeGreaterThan(13);
    expect(low).toBeLessThanOrEqual(16);
    expect(high).toBeGreaterThanOrEqual(128);
    expect(high).toBeLessThan(160);
    const units = (await axisLabels(page, 'chart-slice-units_1', 'X')).map(Number);
    expect(units.length).toBeGreaterThanOrEqual(3);
    for (const u of units) {
      expect(Number.isInteger(u), `units_1 tick ${u}`).toBe(true);
      expect(u >= 16 && u <= 128, `units_1 tick ${u}`).toBe(true);
    }
    const lr = (await axisLabels(page, 'chart-slice-learning_rate', 'X')).map(Number);
    expect(lr).toEqual([0.001, 0.01, 0.1]);
  });
});

describe('the history and the learning curves', () => {
  it('tick trial indices and epochs at integers only', async () => {
    for (const chart of ['chart-history', 'chart-curves']) {
      const labels = await axisLabels(page, chart, 'X');
      expect(labels.length, chart).toBeGreaterThanOrEqual(2);
      for (const l of labels) expect(Number.isInteger(Number(l)), `${chart} tick ${l}`).toBe(true);
    }
  });
});
