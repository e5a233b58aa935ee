import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { buildDashboard } from '../../dashboard/test/support/build.js';
import { type BrowserSession, chromiumSkip, openBrowser, screenshot } from '../../dashboard/test/support/browser.js';
import { type TidingsServer, createTidingsServer } from '../src/index.js';
import { freePort } from './support/process.js';
import { gatedDemo, tempDir } from './support/service.js';

const SUITE = 'dashboard';
const LONG = 30_000;

/** Every aria-valuenow each job's row showed, in order (recorded in the page, so no value is missed between polls). */
const RECORDER = `
  window.__progress = {};
  const record = () => {
    for (const row of document.querySelectorAll('tr[data-job-id]')) {
      const bar = row.querySelector('[role=progressbar]');
      if (!bar) continue;
      const id = row.getAttribute('data-job-id');
      const value = Number(bar.getAttribute('aria-valuenow'));
      const seen = (window.__progress[id] ??= []);
      if (seen.at(-1) !== value) seen.push(value);
    }
  };
  new MutationObserver(record).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-valuenow'] });
`;

function progressOf(page: Page, jobId: string): Promise<number[]> {
  return page.evaluate((id) => (window as unknown as { __progress: Record<string, number[]> }).__progress[id] ?? [], jobId);
}

function row(page: Page, jobId: string) {
  return page.locator(`tr[data-job-id="${jobId}"]`);
}

async function statusBecomes(page: Page, jobId: string, status: string, timeout = LONG): Promise<void> {
  await row(page, jobId).locator('.badge', { hasText: status }).waitFor({ timeout });
}

async function connectionIs(page: Page, state: string, timeout = LONG): Promise<void> {
  await page.locator(`[aria-label="Connection status"][data-state="${state}"]`).waitFor({ timeout });
}

/** The browser's own lines about requests that failed while the service was down (not the page's code). */
const NETWORK_DOWN = /Failed to load resource|ERR_CONNECTION_REFUSED|ERR_CONNECTION_RESET|ERR_EMPTY_RESPONSE|WebSocket connection to .* failed|503/;

