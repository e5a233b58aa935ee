/**
 * Debian's Chromium driven by playwright-core (never a downloaded browser),
 * with a fresh profile, and what the page said on its console.
 */
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, type ConsoleMessage, type Page, chromium } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Why browser suites skip, or false when they run (the test runner sets TIDINGS_CHROMIUM=1 when Chromium is installed). */
export const chromiumSkip: string | false =
  process.env.TIDINGS_CHROMIUM === '1' ? false : `needs ${CHROMIUM_PATH}: run through scripts/run-tests.mjs (it sets TIDINGS_CHROMIUM=1 when Chromium is installed)`;

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface ConsoleLine {
  readonly type: string;
  readonly text: string;
  readonly at: number;
}

export interface BrowserSession {
  readonly page: Page;
  readonly context: BrowserContext;
  /** Everything the page logged, and its uncaught errors (type `pageerror`). */
  readonly console: ConsoleLine[];
  close(): Promise<void>;
}

export async function openBrowser(): Promise<BrowserSession> {
  const profile = mkdtempSync(join(tmpdir(), 'tidings-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const lines: ConsoleLine[] = [];
  page.on('console', (message: ConsoleMessage) => lines.push({ type: message.type(), text: message.text(), at: Date.now() }));
  page.on('pageerror', (error) => lines.push({ type: 'pageerror', text: error.stack ?? error.message, at: Date.now() }));
  return {
    page,
    context,
    console: lines,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

const artifacts = fileURLToPath(new URL('../../../../test-artifacts/', import.meta.url));

/** Saves a screenshot under test-artifacts/<suite>/<name>.png (git-ignored), for people to look at. */
export async function screenshot(page: Page, suite: string, name: string): Promise<string> {
  const dir = join(artifacts, suite);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
