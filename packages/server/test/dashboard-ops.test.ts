import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { buildDashboard } from '../../dashboard/test/support/build.js';
import { type BrowserSession, chromiumSkip, openBrowser, screenshot } from '../../dashboard/test/support/browser.js';
import { type TidingsServer, createTidingsServer } from '../src/index.js';
import { freePort } from './support/process.js';
import { eventually, gatedDemo, tempDir } from './support/service.js';

const SUITE = 'dashboard-ops';
const LONG = 30_000;
const RED = 'rgb(220, 38, 38)';
const AMBER = 'rgb(217, 119, 6)';

function row(page: Page, jobId: string) {
  return page.locator(`tr[data-job-id="${jobId}"]`);
}

async function statusBecomes(page: Page, jobId: string, status: string): Promise<void> {
  await row(page, jobId).locator('.badge', { hasText: status }).waitFor({ timeout: LONG });
}

async function connectionIs(page: Page, state: string, timeout = LONG): Promise<void> {
  await page.locator(`[aria-label="Connection status"][data-state="${state}"]`).waitFor({ timeout });
}

/** The colour the row's progress bar is filled with. */
function barColour(page: Page, jobId: string): Promise<string> {
  return row(page, jobId).locator('.tidings-progress-fill').evaluate((fill) => getComputedStyle(fill).backgroundColor);
}

/** The widest the page is: what a phone would scroll sideways. */
function pageScrollWidth(page: Page): Promise<number> {
  return page.evaluate(() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth));
}