describe('the dashboard at / in Chromium', { skip: chromiumSkip }, () => {
  const dir = tempDir();
  const dist = join(dir.path, 'dashboard-dist');
  let port: number;
  let base: string;
  let server: TidingsServer;
  let demo: ReturnType<typeof gatedDemo>;
  let browser: BrowserSession;
  let page: Page;
  let restartWindow: { from: number; to: number } | undefined;
  let tokenRefusedWindow: { from: number; to: number } | undefined;

  async function startServer(): Promise<void> {
    demo = gatedDemo(3);
    server = await createTidingsServer({
      config: { port, host: '127.0.0.1', dataDir: dir.path, logLevel: 'silent', demoSpeed: 3, shutdownGraceMs: 2000 },
      processors: demo.processors,
      dashboardDir: dist,
    });
    await server.listen();
  }

  async function ingest(url: string, title?: string): Promise<string> {
    const response = await fetch(`${base}/api/v1/videos/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url, userId: 'dashboard-test', ...(title ? { title } : {}) }),
    });
    assert.equal(response.status, 202);
    return ((await response.json()) as { jobId: string }).jobId;
  }

  before(async () => {
    await buildDashboard(dist);
    port = await freePort();
    base = `http://127.0.0.1:${port}`;
    await startServer();
    browser = await openBrowser();
    page = browser.page;
    await page.addInitScript(RECORDER);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    dir.cleanup();
  });

  it('serves the page and its assets from the service, and connects to /hubs/job-progress', async () => {
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    const response = await page.goto(`${base}/`);
    assert.equal(response?.status(), 200);
    await connectionIs(page, 'connected');
    await page.getByText('No jobs yet').waitFor();
    // Everything came from the service itself: the official SignalR bundle from its node_modules, no CDN.
    assert.ok(requested.includes(`${base}/lib/signalr/signalr.min.js`));
    assert.deepEqual(requested.filter((url) => !url.startsWith(base) && !url.startsWith('ws://127.0.0.1')), []);
    assert.equal((await fetch(`${base}/`)).headers.get('cache-control'), 'no-cache');
    await screenshot(page, SUITE, '01-connected');
  });

  it('a job submitted from the form shows its bar passing through intermediate values to 100, then Completed', async () => {
    const url = 'https://videos.example/from-the-form';
    await page.getByLabel('Video URL').fill(url);
    await page.getByLabel('Title').fill('Submitted from the form');
    await page.getByRole('button', { name: 'Ingest video' }).click();
    const newRow = page.locator('tr[data-job-id]', { hasText: 'Submitted from the form' });
    await newRow.waitFor({ timeout: LONG });
    const jobId = (await newRow.getAttribute('data-job-id'))!;
    demo.open(url); // the pipeline starts only now: the page sees it from 0

    await statusBecomes(page, jobId, 'Completed');
    const values = await progressOf(page, jobId);
    assert.equal(values[0], 0);
    assert.equal(values.at(-1), 100);
    assert.ok(values.filter((v) => v > 0 && v < 100).length >= 3, `intermediate values: ${values.join(', ')}`);
    assert.ok(values.every((v, i) => i === 0 || v >= values[i - 1]!), `never backwards: ${values.join(', ')}`);
    assert.equal(await row(page, jobId).getByRole('progressbar').getAttribute('aria-valuenow'), '100');
    await screenshot(page, SUITE, '02-form-job-completed');
  });

  it("cancels a running job from its button, and runs it again from Retry", async () => {
    const url = 'https://videos.example/to-cancel';
    const jobId = await ingest(url, 'To be cancelled'); // made elsewhere: the page finds it without a reload
    await statusBecomes(page, jobId, 'Running');
    await row(page, jobId).getByRole('button', { name: 'Cancel', exact: true }).click();
    await statusBecomes(page, jobId, 'Cancelled');
    const job = (await (await fetch(`${base}/api/v1/jobs/${jobId}`)).json()) as { status: string };
    assert.equal(job.status, 'Cancelled');
    await screenshot(page, SUITE, '03-cancelled');

    await row(page, jobId).getByRole('button', { name: 'Retry', exact: true }).click();
    await row(page, jobId).locator('.badge', { hasText: /Pending|Running/ }).waitFor({ timeout: LONG });
    demo.open(url);
    await statusBecomes(page, jobId, 'Completed');
  });

  it("shows a job's detail: its stage timeline and its whole event log", async () => {
    const first = page.locator('tr[data-job-id]', { hasText: 'Submitted from the form' });
    const jobId = (await first.getAttribute('data-job-id'))!;
    await first.getByRole('button', { name: 'Submitted from the form' }).click();
    const detail = page.getByRole('region', { name: 'Job detail' });
    await detail.waitFor();
    assert.equal(new URL(page.url()).hash, `#/jobs/${jobId}`);

    const stages = detail.getByRole('list', { name: 'Stage timeline' }).getByRole('listitem');
    await page.waitForFunction(() => document.querySelectorAll('.timeline-stage.stage-completed').length === 3, undefined, { timeout: LONG });
    assert.deepEqual(
      (await stages.locator('strong').allTextContents()).map((s) => s.trim()),
      ['Video ingestion', 'Transcription', 'Embedding generation'],
    );
    const history = ((await (await fetch(`${base}/api/v1/jobs/${jobId}/events?after=0&limit=1000`)).json()) as { events: unknown[] }).events;
    const logRows = detail.getByRole('log', { name: 'Event log' }).locator('tbody tr');
    await page.waitForFunction((n) => document.querySelectorAll('.event-log tbody tr').length === n, history.length, { timeout: LONG });
    assert.equal(await logRows.count(), history.length);
    assert.equal((await logRows.first().locator('td').first().textContent())?.trim(), String(history.length), 'newest first, numbered by sequence');
    await screenshot(page, SUITE, '04-detail');
    await detail.getByRole('button', { name: 'Close' }).click();
    await detail.waitFor({ state: 'detached' });
  });

  it('reconnects when the service restarts, catches up, and the running job carries on to Completed', async () => {
    const url = 'https://videos.example/across-a-restart';
    const jobId = await ingest(url, 'Across a restart');
    await row(page, jobId).waitFor({ timeout: LONG });
    demo.open(url);
    await page.waitForFunction(
      (id) => Number(document.querySelector(`tr[data-job-id="${id}"] [role=progressbar]`)?.getAttribute('aria-valuenow')) >= 25,
      jobId,
      { timeout: LONG, polling: 50 },
    );

    const from = Date.now();
    await server.close(); // graceful: the job checkpoints; the page is told to reconnect
    await connectionIs(page, 'reconnecting', 10_000);
    await screenshot(page, SUITE, '05-reconnecting');
    await startServer();
    await connectionIs(page, 'connected');
    restartWindow = { from, to: Date.now() + 1000 };

    await statusBecomes(page, jobId, 'Completed');
    const values = await progressOf(page, jobId);
    assert.equal(values.at(-1), 100);
    assert.ok(values.some((v) => v >= 25 && v < 100), `values across the restart: ${values.join(', ')}`);
    await screenshot(page, SUITE, '06-after-restart');

    // The page caught up with events it could not have received live: the detail shows the whole history.
    await page.goto(`${base}/#/jobs/${jobId}`);
    const history = ((await (await fetch(`${base}/api/v1/jobs/${jobId}/events?after=0&limit=1000`)).json()) as { events: { kind: string }[] }).events;
    assert.ok(history.some((e) => e.kind === 'interrupted'));
    await page.waitForFunction((n) => document.querySelectorAll('.event-log tbody tr').length === n, history.length, { timeout: LONG });
    // The detail lies over the list: put it away.
    await page.getByRole('region', { name: 'Job detail' }).getByRole('button', { name: 'Close' }).click();
  });

  it('in development mode, takes a dev token and acts as that user', async () => {
    await page.locator('.token-panel input').fill('dev-user');
    await page.getByRole('button', { name: 'Get a dev token' }).click();
    await page.getByText('Signed in as').locator('strong', { hasText: 'dev-user' }).waitFor();
    await connectionIs(page, 'connected');
    await page.locator('tr[data-job-id]', { hasText: 'Submitted from the form' }).waitFor({ timeout: LONG }); // every job, still

    // Dev tokens are signed with a key made at start: after a restart the page is told, not left retrying.
    const from = Date.now();
    await server.close();
    await startServer();
    await page.getByRole('alert').filter({ hasText: 'The service refused the token' }).waitFor({ timeout: LONG });
    await connectionIs(page, 'disconnected');
    await screenshot(page, SUITE, '07-dev-token-refused');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await connectionIs(page, 'connected');
    tokenRefusedWindow = { from, to: Date.now() };
  });

  it('wrote no errors to the console (only the browser noting failed requests while the service was down or refused the token)', () => {
    const problems = browser.console.filter((line) => {
      if (line.type !== 'error' && line.type !== 'pageerror') return false;
      const within = (window: { from: number; to: number } | undefined) => window !== undefined && line.at >= window.from && line.at <= window.to;
      if (within(restartWindow) && line.type === 'error' && NETWORK_DOWN.test(line.text)) return false;
      // The refused dev token: the restart's failed requests, then the browser noting the 401s.
      if (within(tokenRefusedWindow) && line.type === 'error' && (NETWORK_DOWN.test(line.text) || line.text.includes('status of 401'))) return false;
      return true;
    });
    assert.deepEqual(problems, []);
  });
});
