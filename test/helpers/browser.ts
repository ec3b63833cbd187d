import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO_ROOT } from './repo.js';

/** Debian's Chromium (apt-get install chromium, as .ci/run does). */
export const CHROMIUM = '/usr/bin/chromium';
/** Headless as root, and no attempts to reach the internet from a closed network. */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const PORTAL_INDEX = path.join(REPO_ROOT, 'renderer/dist/index.html');

/**
 * Launches Debian's Chromium for a portal test. A missing browser or an unbuilt portal fails
 * the test with what to do, never skips it.
 */
export async function launchChromium(): Promise<Browser> {
  assert.ok(fs.existsSync(CHROMIUM), `Chromium is not installed at ${CHROMIUM}; portal tests need Debian's chromium package (apt-get install chromium, as .ci/run does).`);
  assert.ok(fs.existsSync(PORTAL_INDEX), `The portal is not built (${PORTAL_INDEX} is missing); run \`npm run build\` first.`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** A test step that keeps a screenshot of the page beside the others when it fails. */
export function stepWithScreenshot(shotsDir: string, page: () => Page | undefined) {
  return (name: string, fn: () => Promise<void>) =>
    it(name, async () => {
      try {
        await fn();
      } catch (err) {
        await page()
          ?.screenshot({ path: path.join(shotsDir, `FAILED-${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}.png`) })
          .catch(() => {});
        throw err;
      }
    });
}

/** The folder of a test's screenshots, without the failure shots of an earlier run. */
export function freshShotsDir(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  for (const f of fs.readdirSync(dir)) if (f.startsWith('FAILED-')) fs.rmSync(path.join(dir, f));
  return dir;
}

/** Logs in through the portal's form at `url` and waits until the page shows who is logged in. */
export async function logInToPortal(page: Page, url: string, username: string, password: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByTestId('current-user').waitFor({ timeout: 10_000 });
}
