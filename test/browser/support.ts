// What every browser test needs: Chromium (or a clear reason it is skipped), a built web app,
// a Stratus on a temporary DATA_DIR, a fresh phone-sized browser profile per test, console
// errors collected, screenshots saved for people to look at (not committed: .gitignore).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach } from 'node:test';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { TestStratus } from '../support/stratus.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
];
const SCREENSHOTS = join(import.meta.dirname, '..', '..', '.artifacts', 'screenshots');
export const PASSWORD = 'a long and unusual passphrase';

/** Why the browser tests cannot run here, or undefined when they can; for `describe`'s `skip`. */
export const chromiumMissing = existsSync(CHROMIUM)
  ? undefined
  : `Chromium is not installed at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH): the browser tests were skipped`;
if (chromiumMissing) console.warn(`\n${chromiumMissing}\n`);

export interface BrowserHarness {
  /** The Stratus under test (started in `before`). */
  readonly s: TestStratus;
  /** This test's page, in a fresh browser profile. */
  readonly page: Page;
  readonly context: BrowserContext;
  /** Console errors and uncaught page errors seen so far in this test. */
  readonly problems: string[];
  /** Saves a full-page screenshot as `.artifacts/screenshots/<name>.png`. */
  shot(name: string): Promise<void>;
  /** Signs in through the sign-in form as an existing user and waits for the to-do list. */
  signIn(email: string, password?: string): Promise<void>;
}

/**
 * Registers the hooks of a browser suite; call inside `describe`. `WEB_DIR` in the environment
 * points at a ready build (and skips building); otherwise web/dist is built when stale.
 * `bypassCSP` lets a test inject its own script (the accessibility checker). `env` adds settings
 * for the Stratus under test; it is read when Stratus starts, so it may name what an earlier
 * `before` started (an outside sign-in provider).
 */
export function browserHarness(
  options: { bypassCSP?: boolean; env?: () => Record<string, string> } = {},
): BrowserHarness {
  let browser: Browser;
  const state = { problems: [] as string[] } as { s: TestStratus; page: Page; problems: string[] };

  before(async () => {
    if (!process.env.WEB_DIR) {
      // `npm test` builds the app first (pretest); this covers running one file alone.
      const build = spawnSync(process.execPath, ['scripts/ensure-web.mjs'], { stdio: 'inherit' });
      assert.equal(build.status, 0, 'the web app builds');
    }
    mkdirSync(SCREENSHOTS, { recursive: true });
    state.s = await TestStratus.start({
      ...(process.env.WEB_DIR ? { WEB_DIR: process.env.WEB_DIR } : {}),
      ...options.env?.(),
    });
    // Chromium trusts the test server's self-signed key as it would a real certificate: service
    // workers are refused over a certificate the browser was merely told to ignore.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [...FLAGS, `--ignore-certificate-errors-spki-list=${spkiHash(state.s.tlsCert)}`],
    });
  });
  beforeEach(async () => {
    const context = await browser.newContext({
      ignoreHTTPSErrors: true, // the test server's self-signed certificate
      viewport: { width: 360, height: 740 },
      acceptDownloads: true,
      // Only for tests that inject a checker (axe) into the page; every other test runs under the app's CSP.
      bypassCSP: options.bypassCSP ?? false,
    });
    state.page = await context.newPage();
    state.problems.length = 0;
    state.page.on('console', (message) => {
      // Chromium logs every 4xx answer to fetch, and every request made offline; the API's refusals
      // of bad input, and the app's tries while the test has the browser offline, are expected.
      if (message.type() === 'error' && !/status of 4\d\d|net::ERR_INTERNET_DISCONNECTED/.test(message.text())) {
        state.problems.push(`console: ${message.text()}`);
      }
    });
    state.page.on('pageerror', (error) => state.problems.push(`page error: ${error.message}`));
  });
  afterEach(async () => {
    await state.page.context().close();
  });
  after(async () => {
    await browser?.close();
    await state.s?.stop();
  });

  return {
    get s() {
      return state.s;
    },
    get page() {
      return state.page;
    },
    get context() {
      return state.page.context();
    },
    problems: state.problems,
    async shot(name) {
      await state.page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
    },
    async signIn(email, password = PASSWORD) {
      const { page } = state;
      await page.goto(`${state.s.url}/signin`);
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'To-dos' }).waitFor();
    },
  };
}

/** The base64 SHA-256 of a certificate's public key (SPKI), as Chromium's trust flag takes it. */
function spkiHash(certificatePem: string): string {
  const spki = new X509Certificate(certificatePem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}
