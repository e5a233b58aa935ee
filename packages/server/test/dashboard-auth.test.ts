import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { buildDashboard } from '../../dashboard/test/support/build.js';
import { type BrowserSession, chromiumSkip, openBrowser, screenshot } from '../../dashboard/test/support/browser.js';
import { type TidingsServer, createTidingsServer } from '../src/index.js';
import { tempDir } from './support/service.js';

const SECRET = 'dashboard-tests-secret-0123456789';
const LONG = 30_000;

function tokenFor(userId: string): Promise<string> {
  return new SignJWT({ sub: userId }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(new TextEncoder().encode(SECRET));
}

describe('the dashboard with JWT on, in Chromium', { skip: chromiumSkip }, () => {
  const dir = tempDir();
  let server: TidingsServer;
  let base: string;
  let browser: BrowserSession;

  async function ingestAs(token: string, title: string): Promise<string> {
    const response = await fetch(`${base}/api/v1/videos/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ url: `https://videos.example/${encodeURIComponent(title)}`, title }),
    });
    assert.equal(response.status, 202);
    return ((await response.json()) as { jobId: string }).jobId;
  }

  before(async () => {
    const dist = join(dir.path, 'dashboard-dist');
    await buildDashboard(dist);
    server = await createTidingsServer({
      config: { port: 0, host: '127.0.0.1', dataDir: dir.path, logLevel: 'silent', demoSpeed: 10, jwtSecret: SECRET },
      dashboardDir: dist,
    });
    base = await server.listen();
    browser = await openBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    dir.cleanup();
  });

  it('asks for a token, then shows only your jobs, live', async () => {
    const dana = await tokenFor('dana');
    const erinsJob = await ingestAs(await tokenFor('erin'), "Erin's video");
    const { page } = browser;
    await page.goto(`${base}/`);
    await page.getByText('The service requires a token').waitFor({ timeout: LONG });
    assert.equal(await page.locator('tr[data-job-id]').count(), 0);

    await page.getByLabel('Bearer token').fill(dana);
    await page.getByRole('button', { name: 'Use token' }).click();
    await page.locator('[aria-label="Connection status"][data-state="connected"]').waitFor({ timeout: LONG });
    await page.getByText('Signed in as').locator('strong', { hasText: 'dana' }).waitFor();

    const danasJob = await ingestAs(dana, "Dana's video");
    await page.locator(`tr[data-job-id="${danasJob}"] .badge`, { hasText: 'Completed' }).waitFor({ timeout: LONG });
    assert.equal(await page.locator(`tr[data-job-id="${erinsJob}"]`).count(), 0, "another user's job is not shown");
    await screenshot(page, 'dashboard', '07-jwt-signed-in');

    // The token outlives a reload (session storage); signing out forgets it.
    await page.reload();
    await page.locator(`tr[data-job-id="${danasJob}"]`).waitFor({ timeout: LONG });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('The service requires a token').waitFor();
  });

  it('wrote no errors to the console', () => {
    assert.deepEqual(
      browser.console.filter((line) => line.type === 'error' || line.type === 'pageerror'),
      [],
    );
  });
});
