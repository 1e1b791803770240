/**
 * The trials table at a 1400 px wide window in Chromium: each trial's replay command can be read
 * whole, without the page itself scrolling sideways.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { launch, open, writeReportFile } from './page.js';
import { MIXED_SPACE_STUDY, PRESET_STUDY, runStudy } from './studies.js';

let browser: Browser;
const dir = tempDir('lockstep-report-table-');

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

interface Layout {
  viewport: number;
  pageWidth: number;
  /** The box the table is seen through (its scrolling container). */
  container: { left: number; right: number; scrolls: boolean; scrollWidth: number; clientWidth: number };
  /** Each replay command's box, and the text it shows. */
  cells: { left: number; right: number; text: string }[];
}

async function layout(page: Page): Promise<Layout> {
  return page.evaluate(() => {
    const table = document.getElementById('trials')!;
    const wrap = table.parentElement!;
    const box = wrap.getBoundingClientRect();
    const overflow = getComputedStyle(wrap).overflowX;
    return {
      viewport: window.innerWidth,
      pageWidth: document.documentElement.scrollWidth,
      container: {
        left: box.left,
        right: box.left + wrap.clientWidth,
        scrolls: overflow === 'auto' || overflow === 'scroll',
        scrollWidth: wrap.scrollWidth,
        clientWidth: wrap.clientWidth,
      },
      cells: [...table.querySelectorAll('td.replay code')].map((c) => {
        const r = c.getBoundingClientRect();
        return { left: r.left, right: r.right, text: c.textContent ?? '' };
      }),
    };
  });
}

/** Every replay command lies inside the container's visible box and inside the window. */
function expectVisible(l: Layout): void {
  for (const c of l.cells) {
    expect(c.left, c.text).toBeGreaterThanOrEqual(l.container.left - 0.5);
    expect(c.right, c.text).toBeLessThanOrEqual(Math.min(l.container.right, l.viewport) + 0.5);
  }
}

describe('the trials table at 1400 px', () => {
  it('shows each replay command whole, without scrolling, for a study of seven parameters', async () => {
    const ledger = await runStudy(dir, 'seven', MIXED_SPACE_STUDY);
    const { page, errors } = await open(browser, await writeReportFile(ledger, dir, 'seven'), 1400);
    expect(errors).toEqual([]);
    const l = await layout(page);
    expect(l.cells.length).toBe(16);
    expect(l.cells[0]!.text).toBe(`npx lockstep replay ${l.cells[0]!.text.split(' ')[3]} --ledger ${ledger}`);
    expect(l.pageWidth).toBeLessThanOrEqual(l.viewport);
    expectVisible(l);
    await page.close();
  });

  it('shows it whole for the eleven parameters of mlp-default, or scrolls the table (not the page) to it', async () => {
    const ledger = await runStudy(dir, 'eleven', PRESET_STUDY);
    const { page, errors } = await open(browser, await writeReportFile(ledger, dir, 'eleven'), 1400);
    expect(errors).toEqual([]);
    let l = await layout(page);
    expect(l.pageWidth).toBeLessThanOrEqual(l.viewport);
    if (l.container.scrollWidth > l.container.clientWidth) {
      expect(l.container.scrolls, 'a table wider than its container scrolls inside it').toBe(true);
      await page.locator('#trials').evaluate((t) => {
        t.parentElement!.scrollLeft = t.parentElement!.scrollWidth;
      });
      l = await layout(page);
    }
    expectVisible(l);
    await page.close();
  });
});
