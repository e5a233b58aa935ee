import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { type BrowserSession, chromiumSkip, openBrowser, screenshot } from '../../dashboard/test/support/browser.js';
import { type RunningService, SEED_VIDEO_URL, gatedDemo, startService, tempDir, waitFor } from './support/service.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

/**
 * Seed 001 §6, as a user follows it in a real browser: the console snippet of
 * Step 3 (its CDN URL replaced by the bundle the service serves), the curl of
 * Step 4, the SubscribeToJob of Step 5, and the HTML test page of "Step 5:
 * End-to-End Integration Test". The fixtures are the seed's text otherwise unchanged.
 */
describe('seed 001 §6 in Chromium', { skip: chromiumSkip }, () => {
  let service: RunningService;
  let browser: BrowserSession;
  const dir = tempDir();
  // Each video's ingestion waits until the test opens its gate, so a subscription made from the
  // page always comes before the first event, however slow the machine.
  const demo = gatedDemo(10);
  const PAGE_VIDEO_URL = 'https://www.youtube.com/watch?v=9bZkp7q19f0';

  before(async () => {
    service = await startService(dir.path, { processors: demo.processors });
    browser = await openBrowser();
  });
  after(async () => {
    await browser?.close();
    await service?.close();
    dir.cleanup();
  });

  it('Steps 3–5: the console snippet connects, curl ingests, SubscribeToJob streams progress to completion', async () => {
    const { page, console: lines } = browser;
    await page.goto(`${service.url}/swagger`);
    await page.evaluate(fixture('seed-001-console-snippet.js'));
    await waitFor(() => lines.some((l) => l.text.includes('SignalR Connected!')), 15_000, 'the snippet to connect');

    // Step 4: the curl, from outside the browser.
    const ingest = await fetch(`${service.url}/api/v1/videos/ingest`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ url: SEED_VIDEO_URL, userId: 'test-user-123', priority: 1 }),
    });
    assert.equal(ingest.status, 202);
    const { jobId } = (await ingest.json()) as { jobId: string };

    // Step 5: subscribe from the console.
    await page.evaluate((id) => (window as unknown as { signalRConnection: { invoke(m: string, a: string): Promise<void> } }).signalRConnection.invoke('SubscribeToJob', id), jobId);
    demo.open(SEED_VIDEO_URL);
    await waitFor(() => lines.some((l) => l.text.includes('Job Completed:')), 60_000, 'JobCompleted in the console');
    assert.ok(lines.filter((l) => l.text.includes('Job Progress:')).length >= 3, 'several progress updates were logged');
    assert.deepEqual(lines.filter((l) => l.type === 'error' || l.type === 'pageerror'), []);
  });

  it('the seed\'s HTML test page, served from the service, ingests and shows the job reach 100%', async () => {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    // Browsers ask every page's origin for /favicon.ico; that is not what this test is about.
    await page.route('**/favicon.ico', (route) => route.fulfill({ status: 204 }));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    // "Save this file and open it in a browser while the API is running": it uses relative URLs,
    // so it must run in the service's origin. A page the service served (its Swagger UI) is
    // replaced by the seed's HTML, as opening the saved file from that origin would.
    await page.goto(`${service.url}/swagger`);
    await page.setContent(fixture('seed-001-test-signalr.html'), { waitUntil: 'load' });
    await page.waitForFunction(() => document.getElementById('status')?.textContent?.startsWith('Connected'), undefined, { timeout: 15_000 });
    await page.fill('#videoUrl', PAGE_VIDEO_URL);
    await page.getByRole('button', { name: 'Ingest Video' }).click();
    await page.waitForFunction(() => document.getElementById('log')?.textContent?.includes('Subscribed to job:'), undefined, { timeout: 15_000 });
    demo.open(PAGE_VIDEO_URL);
    await page.waitForFunction(() => document.getElementById('progressFill')?.textContent === '100%', undefined, { timeout: 60_000 });
    assert.equal(await page.textContent('#statusMessage'), 'Completed successfully!');
    const log = await page.textContent('#log');
    assert.match(log ?? '', /Video ingestion started\. JobId: /);
    assert.match(log ?? '', /Subscribed to job: /);
    assert.match(log ?? '', /Progress Update: \d+% - /);
    await screenshot(page, 'seed-001', 'test-signalr-page-completed');
    assert.deepEqual(errors, []);
    await page.close();
  });
});
