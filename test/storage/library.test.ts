/**
 * The Library and Settings → Storage pages in Debian's Chromium against a real node: upload a
 * package from the page (upload throttled through the DevTools protocol so the progress bar
 * is seen moving), see the listed version, delete it; read the storage paths and the node's
 * verification. Assumes `npm run build`. Screenshots go to test-artifacts/storage/.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ShoalClient } from '../helpers/apiClient.js';
import { launchChromium, logInToPortal } from '../helpers/browser.js';
import { REPO_ROOT } from '../helpers/repo.js';
import { startShoalProcess, type ShoalProcess } from '../helpers/shoalProcess.js';
import { tempDir } from '../helpers/tempDir.js';
import { teardown } from '../helpers/teardown.js';

const SHOTS = path.join(REPO_ROOT, 'test-artifacts/storage');
const PASSWORD = 'library-admin-pw-1';
const MiB = 1024 * 1024;

describe('Library and storage settings pages in Chromium', { timeout: 180_000 }, () => {
  let node: ShoalProcess;
  let api: ShoalClient;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  before(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    node = await startShoalProcess({ dataDir: tempDir('shoal-library-'), nodeName: 'library-node', env: { SHOAL_ADMIN_PASSWORD: PASSWORD } });
    api = await ShoalClient.login(node.url, 'admin', PASSWORD);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await logInToPortal(page, `${node.url}/#/login`, 'admin', PASSWORD);
  });
  after(async () => {
    await browser?.close();
    await teardown();
  });

  it('uploads a package from the Library page with a moving progress bar, then lists its version', async () => {
    // An older version already there, uploaded through the API.
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(crypto.randomBytes(2048))]), 'Acme.Web.1.0.0.zip');
    const seeded = await fetch(`${node.url}/api/Spaces-1/packages/raw`, { method: 'POST', headers: api.headers(), body: form });
    assert.equal(seeded.status, 201);

    await page.getByRole('link', { name: 'Library' }).click();
    await page.waitForURL(/#\/library/);
    await page.locator('[data-package="Acme.Web"]').waitFor();

    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 3 * MiB });
    // Record every value the progress bar takes.
    await page.evaluate(() => {
      (window as any).__progress = [];
      new MutationObserver(() => {
        const bar = document.querySelector('[data-testid="upload-progress"]');
        if (bar) (window as any).__progress.push(Number(bar.getAttribute('aria-valuenow')));
      }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-valuenow'] });
    });
    const bytes = crypto.randomBytes(8 * MiB);
    await page.getByTestId('package-file').setInputFiles({ name: 'Acme.Web.1.1.0-rc.1.zip', mimeType: 'application/zip', buffer: bytes });
    await page.getByText('version 1.1.0-rc.1').waitFor();
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await page.getByTestId('upload-progress').waitFor();
    await page.waitForFunction(() => (window as any).__progress.some((v: number) => v > 10 && v < 90), undefined, { timeout: 20_000 });
    await page.screenshot({ path: path.join(SHOTS, 'library-uploading.png') });
    await page.getByTestId('upload-message').filter({ hasText: 'Uploaded Acme.Web 1.1.0-rc.1.' }).waitFor({ timeout: 30_000 });
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    const seen: number[] = await page.evaluate(() => (window as any).__progress);
    assert.ok(seen.some((v) => v > 0 && v < 100), `progress values seen: ${seen.join(',')}`);
    assert.equal(seen.at(-1), 100);

    const versions = page.getByTestId('package-versions');
    await versions.locator('[data-version="1.1.0-rc.1"]').waitFor();
    assert.deepEqual(await versions.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-version'))), ['1.1.0-rc.1', '1.0.0']);
    const row = page.locator('[data-package="Acme.Web"]');
    assert.match(await row.innerText(), /1\.1\.0-rc\.1\s+2\s+8\.00 MiB/);
    await page.screenshot({ path: path.join(SHOTS, 'library.png'), fullPage: true });

    const stored = await api.get('/api/Spaces-1/packages/Acme.Web/versions/1.1.0-rc.1');
    assert.equal(stored.hash, crypto.createHash('sha256').update(bytes).digest('hex'));

    // Delete the older version from the page.
    await versions.locator('[data-version="1.0.0"]').getByRole('button', { name: 'Delete…' }).click();
    await versions.locator('[data-version="1.0.0"]').getByRole('button', { name: 'Delete', exact: true }).click();
    await versions.locator('[data-version="1.0.0"]').waitFor({ state: 'detached' });
    assert.equal((await api.request('GET', '/api/Spaces-1/packages/Acme.Web/versions/1.0.0')).status, 404);
  });

  it('a refused upload shows the server\'s reason', async () => {
    await page.getByTestId('package-file').setInputFiles({ name: 'Acme.Web.1.1.0-rc.1.zip', mimeType: 'application/zip', buffer: Buffer.from('again') });
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await page.getByTestId('upload-message').filter({ hasText: /already exists/ }).waitFor();
  });

  it('Settings → Storage shows each path checked and the node\'s verification', async () => {
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.waitForURL(/#\/settings\/storage/);
    const paths = page.getByTestId('storage-paths');
    await paths.locator('[data-kind="packages"]').waitFor();
    assert.equal(await paths.locator('tbody tr').count(), 5);
    assert.match(await paths.locator('[data-kind="taskLogs"]').innerText(), /exists, writable/);
    await page.getByTestId('storage-nodes').locator('[data-node="library-node"]').getByText('sees the same folders').waitFor();
    // A bad path is refused with the kind named.
    await page.getByLabel('Imports path').fill('/nonexistent/shoal-imports');
    await page.getByRole('button', { name: 'Save paths' }).click();
    await page.getByRole('alert').filter({ hasText: /^imports: \/nonexistent\/shoal-imports does not exist/ }).waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'settings-storage.png'), fullPage: true });
    assert.deepEqual(pageErrors, []);
  });
});
