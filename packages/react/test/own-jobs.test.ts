/**
 * `useJob(id, { token })` and `useJobsByTag(tag)` in Chromium against the real
 * service, with a job type of the user's own (ReportWriter, the server's test
 * module): a page holding only a follow token sees the job's output, metadata
 * and typed result; a tag's page sees each new job with the tag.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { type BrowserSession, chromiumSkip, openBrowser } from '../../dashboard/test/support/browser.js';
import { type TidingsServer, createTidingsServer } from '../../server/src/index.js';
import reportWriterPlugin from '../../server/test/fixtures/report-writer-plugin.js';
import { releaseReport } from '../../server/test/fixtures/report-writer.js';
import { tempDir } from '../../server/test/support/service.js';
import { buildFixture, serveFixture } from './support/fixture.js';

const LONG = 30_000;

async function shown<T>(page: Page, id: string, accept: (value: T) => boolean): Promise<T> {
  for (const deadline = Date.now() + LONG; ; ) {
    const text = await page.evaluate((element) => document.getElementById(element)?.textContent ?? null, id);
    if (text !== null) {
      const value = JSON.parse(text) as T;
      if (accept(value)) return value;
    }
    if (Date.now() > deadline) throw new Error(`#${id} never showed what was expected; last: ${text}`);
    await page.waitForTimeout(50);
  }
}

describe('@tidings/react hooks for any job type, in Chromium', { skip: chromiumSkip }, () => {
  const dir = tempDir();
  const out = join(dir.path, 'fixture');
  let server: TidingsServer;
  let base: string;
  let browser: BrowserSession;

  async function submit(body: unknown): Promise<{ job: { jobId: string }; follow: { token?: string } }> {
    const response = await fetch(`${base}/api/v1/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(response.status, 202);
    return (await response.json()) as { job: { jobId: string }; follow: { token?: string } };
  }

  before(async () => {
    await buildFixture(out);
    server = await createTidingsServer({ config: { port: 0, host: '127.0.0.1', dataDir: dir.path, logLevel: 'silent' }, plugins: [reportWriterPlugin()], throttleIntervalMs: 50 });
    serveFixture(server, out);
    base = await server.listen();
    browser = await openBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    dir.cleanup();
  });

  it('useJob(id, { token }): output lines in order, the metadata and the result', async () => {
    const { job, follow } = await submit({ type: 'ReportWriter', input: { title: 'react-job', lines: 3, waitToStart: true }, token: true });
    assert.ok(follow.token);
    const { page } = browser;
    await page.goto(`${base}/fixture/?mode=job&jobId=${job.jobId}&token=${encodeURIComponent(follow.token)}`);
    await shown<{ connectionState: string }>(page, 'own-job', (p) => p.connectionState === 'connected');
    releaseReport('react-job', 'start');
    const final = await shown<{ status: string; lines: string[]; linesWritten: number; result: unknown; error: string | null }>(page, 'own-job', (p) => p.status === 'Completed');
    assert.deepEqual(final.lines, ['line 1 of react-job', 'line 2 of react-job', 'line 3 of react-job']);
    assert.equal(final.linesWritten, 3);
    assert.deepEqual(final.result, { title: 'react-job', lines: 3 });
    assert.equal(final.error, null);
  });

  it('useJobsByTag(tag): each new job with the tag, updated to its end; other jobs stay out', async () => {
    const { page } = browser;
    await page.goto(`${base}/fixture/?mode=tag&tag=react-tag`);
    await shown<{ jobs: unknown[] }>(page, 'tag-jobs', (p) => Array.isArray(p.jobs));
    // Jobs submitted before the page follows the tag arrive with SubscribeToTag's answer; later ones live.
    const other = await submit({ type: 'ReportWriter', input: { title: 'react-other', lines: 1 } });
    const first = await submit({ type: 'ReportWriter', input: { title: 'react-t1', lines: 2 }, tags: ['react-tag'] });
    const second = await submit({ type: 'ReportWriter', input: { title: 'react-t2', lines: 2 }, tags: ['react-tag'] });
    const final = await shown<{ jobs: { jobId: string; status: string }[] }>(page, 'tag-jobs', (p) => p.jobs.length === 2 && p.jobs.every((j) => j.status === 'Completed'));
    assert.deepEqual(new Set(final.jobs.map((j) => j.jobId)), new Set([first.job.jobId, second.job.jobId]));
    assert.ok(!final.jobs.some((j) => j.jobId === other.job.jobId));
  });
});
