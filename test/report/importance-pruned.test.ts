/**
 * Importance counts pruned trials, by the metric at the last epoch every complete and pruned trial
 * reached, and the page says so; or it says why it does not count them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fanova } from '../../src/report/importance.js';
import { readReportModel } from '../../src/report/model.js';
import { tempDir } from '../helpers/cli.js';
import { type FixtureTrial, fixtureTrials, writeFixtureLedger } from './fixtures.js';
import { launch, open, writeReportFile } from './page.js';
import { PRUNED_SGD_STUDY, runStudy } from './studies.js';

const dir = tempDir('lockstep-report-importance-');

describe('in Chromium, a real study where SGD trials are pruned', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('ranks the optimizer first, at the last epoch all trials reached, and says so', async () => {
    const ledger = await runStudy(dir, 'pruned-sgd', PRUNED_SGD_STUDY);
    const finished = readFileSync(ledger, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; state?: string; epochs?: number; index?: number })
      .filter((r) => r.type === 'trial.finished');
    const pruned = finished.filter((r) => r.state === 'pruned');
    const complete = finished.filter((r) => r.state === 'complete');
    const epoch = Math.min(...pruned.map((r) => r.epochs!));
    // the study is the issue's: most SGD trials pruned, so complete trials alone say nothing of it
    expect(pruned.length).toBeGreaterThanOrEqual(6);

    const { page, errors } = await open(browser, await writeReportFile(ledger, dir, 'pruned-sgd'), 1400);
    expect(errors).toEqual([]);
    const bars = await page
      .locator('#chart-importance-svg g.role-axis[aria-label^="Y-axis"] g.role-axis-label text')
      .allTextContents();
    expect(bars[0]).toBe('optimizer');
    const values = await page.locator('#chart-importance-svg g.values_marks text').allTextContents();
    expect(Number(values[0])).toBeGreaterThan(0.3);
    const note = (await page.locator('#importance-basis').textContent()) ?? '';
    expect(note).toContain(
      `fitted to accuracy after epoch ${epoch} of the ${complete.length} complete and ${pruned.length} pruned trials`,
    );
    await page.close();
  });
});

describe('the trials importance counts', () => {
  const write = (name: string, trials: FixtureTrial[]) => {
    const ledger = join(dir, `${name}.jsonl`);
    writeFixtureLedger(ledger, trials);
    return ledger;
  };

  it('are the complete trials by their final score when none was pruned (the numbers as before)', async () => {
    const m = await readReportModel(write('complete', fixtureTrials(Array(12).fill('complete'))));
    expect(m.importanceBasis).toEqual({ epoch: null, complete: 12, pruned: 0, prunedLeftOut: null });
    const complete = m.trials.filter((t) => t.state === 'complete');
    const expected = fanova(
      m.axes.map((a) => ({ name: a.name, low: a.conditional ? -1 : 0, high: 1 })),
      complete.map((t) => m.axes.map((a) => a.unit(t.params[a.name]) ?? -0.5)),
      complete.map((t) => t.score!),
      m.seed,
    );
    expect(m.importance).toEqual(expected);
  });

  it('are complete and pruned trials by their metric at the last epoch all of them reached', async () => {
    const trials = fixtureTrials([
      'complete',
      'pruned',
      'complete',
      'pruned',
      'complete',
      'complete',
      'failed',
    ]);
    // one trial pruned after 1 epoch: epoch 1 is then the last that every trial reached
    trials[3] = { ...trials[3]!, curve: trials[3]!.curve.slice(0, 1), score: trials[3]!.curve[0]! };
    const m = await readReportModel(write('pruned', trials));
    expect(m.importanceBasis).toEqual({ epoch: 1, complete: 4, pruned: 2, prunedLeftOut: null });
    const counted = trials.filter((t) => t.fate === 'complete' || t.fate === 'pruned');
    const expected = fanova(
      m.axes.map((a) => ({ name: a.name, low: a.conditional ? -1 : 0, high: 1 })),
      counted.map((t) => m.axes.map((a) => a.unit(t.params[a.name]) ?? -0.5)),
      counted.map((t) => t.curve[0]!),
      m.seed,
    );
    expect(m.importance).toEqual(expected);
  });

  it('leave pruned trials out, saying why, when one of them has no epoch to compare at', async () => {
    const trials = fixtureTrials(['complete', 'pruned', 'complete', 'complete']);
    trials[1] = { ...trials[1]!, curve: [], score: null };
    const m = await readReportModel(write('no-epoch', trials));
    expect(m.importanceBasis.epoch).toBeNull();
    expect(m.importanceBasis.complete).toBe(3);
    expect(m.importanceBasis.prunedLeftOut).toMatch(/pruned before their first epoch/);
  });
});
