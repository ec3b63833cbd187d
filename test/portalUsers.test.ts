/**
 * The portal's Users, Teams and Account pages in Debian's Chromium against a real node
 * (`shoal run`): an administrator creates a Viewer, who logs in in a second browser context,
 * cannot see Users, and makes an expiring read-only API key on their account page (checked
 * with fetch: GET works, POST is refused as ReadOnlyKey). The administrator ends the user's
 * session, revokes their key, meets the password policy in the server's words, disables the
 * user (their session stops working), manages teams and deletes the user.
 * Assumes `npm run build` ran (server-core and renderer). Screenshots go to test-artifacts/portal-users/.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ShoalClient } from './helpers/apiClient.js';
import { freshShotsDir, launchChromium, stepWithScreenshot } from './helpers/browser.js';
import { REPO_ROOT } from './helpers/repo.js';
import { startShoalProcess, type ShoalProcess } from './helpers/shoalProcess.js';
import { tempDir } from './helpers/tempDir.js';
import { teardown } from './helpers/teardown.js';
import { waitFor } from '../server-core/src/testing/wait.js';

const SHOTS = path.join(REPO_ROOT, 'test-artifacts/portal-users');
const ADMIN_PASSWORD = 'portal-users-admin-pw';
const USERNAME = 'vic.viewer';
const USER_PASSWORD = 'violet-kettle-harbour';
const USER_NEW_PASSWORD = 'amber-lantern-meadow';
const KEY_NAME = 'ci-readonly';
const VIEWPORT = { width: 1280, height: 800 };

interface UserView {
  id: string;
  username: string;
  disabled: boolean;
  teamIds: string[];
  roles: string[];
}
interface TeamView {
  id: string;
  name: string;
  roles: string[];
  environmentIds: string[] | null;
  builtIn: boolean;
}
interface KeyView {
  name: string;
  expiresAt: string | null;
  readOnly: boolean;
  revoked: boolean;
}

/** `<input type="date">`'s value for a day `days` from now on this machine, and the end of that day as the API writes it. */
function dayAhead(days: number): { input: string; endOfDay: string } {
  const d = new Date();
  d.setDate(d.getDate() + days);
  const input = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  return { input, endOfDay: new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).toISOString() };
}

