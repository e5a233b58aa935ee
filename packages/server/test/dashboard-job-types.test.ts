import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Type } from '@sinclair/typebox';
import { defineJobType } from '@tidings/jobs';
import type { Page } from 'playwright-core';
import { buildDashboard } from '../../dashboard/test/support/build.js';
import { type BrowserSession, chromiumSkip, openBrowser, screenshot } from '../../dashboard/test/support/browser.js';
import { type TidingsServer, createTidingsServer } from '../src/index.js';
import { freePort } from './support/process.js';
import { eventually, tempDir } from './support/service.js';

const SUITE = 'dashboard-job-types';
const LONG = 30_000;

/** Lets the running poem go on past its first two lines (the test opens it once it saw them live). */
let release!: () => void;
const halfway = new Promise<void>((resolve) => (release = resolve));

/** A job type of the test's own: not a video, with a schema of several kinds of field, writing output lines. */
const poem = defineJobType({
  name: 'PoemWriter',
  input: Type.Object(
    {
      topic: Type.String({ minLength: 1, maxLength: 40, description: 'What the poem is about' }),
      lines: Type.Integer({ minimum: 1, maximum: 6 }),
      mood: Type.Union([Type.Literal('calm'), Type.Literal('stormy')]),
      rhyme: Type.Optional(Type.Boolean()),
    },
    { additionalProperties: false },
  ),
  output: Type.String(),
  stages: ['Writing'],
  async process(job, ctx) {
    await ctx.stage('Writing', 0, `A ${job.input.mood} poem about ${job.input.topic}`);
    for (let i = 1; i <= job.input.lines; i++) {
      if (i === 3) await halfway;
      await ctx.output(`${i}: ${job.input.mood} ${job.input.topic}${job.input.rhyme ? ', in rhyme' : ''}`);
      await ctx.progress((100 * i) / job.input.lines);
    }
    return { message: `Wrote ${job.input.lines} lines`, result: { lines: job.input.lines } };
  },
});

function outputLines(page: Page): Promise<string[]> {
  return page.locator('[role=log][aria-label=Output] .output-line').allTextContents();
}

describe('the dashboard runs a job type of its own from the form its schema builds', { skip: chromiumSkip }, () => {
  const dir = tempDir();
  const dist = join(dir.path, 'dashboard-dist');
  let base: string;
  let server: TidingsServer;
  let browser: BrowserSession;
  let page: Page;
  let jobId: string;

  before(async () => {
    await buildDashboard(dist);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = await createTidingsServer({
      config: { port, host: '127.0.0.1', dataDir: dir.path, logLevel: 'silent', demoSpeed: 20, shutdownGraceMs: 2000 },
      plugins: [{ name: 'poems', jobTypes: [poem], register: () => undefined }],
      dashboardDir: dist,
    });
    await server.listen();
    browser = await openBrowser();
    page = browser.page;
  });

  after(async () => {
    release();
    await browser?.close();
    await server?.close();
    dir.cleanup();
  });

  it('builds the form from the input schema: text, a whole number, a choice of the enum, a checkbox', async () => {
    await page.goto(`${base}/`);
    await page.locator('[aria-label="Connection status"][data-state="connected"]').waitFor({ timeout: LONG });
    await page.locator('select[name=type]').selectOption('PoemWriter');
    const form = page.getByRole('form', { name: 'Run a PoemWriter job' });
    await form.waitFor();
    assert.equal(await form.locator('input[name=topic]').getAttribute('type'), 'text');
    assert.equal(await form.locator('input[name=lines]').getAttribute('type'), 'number');
    assert.deepEqual(await form.locator('select[name=mood] option').allTextContents(), ['calm', 'stormy']);
    assert.equal(await form.locator('input[name=rhyme]').getAttribute('type'), 'checkbox');

    // The service checks the input against the same schema: its message is shown, nothing is created.
    await form.locator('input[name=topic]').fill('autumn');
    await form.locator('input[name=lines]').fill('9');
    await form.getByRole('button', { name: 'Run PoemWriter' }).click();
    await form.getByRole('alert').filter({ hasText: /lines/ }).waitFor({ timeout: LONG });
    const none = (await (await fetch(`${base}/api/v1/jobs?jobType=PoemWriter`)).json()) as { jobs: unknown[] };
    assert.equal(none.jobs.length, 0);
    await screenshot(page, SUITE, '01-schema-form-refused');
  });

  it('runs it, with tags, and shows its output live in the detail as the job writes it', async () => {
    const form = page.getByRole('form', { name: 'Run a PoemWriter job' });
    await form.locator('input[name=lines]').fill('4');
    await form.locator('select[name=mood]').selectOption({ label: 'stormy' });
    await form.locator('input[name=rhyme]').check();
    await form.locator('input[name=tags]').fill('poems, night-shift');
    await form.getByRole('button', { name: 'Run PoemWriter' }).click();

    const jobs = await eventually(
      async () => ((await (await fetch(`${base}/api/v1/jobs?jobType=PoemWriter`)).json()) as { jobs: { jobId: string; tags: string[] }[] }).jobs,
      (list) => list.length === 1,
      LONG,
      'the submitted poem',
    );
    jobId = jobs[0]!.jobId;
    assert.deepEqual(jobs[0]!.tags, ['poems', 'night-shift']);
    const row = page.locator(`tr[data-job-id="${jobId}"]`);
    await row.waitFor({ timeout: LONG });
    assert.match((await row.textContent()) ?? '', /poems.*night-shift/);

    await row.getByRole('button', { name: 'PoemWriter' }).click();
    const detail = page.getByRole('region', { name: 'Job detail' });
    await detail.waitFor();
    // The first two lines arrive while the job is still running (it waits before its third).
    await page.waitForFunction(() => document.querySelectorAll('[aria-label=Output] .output-line').length === 2, undefined, { timeout: LONG });
    assert.deepEqual(await outputLines(page), ['1: stormy autumn, in rhyme', '2: stormy autumn, in rhyme']);
    assert.equal(await detail.locator('.badge').first().textContent(), 'Running');
    await screenshot(page, SUITE, '02-output-live');

    release();
    await detail.locator('.badge', { hasText: 'Completed' }).first().waitFor({ timeout: LONG });
    await page.waitForFunction(() => document.querySelectorAll('[aria-label=Output] .output-line').length === 4, undefined, { timeout: LONG });
    assert.deepEqual(await outputLines(page), ['1: stormy autumn, in rhyme', '2: stormy autumn, in rhyme', '3: stormy autumn, in rhyme', '4: stormy autumn, in rhyme']);
    await screenshot(page, SUITE, '03-output-complete');
    await detail.getByRole('button', { name: 'Close' }).click();
  });

  it('filters the table by tag', async () => {
    const tag = page.locator('input[name=tag]');
    await tag.fill('night-shift');
    await tag.press('Enter');
    await page.waitForFunction((id) => {
      const rows = document.querySelectorAll('.jobs-table tbody tr');
      return rows.length === 1 && rows[0]!.getAttribute('data-job-id') === id;
    }, jobId, { timeout: LONG });
    await tag.fill('no-such-tag');
    await tag.press('Enter');
    await page.getByText('No jobs here.').waitFor({ timeout: LONG });
    await tag.fill('');
    await tag.press('Enter');
  });
});
