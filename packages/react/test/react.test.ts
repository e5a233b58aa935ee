import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { type BrowserSession, chromiumSkip, openBrowser, screenshot } from '../../dashboard/test/support/browser.js';
import { type TidingsServer, createTidingsServer } from '../../server/src/index.js';
import { gatedDemo, tempDir } from '../../server/test/support/service.js';
import { buildFixture, serveFixture } from './support/fixture.js';
import type { Probe } from './fixture/probe.js';

const LONG = 30_000;

function probe(page: Page): Promise<Probe> {
  return page.evaluate(() => JSON.parse(document.getElementById('hook-state')!.textContent!) as Probe);
}

function states(page: Page): Promise<Probe[]> {
  return page.evaluate(() => (window as unknown as { hookStates: Probe[] }).hookStates);
}

async function hookShows(page: Page, status: string): Promise<void> {
  await page.waitForFunction((s) => document.getElementById('hook-state')?.textContent?.includes(`"status":"${s}"`), status, { timeout: LONG });
}

describe('@tidings/react in Chromium against the real service', { skip: chromiumSkip }, () => {
  const dir = tempDir();
  const out = join(dir.path, 'fixture');
  let server: TidingsServer;
  let base: string;
  let browser: BrowserSession;
  let demo: ReturnType<typeof gatedDemo>;

  async function ingest(url: string): Promise<string> {
    const response = await fetch(`${base}/api/v1/videos/ingest`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url }) });
    return ((await response.json()) as { jobId: string }).jobId;
  }

  before(async () => {
    await buildFixture(out);
    demo = gatedDemo(4);
    server = await createTidingsServer({ config: { port: 0, host: '127.0.0.1', dataDir: dir.path, logLevel: 'silent', demoSpeed: 4 }, processors: demo.processors });
    serveFixture(server, out);
    base = await server.listen();
    browser = await openBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    dir.cleanup();
  });

  it('useJobProgress follows a job to Completed and keeps everything it knew (no stale closure)', async () => {
    const url = 'https://videos.example/hook';
    const jobId = await ingest(url);
    const { page } = browser;
    await page.goto(`${base}/fixture/?jobId=${jobId}`);
    await page.waitForFunction(() => document.getElementById('hook-state')?.textContent?.includes('"connectionState":"connected"'), undefined, { timeout: LONG });
    demo.open(url);
    await hookShows(page, 'Completed');

    // Seed 001's JobCompleted handler spread the `progress` of the first render (null): the job's id,
    // type and stage were lost at the very end. Here they survive the completion.
    const final = await probe(page);
    assert.equal(final.jobId, jobId);
    assert.equal(final.jobType, 'VideoProcessing');
    assert.equal(final.progress, 100);
    assert.equal(final.isFinished, true);
    assert.equal(final.completedMessage, 'Job completed successfully');
    assert.equal(final.error, null);

    const seen = (await states(page)).filter((s) => s.progress !== null).map((s) => s.progress!);
    assert.ok(seen.some((p) => p > 0 && p < 100), `intermediate progress: ${seen.join(', ')}`);
    assert.ok(seen.every((p, i) => i === 0 || p >= seen[i - 1]!), `never backwards: ${seen.join(', ')}`);
    assert.ok((await states(page)).some((s) => s.currentStage === 'Transcribing audio'));

    // The tracker on the same job shows the outcome instead of the bar.
    await page.getByText('Completed: Job completed successfully').waitFor();
    await screenshot(page, 'react', 'tracker-completed');
  });

  it('opened on a finished job, without a provider, the hook starts from its final state', async () => {
    const url = 'https://videos.example/finished-before';
    const jobId = await ingest(url);
    demo.open(url);
    for (const deadline = Date.now() + LONG; ; ) {
      const job = (await (await fetch(`${base}/api/v1/jobs/${jobId}`)).json()) as { status: string };
      if (job.status === 'Completed') break;
      if (Date.now() > deadline) throw new Error('the job did not complete');
      await new Promise((r) => setTimeout(r, 100));
    }
    const { page } = browser;
    await page.goto(`${base}/fixture/?jobId=${jobId}&provider=0`);
    await hookShows(page, 'Completed');
    await page.waitForFunction(() => document.getElementById('hook-state')?.textContent?.includes('"jobType":"VideoProcessing"'), undefined, { timeout: LONG });
    const final = await probe(page);
    assert.equal(final.progress, 100);
    assert.equal(final.jobId, jobId);
  });

  it('JobProgressTracker: a progress bar while the job runs, Cancel, then Retry', async () => {
    const url = 'https://videos.example/tracker';
    const jobId = await ingest(url); // its gate stays shut: the job waits in its first stage
    const { page } = browser;
    await page.goto(`${base}/fixture/?jobId=${jobId}`);
    const tracker = page.getByRole('region', { name: 'Tracked job' });
    await tracker.locator('.status-badge', { hasText: 'Running' }).waitFor({ timeout: LONG });
    assert.equal(await tracker.getByRole('progressbar').getAttribute('aria-valuenow'), '0');
    // A bar given no label still has the name a progressbar needs, and a whole percent.
    const bare = page.locator('#bare-bar').getByRole('progressbar', { name: 'Progress', exact: true });
    assert.equal(await bare.getAttribute('aria-valuenow'), '42');
    await tracker.getByRole('button', { name: 'Cancel Processing' }).click();
    await tracker.getByText('Processing was cancelled.').waitFor({ timeout: LONG });
    await hookShows(page, 'Cancelled');
    await screenshot(page, 'react', 'tracker-cancelled');

    await tracker.getByRole('button', { name: 'Retry' }).click();
    await tracker.getByRole('progressbar').waitFor({ timeout: LONG });
    demo.open(url);
    await hookShows(page, 'Completed');
    assert.equal((await probe(page)).error, null);
  });

  let unknownJobWindow = { from: 0, to: 0 };

  it('an unknown job: the hook reports why instead of waiting for ever', async () => {
    const { page } = browser;
    unknownJobWindow = { from: Date.now(), to: Number.POSITIVE_INFINITY };
    await page.goto(`${base}/fixture/?jobId=00000000-0000-4000-8000-000000000000`);
    await page.waitForFunction(() => JSON.parse(document.getElementById('hook-state')?.textContent ?? '{}').error, undefined, { timeout: LONG });
    assert.match((await probe(page)).error!, /not found/i);
    unknownJobWindow.to = Date.now();
  });

  it("logged no errors in the page (only the browser noting the unknown job's 404s)", () => {
    const expected404 = (line: { type: string; text: string; at: number }) =>
      line.type === 'error' && line.at >= unknownJobWindow.from && line.at <= unknownJobWindow.to && line.text.includes('status of 404');
    assert.deepEqual(
      browser.console.filter((line) => (line.type === 'error' || line.type === 'pageerror') && !expected404(line)),
      [],
    );
  });
});