describe('users, teams and account pages in Chromium against a real node', { timeout: 240_000 }, () => {
  let node: ShoalProcess;
  let api: ShoalClient;
  let browser: Browser;
  let admin: Page;
  let userContext: BrowserContext;
  let user: Page;
  let current: Page | undefined;
  let apiKey: string;
  const pageErrors: string[] = [];

  const until = <T>(fn: () => T | Promise<T>, message: string, timeoutMs = 10_000) => waitFor(fn, { timeoutMs, intervalMs: 50, message });
  const hash = (page: Page) => new URL(page.url()).hash;
  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), animations: 'disabled' });
  const step = stepWithScreenshot(SHOTS, () => current);
  const vic = async () => (await api.get<UserView[]>('/api/users')).find((u) => u.username === USERNAME);
  const teamNamed = async (name: string) => (await api.get<TeamView[]>('/api/teams')).find((t) => t.name === name);
  const userRow = () => admin.locator(`tr[data-user="${USERNAME}"]`);
  /** What the user's browser session gets from the node now. */
  const userSessionStatus = async () => (await userContext.request.get(`${node.url}/api/users/me`)).status();
  const withKey = (method: string, p: string, body?: unknown) =>
    fetch(`${node.url}${p}`, {
      method,
      headers: { 'x-api-key': apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  async function logIn(page: Page, username: string, password: string) {
    await page.goto(`${node.url}/#/login`);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    // An administrator lands on the Dashboard, a Viewer on Tasks.
    const landing = username === 'admin' ? '#/dashboard' : '#/tasks';
    await until(() => hash(page) === landing, `${username} did not land on ${landing} (at ${page.url()})`);
  }

  before(async () => {
    freshShotsDir(SHOTS);
    node = await startShoalProcess({ dataDir: tempDir('shoal-portal-users-'), env: { SHOAL_ADMIN_PASSWORD: ADMIN_PASSWORD } });
    api = await ShoalClient.login(node.url, 'admin', ADMIN_PASSWORD);
    browser = await launchChromium();
    admin = await browser.newPage({ viewport: VIEWPORT });
    userContext = await browser.newContext({ viewport: VIEWPORT });
    user = await userContext.newPage();
    for (const p of [admin, user]) p.on('pageerror', (e) => pageErrors.push(e.message));
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await node?.stop('SIGTERM');
    await teardown();
  });

  step('an administrator opens Users from the header and sees each user with teams, roles and status', async () => {
    current = admin;
    await logIn(admin, 'admin', ADMIN_PASSWORD);
    await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
    await until(() => hash(admin) === '#/users', `the Users link went to ${hash(admin)}`);
    const row = admin.locator('tr[data-user="admin"]');
    await row.waitFor({ timeout: 10_000 });
    assert.deepEqual(await row.getByRole('list', { name: 'Teams of admin' }).getByRole('listitem').allInnerTexts(), ['Administrators']);
    assert.deepEqual(await row.getByRole('list', { name: 'Roles of admin' }).getByRole('listitem').allInnerTexts(), ['Admin']);
    assert.equal(await row.locator('[data-user-status]').getAttribute('data-user-status'), 'enabled');
  });

  step('the New user form refuses a repeat that differs, then creates a user in the Viewers team', async () => {
    await admin.getByRole('button', { name: 'New user' }).click();
    const form = admin.getByRole('form', { name: 'New user' });
    await form.getByLabel('Username').fill(USERNAME);
    await form.getByLabel('Password', { exact: true }).fill(USER_PASSWORD);
    await form.getByLabel('Repeat password').fill(`${USER_PASSWORD}x`);
    assert.match(await form.innerText(), /At least 12 characters/, 'the password policy is not stated next to the password');
    await form.getByRole('checkbox', { name: /Viewers/ }).check();
    await form.getByRole('button', { name: 'Create user' }).click();
    await until(async () => /differ/.test(await form.getByRole('alert').innerText()), 'a repeat that differs was not refused');
    assert.equal(await vic(), undefined, 'a user was created although the repeated password differed');

    await form.getByLabel('Repeat password').fill(USER_PASSWORD);
    await shot(admin, 'new-user-form');
    await form.getByRole('button', { name: 'Create user' }).click();
    await userRow().waitFor({ timeout: 10_000 });
    const created = await vic();
    const viewers = await teamNamed('Viewers');
    assert.ok(created && viewers);
    assert.deepEqual(created.teamIds, [viewers.id]);
    assert.deepEqual(created.roles, ['Viewer']);
    assert.deepEqual(await userRow().getByRole('list', { name: `Teams of ${USERNAME}` }).getByRole('listitem').allInnerTexts(), ['Viewers']);
    assert.equal(await form.count(), 0, 'the form stayed open after creating the user');
    await shot(admin, 'users');
  });

  step('the new user logs in in another browser and sees no Users link, and a plain message at #/users', async () => {
    current = user;
    await logIn(user, USERNAME, USER_PASSWORD);
    const nav = user.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Tasks' }).waitFor({ timeout: 5000 });
    assert.equal(await nav.getByRole('link', { name: 'Users' }).count(), 0, 'a Viewer is shown the Users link');
    await user.goto(`${node.url}/#/users`);
    await user.getByText('This page needs administrator rights').waitFor({ timeout: 5000 });
    assert.equal(await user.locator('[data-testid="users"]').count(), 0);
    await shot(user, 'users-not-admin');
  });

  step('the account page creates an expiring read-only key, shows it once; it can GET but not POST', async () => {
    await user.getByTestId('current-user').click();
    await until(() => hash(user) === '#/account', `clicking the name went to ${hash(user)}`);
    const lastDay = dayAhead(30);
    const form = user.getByRole('form', { name: 'New API key' });
    await form.getByLabel('Name').fill(KEY_NAME);
    await form.getByLabel('Last day').fill(lastDay.input);
    await form.getByLabel('Read-only').check();
    await form.getByRole('button', { name: 'Create key' }).click();

    const created = user.getByTestId('created-key');
    await created.waitFor({ timeout: 10_000 });
    assert.match(await created.innerText(), /you will not see it again/);
    apiKey = (await created.getByTestId('copyable-code').innerText()).trim();
    assert.ok(apiKey.length > 20, `the shown key looks wrong: ${apiKey}`);
    await shot(user, 'account-key-created');

    assert.equal((await withKey('GET', '/api/tasks')).status, 200, 'the read-only key cannot read');
    const post = await withKey('POST', '/api/tasks', { kind: 'AdHocScript', arguments: { script: 'echo no', syntax: 'bash' } });
    assert.equal(post.status, 403);
    assert.equal(((await post.json()) as { error: { code: string } }).error.code, 'ReadOnlyKey');
    const stored = ((await withKey('GET', '/api/users/me/apikeys').then((r) => r.json())) as KeyView[]).find((k) => k.name === KEY_NAME);
    assert.equal(stored?.readOnly, true);
    assert.equal(stored?.expiresAt, lastDay.endOfDay, 'the key does not expire at the end of the chosen day');

    await created.getByRole('button', { name: 'I have copied it' }).click();
    assert.equal(await created.count(), 0);
    assert.ok(!(await user.locator('body').innerText()).includes(apiKey), 'the key is still shown after it was dismissed');
    const row = user.locator(`tr[data-key="${KEY_NAME}"]`);
    assert.match(await row.innerText(), /read-only/);
    assert.equal(await row.getAttribute('data-key-state'), 'active');
  });

  step('a key revoked on the account page stops working', async () => {
    const form = user.getByRole('form', { name: 'New API key' });
    await form.getByLabel('Name').fill('short-lived');
    await form.getByRole('button', { name: 'Create key' }).click();
    const created = user.getByTestId('created-key');
    await created.waitFor({ timeout: 10_000 });
    const key = (await created.getByTestId('copyable-code').innerText()).trim();
    await created.getByRole('button', { name: 'I have copied it' }).click();
    const me = () => fetch(`${node.url}/api/users/me`, { headers: { 'x-api-key': key } }).then((r) => r.status);
    assert.equal(await me(), 200);

    await user.getByRole('button', { name: 'Revoke the API key short-lived' }).click();
    const dialog = user.getByRole('dialog', { name: /Revoke the API key “short-lived”/ });
    await dialog.getByRole('button', { name: 'Revoke key' }).click();
    await until(async () => (await user.locator('tr[data-key="short-lived"]').getAttribute('data-key-state')) === 'revoked', 'the revoked key is not shown as revoked');
    await until(async () => (await me()) === 401, 'the revoked key still works');
    await shot(user, 'account');
  });

  step('changing your own password needs the current one; the session goes on', async () => {
    const form = user.getByRole('form', { name: 'Password' });
    await form.getByLabel('Current password').fill('not-my-password');
    await form.getByLabel('New password', { exact: true }).fill(USER_NEW_PASSWORD);
    await form.getByLabel('Repeat new password').fill(USER_NEW_PASSWORD);
    await form.getByRole('button', { name: 'Change password' }).click();
    await until(async () => /currentPassword is wrong/.test(await form.getByRole('alert').innerText().catch(() => '')), 'a wrong current password was not refused in the server’s words');

    await form.getByLabel('Current password').fill(USER_PASSWORD);
    await form.getByRole('button', { name: 'Change password' }).click();
    await form.getByText('Your password was changed').waitFor({ timeout: 10_000 });
    await ShoalClient.login(node.url, USERNAME, USER_NEW_PASSWORD);
    assert.equal(await userSessionStatus(), 200, 'the browser session ended with the password change');
  });

  step("the administrator sees the user's keys and sessions, and ends the session", async () => {
    current = admin;
    await userRow().getByRole('button', { name: `Show the API keys and sessions of ${USERNAME}` }).click();
    const panel = admin.getByTestId('user-credentials');
    const keyRow = panel.locator(`tr[data-key="${KEY_NAME}"]`);
    await keyRow.waitFor({ timeout: 10_000 });
    assert.match(await keyRow.innerText(), /read-only/);
    assert.equal(await panel.locator('tr[data-key="short-lived"]').getAttribute('data-key-state'), 'revoked');
    const sessions = panel.locator('tr[data-session]');
    await until(async () => (await sessions.count()) >= 2, 'the sessions of the user (browser and API login) are not listed');
    await shot(admin, 'user-keys-and-sessions');

    await panel.getByRole('button', { name: 'End all sessions…' }).click();
    await admin.getByRole('dialog', { name: `End every session of ${USERNAME}?` }).getByRole('button', { name: 'End all sessions' }).click();
    await until(async () => (await sessions.count()) === 0, 'the sessions are still listed after ending them all');
    await until(async () => (await userSessionStatus()) === 401, "the user's browser session still works after it was ended");
    assert.equal((await withKey('GET', '/api/tasks')).status, 200, 'ending sessions stopped an API key');

    current = user;
    await logIn(user, USERNAME, USER_NEW_PASSWORD);
    current = admin;
    await until(async () => (await sessions.count()) === 1, 'the new session did not show up', 15_000);
    await sessions.first().getByRole('button', { name: /^End session/ }).click();
    await until(async () => (await userSessionStatus()) === 401, 'the session ended on its own still works');
  });

  step('the administrator revokes a key of the user', async () => {
    const panel = admin.getByTestId('user-credentials');
    await panel.getByRole('button', { name: `Revoke the API key ${KEY_NAME}` }).click();
    await admin.getByRole('dialog', { name: /Revoke the API key/ }).getByRole('button', { name: 'Revoke key' }).click();
    await until(async () => (await panel.locator(`tr[data-key="${KEY_NAME}"]`).getAttribute('data-key-state')) === 'revoked', 'the key is not shown revoked');
    await until(async () => (await withKey('GET', '/api/tasks')).status === 401, 'the key revoked by the administrator still works');
  });

  step("a reset password that breaks the policy is refused in the server's words", async () => {
    const refused = await api.request('PUT', `/api/users/${(await vic())!.id}/password`, { body: { newPassword: 'tooshort' } });
    assert.equal(refused.status, 400);
    await userRow().getByRole('button', { name: 'Reset password…' }).click();
    const dialog = admin.getByRole('dialog', { name: `Reset the password of ${USERNAME}` });
    await dialog.getByLabel('New password', { exact: true }).fill('tooshort');
    await dialog.getByLabel('Repeat new password').fill('tooshort');
    await dialog.getByRole('button', { name: 'Set password' }).click();
    const alert = dialog.getByRole('alert');
    await alert.waitFor({ timeout: 10_000 });
    assert.match(await alert.innerText(), new RegExp(refused.body.error.message));
    await shot(admin, 'reset-password-refused');
    await dialog.getByLabel('New password', { exact: true }).press('Escape');
    await until(async () => (await dialog.count()) === 0, 'Escape did not close the dialog');
  });

  step('the administrator cannot disable themselves; the server says why', async () => {
    const row = admin.locator('tr[data-user="admin"]');
    await row.getByRole('button', { name: 'Disable' }).click();
    const message = admin.getByRole('alert').filter({ hasText: 'You cannot disable yourself.' });
    await message.waitFor({ timeout: 10_000 });
    assert.equal(await row.locator('[data-user-status]').getAttribute('data-user-status'), 'enabled');
  });

  step('disabling the user stops their session', async () => {
    current = user;
    await logIn(user, USERNAME, USER_NEW_PASSWORD);
    assert.equal(await userSessionStatus(), 200);
    current = admin;
    await userRow().getByRole('button', { name: 'Disable' }).click();
    await until(async () => (await userRow().locator('[data-user-status]').getAttribute('data-user-status')) === 'disabled', 'the row does not show the user disabled');
    assert.equal((await vic())?.disabled, true);
    await until(async () => (await userSessionStatus()) === 401, "the disabled user's session still works");
    const login = await fetch(`${node.url}/api/users/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: USERNAME, password: USER_NEW_PASSWORD }) });
    assert.equal(login.status, 401, 'a disabled user can log in');
    await user.reload();
    await until(() => hash(user) === '#/login', `the disabled user's portal did not go to the login page (at ${user.url()})`);
    await shot(admin, 'users-disabled');

    await userRow().getByRole('button', { name: 'Enable' }).click();
    await until(async () => (await vic())?.disabled === false, 'Enable did not enable the user');
  });

  step("the user's teams are changed from their row", async () => {
    await userRow().getByRole('button', { name: 'Teams…' }).click();
    const dialog = admin.getByRole('dialog', { name: `Teams of ${USERNAME}` });
    await dialog.getByRole('checkbox', { name: /Deployers/ }).check();
    await dialog.getByRole('button', { name: 'Save teams' }).click();
    await until(async () => (await vic())?.roles.includes('Deployer'), 'the user did not get the Deployer role');
    await until(async () => (await userRow().getByRole('list', { name: `Roles of ${USERNAME}` }).getByRole('listitem').allInnerTexts()).join() === 'Viewer,Deployer', 'the row does not show the new roles');
  });

  step('teams: built-in ones cannot be deleted; a team is created with a Deployer limit, edited and deleted', async () => {
    await admin.getByRole('navigation', { name: 'Users and teams' }).getByRole('link', { name: 'Teams' }).click();
    await until(() => hash(admin) === '#/users/teams', `the Teams tab went to ${hash(admin)}`);
    const administrators = admin.locator('tr[data-team="Administrators"]');
    await administrators.waitFor({ timeout: 10_000 });
    for (const name of ['Administrators', 'Viewers', 'Deployers', 'Project editors']) {
      const row = admin.locator(`tr[data-team="${name}"]`);
      assert.equal(await row.getByRole('button', { name: /Delete/ }).count(), 0, `${name} is built in but has a Delete button`);
      assert.match(await row.innerText(), /cannot be deleted/);
    }
    assert.equal(await admin.locator('tr[data-team="Deployers"] [data-testid="environment-limit"]').innerText(), 'every environment');

    await admin.getByRole('button', { name: 'New team' }).click();
    let dialog = admin.getByRole('dialog', { name: 'New team' });
    await dialog.getByLabel('Name', { exact: true }).fill('Release managers');
    await dialog.getByRole('checkbox', { name: /^Deployer/ }).check();
    await dialog.getByLabel('Deployer limited to').fill('Environments-1, Environments-2');
    await shot(admin, 'team-form');
    await dialog.getByRole('button', { name: 'Create team' }).click();
    const row = admin.locator('tr[data-team="Release managers"]');
    await row.waitFor({ timeout: 10_000 });
    let team = await teamNamed('Release managers');
    assert.deepEqual(team?.roles, ['Deployer']);
    assert.deepEqual(team?.environmentIds, ['Environments-1', 'Environments-2']);
    assert.equal(await row.getByTestId('environment-limit').innerText(), 'Environments-1, Environments-2');

    await row.getByRole('button', { name: 'Edit the team Release managers' }).click();
    dialog = admin.getByRole('dialog', { name: 'Edit the team Release managers' });
    await dialog.getByRole('checkbox', { name: /^ProjectEditor/ }).check();
    await dialog.getByLabel('Deployer limited to').fill('');
    await dialog.getByRole('button', { name: 'Save team' }).click();
    await until(async () => (await teamNamed('Release managers'))?.environmentIds === null, 'clearing the limit did not reach the server');
    team = await teamNamed('Release managers');
    assert.deepEqual(team?.roles, ['Deployer', 'ProjectEditor']);
    await until(async () => (await row.getByTestId('environment-limit').innerText()) === 'every environment', 'the row does not say "every environment"');
    await shot(admin, 'teams');

    await row.getByRole('button', { name: 'Delete the team Release managers' }).click();
    await admin.getByRole('dialog', { name: 'Delete the team Release managers?' }).getByRole('button', { name: 'Delete Release managers' }).click();
    await until(async () => (await row.count()) === 0, 'the deleted team is still listed');
    assert.equal(await teamNamed('Release managers'), undefined);
  });

  step('deleting the user asks with their name (by keyboard alone), then they are gone', async () => {
    await admin.getByRole('navigation', { name: 'Users and teams' }).getByRole('link', { name: 'Users' }).click();
    await userRow().getByRole('button', { name: 'Delete…' }).focus();
    await admin.keyboard.press('Enter');
    const dialog = admin.getByRole('dialog', { name: `Delete the user ${USERNAME}?` });
    await dialog.waitFor({ timeout: 5000 });
    const focused = () => admin.evaluate(() => document.activeElement?.textContent?.trim());
    assert.equal(await focused(), 'Cancel', 'the confirmation does not start on Cancel');
    await shot(admin, 'delete-user-confirm');
    await admin.keyboard.press('Tab');
    assert.equal(await focused(), `Delete ${USERNAME}`);
    await admin.keyboard.press('Enter');
    await until(async () => (await userRow().count()) === 0, 'the deleted user is still listed');
    assert.equal(await vic(), undefined);
    assert.deepEqual(pageErrors, [], 'the portal threw uncaught errors');
  });
});
