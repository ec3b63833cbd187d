/**
 * shoal-manager's screens in Debian's Chromium, against two real targets: a 2-node PostgreSQL
 * cluster behind HAProxy (the example config, with its runtime API to read its view) and a
 * standalone node. Both are added through the connection form (tested first); the fleet shows
 * both; node2's maintenance flow runs end to end, with HAProxy's view and node2's ping read at
 * each stage; a live task log streams through the proxy into the page (its first line shown
 * before the script ends); `kill -9` of node2 makes a notification (in the centre and as an OS
 * notification) within the offline threshold plus 5 s, and its card shows it Offline; HAProxy
 * stopped shows the cluster unreachable, started again, recovered. The API keys appear in no
 * response the page received (bodies, headers, server-sent events), in no DOM, in no storage,
 * and in none of the manager's logs. Screenshots of every screen: test-artifacts/manager/.
 * The desktop app runs the same flows (fleetScreens.ts) in test/electron.test.ts.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, stepWithScreenshot } from '../helpers/browser.js';
import { startFleetTargets, type FleetTargets } from '../helpers/fleetTargets.js';
import { REPO_ROOT } from '../helpers/repo.js';
import { startShoalManager, type ShoalManagerProcess } from '../helpers/shoalManagerProcess.js';
import { teardown } from '../helpers/teardown.js';
import { tempDir } from '../helpers/tempDir.js';
import * as flows from './fleetScreens.js';

const SHOTS = path.join(REPO_ROOT, 'test-artifacts/manager');
const INTERVAL_MS = 2000;

describe('shoal-manager in Chromium: fleet, maintenance, notifications against a cluster and a standalone node', { timeout: 420_000 }, () => {
  let targets: FleetTargets;
  let manager: ShoalManagerProcess;
  let browser: Browser;
  let page: Page;
  let screens: flows.Screens;
  /** Everything the page received: responses (headers, and bodies that end) and every server-sent event. */
  const received: { url: string; text: string }[] = [];
  const domSeen: string[] = [];
  const pageErrors: string[] = [];
  const work = tempDir('shoal-manager-browser-');
  const step = stepWithScreenshot(SHOTS, () => page);

  before(async () => {
    fs.rmSync(SHOTS, { recursive: true, force: true });
    fs.mkdirSync(SHOTS, { recursive: true });
    targets = await startFleetTargets(work);
    manager = await startShoalManager(['--secrets', 'session', '--data-dir', path.join(work, 'manager'), '--interval-ms', String(INTERVAL_MS)]);

    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.grantPermissions(['notifications'], { origin: manager.url });
    // The page's OS notifications, as it asks for them (the real Notification, recorded on the way).
    await context.addInitScript(() => {
      const Real = window.Notification;
      const shown: string[] = [];
      (window as unknown as { shownNotifications: string[] }).shownNotifications = shown;
      window.Notification = class extends Real {
        constructor(title: string, options?: NotificationOptions) {
          super(title, options);
          shown.push(title);
        }
      } as typeof Notification;
    });
    page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('response', async (res) => {
      const headers = Object.entries(await res.allHeaders()).map(([k, v]) => `${k}: ${v}`).join('\n');
      // Event streams are read below, event by event; their bodies would only end with the page.
      const body = (res.headers()['content-type'] ?? '').includes('text/event-stream') ? '' : await res.text().catch(() => '');
      received.push({ url: res.url(), text: `${res.status()}\n${headers}\n\n${body}` });
    });
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    cdp.on('Network.eventSourceMessageReceived', (e) => received.push({ url: 'event-source', text: `${e.eventName}\n${e.data}` }));
    screens = {
      page,
      targets,
      work,
      address: (suffix) => `${manager.url}/${suffix}`,
      shot: async (name) => {
        await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
        domSeen.push(await page.content());
      },
      osNotifications: () => page.evaluate(() => (window as unknown as { shownNotifications: string[] }).shownNotifications),
    };
  });
  after(async () => {
    await browser?.close();
    await teardown();
  });

  step('the one-time link opens the fleet: empty, with a way to add a cluster', async () => {
    await page.goto(manager.link);
    await page.getByRole('heading', { name: 'No clusters yet' }).waitFor({ timeout: 15_000 });
    assert.equal(new URL(page.url()).hash, '#/fleet', 'the token left the address');
    await screens.shot('fleet-empty');
  });

  step('adds the cluster through the form after testing it, and the standalone node', () => flows.addBothThroughTheForm(screens));
  step('the fleet shows both, live: nodes by status, queue, running tasks, version', () => flows.fleetShowsBoth(screens));
  step("a cluster's Nodes page through the manager: task cap, queue pause", () => flows.nodesPageThroughTheManager(screens));
  step("node2's maintenance, guided, with HAProxy's view and node2's ping at each stage", () => flows.maintenanceOfNode2(screens));
  step('a live task log through the proxy: its first line is on the page before the script ends', () => flows.liveLogThroughTheManager(screens));
  step('the library through the proxy: an upload, the package listed, its download whole', () => flows.libraryThroughTheManager(screens));

  step('kill -9 of node2: a notification within the offline threshold plus 5 s, and the card shows it Offline', async () => {
    const { noticedMs, boundMs } = await flows.killNode2Notifies(screens);
    process.stderr.write(`kill -9 → notification in the page: ${noticedMs} ms (bound ${boundMs} ms; checks every ${INTERVAL_MS} ms)\n`);
  });
  step('the offline node2 removed from the Nodes page the notification opened', () => flows.removeOfflineNode2(screens));

  step('HAProxy stopped: the cluster is unreachable with the error and the next try; started again: recovered', () => flows.balancerStoppedAndBack(screens));

  step("the API keys are in nothing the page received, in no DOM, in no storage, in none of the manager's logs", async () => {
    domSeen.push(await page.content());
    const storage = await page.evaluate(() => JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage } }));
    assert.ok(received.some((r) => r.url.includes('/connections/') && r.text.includes('node1')), 'the record holds the proxied answers');
    assert.ok(received.some((r) => r.url === 'event-source' && r.text.includes('fleet:health')), 'the record holds the server-sent events');
    assert.ok(manager.output().includes('"msg"'), 'the manager logged (as JSON) for the search to mean something');
    flows.assertKeysNowhere(targets, [...received.map((r) => r.text), ...domSeen, storage].join('\n'), manager.output());
    assert.deepEqual(pageErrors, []);
  });
});