describe("the operators' dashboard in Chromium", { skip: chromiumSkip }, () => {
  const dir = tempDir();
  const dist = join(dir.path, 'dashboard-dist');
  let base: string;
  let server: TidingsServer;
  let demo: ReturnType<typeof gatedDemo>;
  let browser: BrowserSession;
  let page: Page;
  const ids: Record<string, string> = {};

  async function ingest(url: string, title: string): Promise<string> {
    const response = await fetch(`${base}/api/v1/videos/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url, title, userId: 'operator-test' }),
    });
    assert.equal(response.status, 202);
    return ((await response.json()) as { jobId: string }).jobId;
  }
  const jobStatus = async (jobId: string) => ((await (await fetch(`${base}/api/v1/jobs/${jobId}`)).json()) as { status: string }).status;

  before(async () => {
    await buildDashboard(dist);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    demo = gatedDemo(20);
    server = await createTidingsServer({
      config: { port, host: '127.0.0.1', dataDir: dir.path, logLevel: 'silent', demoSpeed: 20, shutdownGraceMs: 2000 },
      processors: demo.processors,
      dashboardDir: dist,
    });
    await server.listen();
    browser = await openBrowser();
    page = browser.page;

    // One video completes, one fails on request, one is cancelled, one waits at its gate (Running).
    ids.done = await ingest('https://videos.example/operator-done', 'Finishes');
    ids.failed = await ingest('https://videos.example/operator-fail', 'Fails on request');
    ids.cancelled = await ingest('https://videos.example/operator-cancel', 'Cancelled by the operator');
    ids.waiting = await ingest('https://videos.example/operator-waiting', 'Waits at its gate');
    demo.open('https://videos.example/operator-done');
    demo.open('https://videos.example/operator-fail');
    await eventually(() => jobStatus(ids.done!), (s) => s === 'Completed', LONG, 'the first video to complete');
    await eventually(() => jobStatus(ids.failed!), (s) => s === 'Failed', LONG, 'the failing video to fail');
    assert.equal((await fetch(`${base}/api/v1/jobs/${ids.cancelled}/cancel`, { method: 'POST' })).status, 200);
    await eventually(() => jobStatus(ids.waiting!), (s) => s === 'Running', LONG, 'the gated video to run');
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    dir.cleanup();
  });

  it('opens on an overview with the numbers: jobs by status, the last hour by minute, the queue, connections', async () => {
    await page.goto(`${base}/`);
    await connectionIs(page, 'connected');
    const overview = page.getByRole('region', { name: 'Overview' });
    const tile = (status: string) => overview.locator(`.tile[data-status="${status}"] dd`);
    await page.waitForFunction(() => Number(document.querySelector('.tile[data-status="Failed"] dd')?.textContent) > 0, undefined, { timeout: LONG });
    const stats = (await (await fetch(`${base}/api/v1/stats`)).json()) as { jobs: { byStatus: Record<string, number> } };
    for (const status of ['Completed', 'Failed', 'Cancelled', 'Running']) {
      assert.ok(Number(await tile(status).textContent()) > 0, `${status} is counted`);
    }
    assert.equal(Number(await tile('Completed').textContent()), stats.jobs.byStatus.Completed);
    assert.ok(Number(await page.getByTestId('completed-last-hour').textContent()) > 0);
    assert.ok(Number(await page.getByTestId('failed-last-hour').textContent()) > 0);
    // The chart is drawn (uPlot's canvas, bundled with the page: nothing came from elsewhere).
    assert.equal(await overview.locator('.uplot canvas').count(), 1);
    // This page is one of the hub's connections.
    const hubRow = overview.getByRole('table', { name: 'Connections per hub' }).locator('tbody tr', { hasText: '/hubs/job-progress' });
    assert.ok(Number(await hubRow.locator('td').nth(1).textContent()) >= 1);
    // By transport, from the hub series /metrics serves: this page came over WebSockets.
    assert.match((await hubRow.locator('td').nth(2).textContent()) ?? '', /WebSockets [1-9]/);
    await screenshot(page, SUITE, '01-overview');
  });

  it('shows a failed job with a red bar, the stage it failed in and its error; a cancelled one amber', async () => {
    await statusBecomes(page, ids.failed!, 'Failed');
    assert.equal(await barColour(page, ids.failed!), RED);
    const stage = row(page, ids.failed!).locator('.stage-cell');
    assert.match((await stage.textContent()) ?? '', /Failed in Transcription/);
    assert.match((await stage.locator('.job-error').textContent()) ?? '', /contains "fail"/);
    await statusBecomes(page, ids.cancelled!, 'Cancelled');
    assert.equal(await barColour(page, ids.cancelled!), AMBER);
    assert.equal(await barColour(page, ids.done!), 'rgb(22, 163, 74)');
    await screenshot(page, SUITE, '02-failed-and-cancelled');
  });

  it('filters the table by status and by type', async () => {
    const table = page.locator('.jobs-table tbody tr');
    await page.locator('select[name=status]').selectOption('Failed');
    await page.waitForFunction(() => Array.from(document.querySelectorAll('.jobs-table tbody tr')).every((tr) => tr.getAttribute('data-status') === 'Failed'), undefined, { timeout: LONG });
    await row(page, ids.failed!).waitFor({ timeout: LONG });
    assert.equal(await table.count(), 1);
    await page.locator('select[name=status]').selectOption('');
    // A step's own type lists the steps (jobs of their own): the failed video's Transcription step.
    await page.locator('select[name=jobType]').selectOption('Transcription');
    await page.locator('.jobs-table tbody tr', { hasText: 'Transcription' }).first().waitFor({ timeout: LONG });
    await page.waitForFunction(() => Array.from(document.querySelectorAll('.jobs-table tbody tr .muted.mono')).every((d) => d.textContent?.startsWith('Transcription')), undefined, { timeout: LONG });
    await page.locator('select[name=jobType]').selectOption('');
    await row(page, ids.waiting!).waitFor({ timeout: LONG });
  });

  it("opens a job's detail over the list, titled with the job's name", async () => {
    await row(page, ids.failed!).getByRole('button', { name: 'Fails on request' }).click();
    const detail = page.getByRole('region', { name: 'Job detail' });
    await detail.locator('h2', { hasText: 'Fails on request' }).waitFor({ timeout: LONG });
    assert.equal(await detail.evaluate((el) => getComputedStyle(el).position), 'fixed');
    assert.match((await detail.locator('.facts').textContent()) ?? '', /Failed inTranscription/);
    assert.equal(await detail.locator('.tidings-progress-fill').first().evaluate((fill) => getComputedStyle(fill).backgroundColor), RED);
    await screenshot(page, SUITE, '03-detail-desktop');
    await page.keyboard.press('Escape');
    await detail.waitFor({ state: 'detached' });
  });

  it('at 390 px the page never scrolls sideways: rows stack, the detail covers the screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}/`);
    await connectionIs(page, 'connected');
    await row(page, ids.waiting!).waitFor({ timeout: LONG });
    await page.locator('.uplot canvas').waitFor();
    assert.equal(await page.evaluate(() => window.innerWidth), 390);
    assert.equal(await pageScrollWidth(page), 390);
    await screenshot(page, SUITE, '04-phone-list');

    await row(page, ids.done!).getByRole('button', { name: 'Finishes' }).click();
    const detail = page.getByRole('region', { name: 'Job detail' });
    await detail.locator('h2', { hasText: 'Finishes' }).waitFor({ timeout: LONG });
    await page.waitForFunction(() => document.querySelectorAll('.event-log tbody tr').length > 0, undefined, { timeout: LONG });
    assert.equal(await pageScrollWidth(page), 390);
    assert.equal(await detail.evaluate((el) => Math.round(el.getBoundingClientRect().width)), 390);
    await screenshot(page, SUITE, '05-phone-detail');
    await detail.getByRole('button', { name: 'Close' }).click();
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('pages past the newest jobs: Older shows the ones the first page had no room for', async () => {
    // 60 more videos (a pipeline and its 3 steps each): more jobs than a page holds.
    const made: string[] = [];
    for (let i = 1; i <= 60; i++) made.push(await ingest(`https://videos.example/page-${i}`, `Paged video ${i}`));
    await row(page, made.at(-1)!).waitFor({ timeout: LONG });
    // The oldest jobs (the ones made before this test) are not on the first page any more.
    await row(page, ids.done!).waitFor({ state: 'detached', timeout: LONG });
    await page.getByRole('button', { name: 'Older →' }).click();
    await row(page, ids.done!).waitFor({ timeout: LONG });
    assert.equal(await row(page, made.at(-1)!).count(), 0, 'the newest are on the first page only');
    assert.equal((await page.locator('.pager').textContent())?.includes('Page 2'), true);
    await screenshot(page, SUITE, '06-older-page');
    await page.getByRole('button', { name: '← Newer' }).click();
    await row(page, made.at(-1)!).waitFor({ timeout: LONG });
    // Cancel them (as the test's operator would), so only the gated video is left running.
    for (const id of made) await fetch(`${base}/api/v1/jobs/${id}/cancel`, { method: 'POST' });
  });

  it('when the service stops: an offline banner, every action disabled, timers frozen', async () => {
    // The running job (the paged videos pushed it off the first page, and were cancelled).
    await page.locator('select[name=status]').selectOption('Running');
    const running = row(page, ids.waiting!);
    await running.getByRole('button', { name: 'Cancel', exact: true }).waitFor({ timeout: LONG });
    assert.equal(await running.getByRole('button', { name: 'Cancel', exact: true }).isEnabled(), true);

    await server.close();
    await page.getByRole('alert', { name: 'Offline' }).waitFor({ timeout: LONG });
    await screenshot(page, SUITE, '07-offline');
    for (const button of await page.locator('.jobs-table button.danger, .jobs-table td.actions button').all()) {
      assert.equal(await button.isDisabled(), true, `${await button.textContent()} is disabled`);
    }
    assert.equal(await page.getByRole('button', { name: 'Ingest video' }).isDisabled(), true);
    // Frozen: the running job's elapsed time does not move while the page cannot see the job move.
    const elapsed = running.locator('td[data-label="Elapsed"]');
    const frozenAt = await elapsed.textContent();
    const changed = await page
      .waitForFunction((at) => document.querySelector(`tr[data-job-id="${at.id}"] td[data-label="Elapsed"]`)?.textContent !== at.text, { id: ids.waiting!, text: frozenAt }, { timeout: 2500 })
      .then(
        () => true,
        () => false,
      );
    assert.equal(changed, false, 'the elapsed time stood still for over two ticks of the clock');
  });
});
