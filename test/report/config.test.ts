/**
 * The study's configuration on the report page: collapsed by default, and when opened one line per
 * setting and per parameter of the space, as YAML that reads back to exactly the recorded config.
 */
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse } from 'yaml';
import { tempDir } from '../helpers/cli.js';
import { launch, open, writeReportFile } from './page.js';
import { MIXED_SPACE_STUDY, runStudy } from './studies.js';

let browser: Browser;
const dir = tempDir('lockstep-report-config-');

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

it('shows the config collapsed, and opened as one line per setting and per parameter, reading back exactly', async () => {
  const ledger = await runStudy(dir, 'config', MIXED_SPACE_STUDY);
  const recorded = JSON.parse(readFileSync(ledger, 'utf8').split('\n')[0]!).study.config as Record<
    string,
    unknown
  >;
  const { page, errors } = await open(browser, await writeReportFile(ledger, dir, 'config'), 1400);
  expect(errors).toEqual([]);
  const details = page.locator('details#config');
  expect(await details.count()).toBe(1);
  const text = page.locator('details#config pre');
  expect(await text.isVisible(), 'collapsed by default').toBe(false);
  await page.locator('details#config > summary').click();
  expect(await text.isVisible(), 'opened by a click').toBe(true);

  const yaml = (await text.textContent()) ?? '';
  expect(parse(yaml)).toEqual(recorded);
  const lines = yaml.trimEnd().split('\n');
  const space = recorded.space as Record<string, unknown>;
  expect(lines.length).toBe(Object.keys(recorded).length + Object.keys(space).length);
  expect(lines).toContain('  units_1: { high: 128, log: true, low: 16, type: int }');
  expect(lines).toContain('  momentum: { high: 0.99, low: 0, type: float, when: { optimizer: sgd } }');
  expect(lines).toContain('  activation: [ relu, tanh, elu ]');
  // the page around it stays short: its box, closed, is one line high
  await page.locator('details#config > summary').click();
  expect((await details.boundingBox())!.height).toBeLessThan(40);
  await page.close();
});
