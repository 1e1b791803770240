/**
 * Legends list only what the study has: a real study with complete and pruned trials (no failed,
 * none running), and the fixture study that has every state.
 */
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { fixtureTrials, MIXED, writeFixtureLedger } from './fixtures.js';
import { launch, legendEntries, open, writeReportFile } from './page.js';
import { MIXED_SPACE_STUDY, runStudy } from './studies.js';

let browser: Browser;
const dir = tempDir('lockstep-report-legends-');

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

it('lists only the states that some trial of the chart has', async () => {
  const ledger = await runStudy(dir, 'pruned-not-failed', MIXED_SPACE_STUDY);
  const { page, errors } = await open(browser, await writeReportFile(ledger, dir, 'pruned-not-failed'));
  expect(errors).toEqual([]);
  expect(await legendEntries(page, 'chart-history', 'state')).toEqual(['complete', 'pruned']);
  expect(await legendEntries(page, 'chart-curves', 'state')).toEqual(['complete', 'pruned']);
  expect(await legendEntries(page, 'chart-curves', 'stopped')).toEqual(['pruned']);
  await page.close();
});

it('lists every state when every state is there, and no "stopped" legend when no trial stopped early', async () => {
  const mixed = join(dir, 'mixed.jsonl');
  writeFixtureLedger(mixed, fixtureTrials(MIXED));
  const { page } = await open(browser, await writeReportFile(mixed, dir, 'mixed'));
  // the history plots scored trials only: a failed or running trial has no score
  expect(await legendEntries(page, 'chart-history', 'state')).toEqual(['complete', 'pruned']);
  expect(await legendEntries(page, 'chart-curves', 'state')).toEqual([
    'complete',
    'pruned',
    'failed',
    'running',
  ]);
  expect(await legendEntries(page, 'chart-curves', 'stopped')).toEqual(['pruned', 'failed']);
  await page.close();

  const complete = join(dir, 'complete.jsonl');
  writeFixtureLedger(complete, fixtureTrials(['complete', 'complete', 'complete']));
  const only = await open(browser, await writeReportFile(complete, dir, 'complete'));
  expect(only.errors).toEqual([]);
  expect(await legendEntries(only.page, 'chart-curves', 'state')).toEqual(['complete']);
  expect(await legendEntries(only.page, 'chart-curves', 'stopped')).toEqual([]);
  await only.page.close();
});
