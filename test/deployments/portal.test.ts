/**
 * The deployment pages of the portal in Debian's Chromium against a real node, as a new
 * user goes: environments (created and reordered on the Environments page), a project with
 * a script step, a manual intervention and a sensitive variable, a release, a deployment
 * whose log lines arrive live in its tree (the password masked), approved from the page and
 * ending Success; the lifecycle's refusal in words; the dashboard; a lifecycle of two phases
 * made on the Lifecycles page and chosen on a project's page; a runbook run; and a
 * Viewer, who is offered no Deploy button. Assumes `npm run build` ran.
 * Screenshots of every page go to test-artifacts/portal-deployments/.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ShoalClient } from '../helpers/apiClient.js';
import { freshShotsDir, launchChromium, logInToPortal, stepWithScreenshot } from '../helpers/browser.js';
import { SPACE } from '../helpers/deployments.js';
import { REPO_ROOT } from '../helpers/repo.js';
import { startShoalProcess, type ShoalProcess } from '../helpers/shoalProcess.js';
import { teardown } from '../helpers/teardown.js';
import { tempDir } from '../helpers/tempDir.js';
import { waitFor } from '../../server-core/src/testing/wait.js';

const SHOTS = path.join(REPO_ROOT, 'test-artifacts/portal-deployments');
const SECRET = 'correct-horse-battery';

describe('deployment pages of the portal in Chromium', { timeout: 240_000 }, () => {
  let node: ShoalProcess;
  let admin: ShoalClient;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  let releaseUrl = '';

  const hash = () => new URL(page.url()).hash;
  const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), animations: 'disabled' });
  const until = <T>(fn: () => T | Promise<T>, message: string, timeoutMs = 15_000) => waitFor(fn, { timeoutMs, intervalMs: 50, message });
  const dialog = () => page.getByRole('dialog');
  const stepLines = () => page.locator('[data-testid="step-log"] .line .text').allTextContents();
  const step = stepWithScreenshot(SHOTS, () => page);

  const logIn = (p: Page, username: string, password: string) => logInToPortal(p, `${node.url}/`, username, password);

  before(async () => {
    freshShotsDir(SHOTS);
    node = await startShoalProcess({ dataDir: path.join(tempDir('shoal-portal-deploy-'), 'data'), nodeName: 'portal-deploy', taskCap: 3 });
    admin = await ShoalClient.login(node.url, 'admin', node.adminPassword);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await logIn(page, 'admin', node.adminPassword);
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await node?.stop('SIGTERM');
    await teardown();
  });

  step('environments are created, edited, deleted and put in order on the Environments page, the default lifecycle following', async () => {
    await page.locator('header').getByRole('link', { name: 'Environments' }).click();
    await page.getByRole('heading', { name: 'Environments' }).waitFor();
    await shot('environments-empty');
    for (const name of ['Dev', 'Prod', 'Test', 'Scratch']) {
      await page.getByRole('button', { name: 'New environment' }).click();
      await dialog().getByLabel('Name').fill(name);
      await dialog().getByRole('button', { name: 'Create environment' }).click();
      await page.locator(`tr[data-environment="${name}"]`).waitFor();
    }
    const scratch = page.locator('tr[data-environment="Scratch"]');
    await scratch.getByRole('button', { name: 'Delete' }).click();
    await dialog().getByRole('button', { name: 'Delete environment' }).click();
    await scratch.waitFor({ state: 'detached' });
    await page.locator('tr[data-environment="Dev"]').getByRole('button', { name: 'Edit' }).click();
    await dialog().getByLabel('Description').fill('Where every change lands first');
    await dialog().getByRole('button', { name: 'Save' }).click();
    await page.locator('tr[data-environment="Dev"]').filter({ hasText: 'Where every change lands first' }).waitFor();
    await page.getByRole('button', { name: 'Move Test up' }).click();
    const names = () => page.locator('[data-testid="environment-table"] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-environment')));
    await until(async () => (await names()).join() === 'Dev,Test,Prod', 'the page did not show Dev, Test, Prod after moving Test up');
    const phases = () => page.locator('[data-testid="lifecycle-table"] .phase').allTextContents();
    await until(async () => (await phases()).join() === 'Dev,Test,Prod', 'the default lifecycle is not shown as Dev → Test → Prod');
    const stored = await admin.get<{ name: string }[]>(`${SPACE}/environments`);
    assert.deepEqual(stored.map((e) => e.name), ['Dev', 'Test', 'Prod']);
    await shot('environments');
  });

  step('a project is created with a script step, a manual intervention and a sensitive variable', async () => {
    await page.getByRole('link', { name: 'Projects' }).click();
    await page.getByRole('button', { name: 'New project' }).click();
    await dialog().getByLabel('Name').fill('Hello');
    await dialog().getByRole('button', { name: 'Create project' }).click();
    await until(() => /^#\/projects\/Projects-\d+\/process$/.test(hash()), `creating the project did not open its process (at ${hash()})`);

    await page.getByRole('button', { name: '+ Run a script' }).click();
    await page.getByLabel('Step name').fill('Greet');
    await page.getByLabel(/^Script/).fill('for i in 1 2 3; do echo "#{Greeting} line-$i"; sleep 0.5; done\necho "password is #{DbPassword}"');
    await page.getByRole('button', { name: '+ Manual intervention' }).click();
    await page.getByLabel('Instructions').fill('Check the greeting in #{Shoal.Environment.Name}');
    await page.getByRole('button', { name: 'Save process' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    const projectId = /Projects-\d+/.exec(hash())![0];
    const process = await admin.get<{ steps: { name: string; action: string }[] }>(`${SPACE}/projects/${projectId}/process`);
    assert.deepEqual(process.steps.map((s) => [s.name, s.action]), [['Greet', 'RunScript'], ['Approve', 'ManualIntervention']]);
    await shot('project-process');

    await page.getByRole('link', { name: 'Variables' }).click();
    await page.getByRole('button', { name: '+ Add variable' }).click();
    await page.getByLabel('Name').last().fill('Greeting');
    await page.getByLabel('Value of Greeting').fill('Hello');
    await page.getByRole('button', { name: '+ Add variable' }).click();
    await page.getByLabel('Name').last().fill('DbPassword');
    await page.getByLabel('DbPassword is sensitive').check();
    await page.getByLabel('Value of DbPassword').fill(SECRET);
    assert.equal(await page.getByLabel('Value of DbPassword').getAttribute('type'), 'password');
    await page.getByRole('button', { name: 'Save variables' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    // Saved: the field is empty again and says a value is set; the secret is nowhere on the page.
    assert.equal(await page.getByLabel('Value of DbPassword').inputValue(), '');
    assert.match((await page.getByLabel('Value of DbPassword').getAttribute('placeholder')) ?? '', /\*{8} \(set/);
    assert.ok(!(await page.content()).includes(SECRET), 'the sensitive value is still in the page after saving');
    await shot('project-variables');
  });

  step('a release is created from the project page and deployed to Dev; its log lines arrive live in the step', async () => {
    await page.getByRole('link', { name: 'Releases' }).click();
    await shot('project-releases-empty');
    await page.getByRole('button', { name: 'Create release' }).click();
    await dialog().getByRole('button', { name: 'Create release' }).click();
    await until(() => /^#\/releases\/Releases-\d+$/.test(hash()), `creating the release did not open it (at ${hash()})`);
    releaseUrl = page.url();
    await page.getByTestId('deploy-Dev').waitFor();
    await shot('release');

    await page.getByTestId('deploy-Dev').click();
    await until(() => /^#\/deployments\/Deployments-\d+$/.test(hash()), `deploying did not open the deployment (at ${hash()})`);
    await until(async () => (await stepLines()).includes('Hello line-1'), 'the first line of Greet never appeared in its step');
    const deploymentId = /Deployments-\d+/.exec(hash())![0];
    const atFirstLine = await admin.get<{ state: string }>(`${SPACE}/deployments/${deploymentId}`);
    assert.equal(atFirstLine.state, 'Executing', `Hello line-1 should show while the deployment runs, but it is ${atFirstLine.state}`);
    await shot('deployment-running');

    const card = page.getByTestId('intervention').filter({ hasText: 'Approve' });
    await card.getByRole('button', { name: 'Proceed' }).waitFor({ timeout: 20_000 });
    // Greet ended before the intervention was asked for; its last line may still be on its way to the page.
    await until(async () => (await stepLines()).includes('password is ********'), 'the masked password line never appeared');
    const lines = await stepLines();
    for (const l of ['Hello line-1', 'Hello line-2', 'Hello line-3', 'password is ********']) assert.equal(lines.filter((x) => x === l).length, 1, `${l} shown ${lines.filter((x) => x === l).length} times`);
    assert.ok(!(await page.content()).includes(SECRET), 'the sensitive value shows on the deployment page');
    await shot('deployment-waiting');

    // The dashboard shows what waits for a decision, above the grid.
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.getByTestId('intervention').filter({ hasText: 'Approve (Dev)' }).getByRole('button', { name: 'Proceed' }).waitFor();
    await shot('dashboard-waiting');
    await page.getByRole('link', { name: /^Deploy Hello release 0\.0\.1 to Dev/ }).click();
    await until(() => hash() === `#/deployments/${deploymentId}`, `the waiting deployment's link on the dashboard did not open it (at ${hash()})`);

    await card.getByLabel('Notes').fill('looks good');
    await card.getByRole('button', { name: 'Proceed' }).click();
    await until(async () => (await page.getByTestId('deployment-state').locator('[data-state]').getAttribute('data-state')) === 'Success', 'the deployment page never showed Success', 30_000);
    await page.getByTestId('intervention').filter({ hasText: 'Approved by admin' }).waitFor();
    assert.equal((await admin.get<{ state: string }>(`${SPACE}/deployments/${deploymentId}`)).state, 'Success');
    await shot('deployment-success');
  });

  step('the release page explains in words why Prod is refused, and the dashboard shows the deployment', async () => {
    await page.goto(releaseUrl);
    const refusal = page.locator('tr[data-environment="Prod"] [data-testid="deploy-refusal"]');
    await refusal.waitFor();
    assert.match(await refusal.innerText(), /Test/);
    assert.ok(await page.getByTestId('deploy-Prod').isDisabled());
    assert.ok(await page.getByTestId('deploy-Test').isEnabled());
    await shot('release-after-dev');

    await page.getByRole('link', { name: 'Dashboard' }).click();
    const cell = page.locator('[data-testid="dashboard"] tr[data-project="Hello"] td[data-environment="Dev"]');
    await until(async () => (await cell.locator('[data-state]').getAttribute('data-state').catch(() => null)) === 'Success', 'the dashboard did not show Hello in Dev as Success');
    assert.match(await cell.innerText(), /0\.0\.1/);
    await shot('dashboard');
  });

  step('a lifecycle with two phases is created on the Lifecycles page, given to a project, and holds Prod back until Test succeeded', async () => {
    await page.locator('header').getByRole('link', { name: 'Environments' }).click();
    await page.getByRole('link', { name: 'Lifecycles' }).click();
    await page.getByRole('heading', { name: 'Lifecycles' }).waitFor();
    await page.getByRole('button', { name: 'New lifecycle' }).click();
    const form = page.getByTestId('lifecycle-form');
    await form.getByLabel('Name', { exact: true }).fill('Test first');
    await form.getByLabel('Name of phase 1').fill('Try');
    await form.getByLabel('Test in phase 1').selectOption('manual');
    await form.getByRole('button', { name: '+ Add phase' }).click();
    await form.getByLabel('Name of phase 2').fill('Ship');
    await form.getByLabel('Prod in phase 2').selectOption('manual');
    await shot('lifecycle-form');
    await form.getByRole('button', { name: 'Create lifecycle' }).click();
    const row = page.locator('tr[data-lifecycle="Test first"]');
    await row.waitFor();
    assert.deepEqual(await row.locator('.phase').allTextContents(), ['Try: Test', 'Ship: Prod']);
    const lifecycle = (await admin.get<{ id: string; name: string; phases: { name: string }[] }[]>(`${SPACE}/lifecycles`)).find((l) => l.name === 'Test first')!;
    assert.deepEqual(lifecycle.phases.map((p) => p.name), ['Try', 'Ship']);
    await shot('lifecycles');
    // Editing opens the form with the phases as saved.
    await row.getByRole('button', { name: 'Edit' }).click();
    assert.equal(await form.getByLabel('Name of phase 2').inputValue(), 'Ship');
    assert.equal(await form.getByLabel('Prod in phase 2').inputValue(), 'manual');
    await form.getByLabel('Description').fill('Test before Prod');
    await form.getByRole('button', { name: 'Save lifecycle' }).click();
    await form.waitFor({ state: 'detached' });
    const edited = await admin.get<{ description: string; phases: { name: string; environmentIds: string[] }[] }>(`${SPACE}/lifecycles/${lifecycle.id}`);
    assert.equal(edited.description, 'Test before Prod');
    assert.deepEqual(edited.phases.map((p) => p.name), ['Try', 'Ship']);

    const project = await admin.post(`${SPACE}/projects`, { name: 'Gated' });
    await admin.call('PUT', `${SPACE}/projects/${project.id}/process`, { steps: [{ name: 'Say', action: 'RunScript', properties: { script: 'echo gated' } }] }, 200);
    await page.goto(`${node.url}/#/projects/${project.id}`);
    await page.getByLabel('Lifecycle').selectOption({ label: 'Test first' });
    await until(async () => (await admin.get<{ lifecycleId: string }>(`${SPACE}/projects/${project.id}`)).lifecycleId === lifecycle.id, 'choosing the lifecycle on the project page did not save it');
    await shot('project-lifecycle');

    // A lifecycle a project uses cannot be deleted; the page says why.
    await page.locator('header').getByRole('link', { name: 'Environments' }).click();
    await page.getByRole('link', { name: 'Lifecycles' }).click();
    await row.getByRole('button', { name: 'Delete' }).click();
    await dialog().getByRole('button', { name: 'Delete lifecycle' }).click();
    await dialog().getByText('The project Gated uses Test first').waitFor();
    await shot('lifecycle-delete-refused');
    await dialog().getByRole('button', { name: 'Cancel' }).click();

    const release = await admin.post(`${SPACE}/releases`, { projectId: project.id });
    await page.goto(`${node.url}/#/releases/${release.id}`);
    const refusal = page.locator('tr[data-environment="Prod"] [data-testid="deploy-refusal"]');
    await refusal.waitFor();
    assert.match(await refusal.innerText(), /phase Try .*Test/);
    assert.ok(await page.getByTestId('deploy-Prod').isDisabled(), 'Prod may be deployed before the Try phase is complete');
    await shot('release-gated');
    await page.getByTestId('deploy-Test').click();
    await until(() => /^#\/deployments\/Deployments-\d+$/.test(hash()), `deploying to Test did not open the deployment (at ${hash()})`);
    await until(async () => (await page.getByTestId('deployment-state').locator('[data-state]').getAttribute('data-state')) === 'Success', 'the deployment to Test never showed Success', 30_000);
    await page.goto(`${node.url}/#/releases/${release.id}`);
    await until(async () => page.getByTestId('deploy-Prod').isEnabled(), 'Prod stayed refused after Test succeeded');
    await shot('release-gated-open');
  });

  step('a runbook is created, published and run from the project page', async () => {
    await page.getByRole('link', { name: 'Projects' }).click();
    await page.locator('[data-testid="project-table"]').waitFor();
    await shot('projects');
    await page.getByRole('link', { name: 'Hello' }).click();
    await page.getByRole('link', { name: 'Runbooks' }).click();
    await page.getByRole('button', { name: 'New runbook' }).click();
    await dialog().getByLabel('Name').fill('Restart');
    await dialog().getByRole('button', { name: 'Create runbook' }).click();
    await page.getByRole('button', { name: 'Show the process of Restart' }).click();
    await page.getByRole('button', { name: '+ Run a script' }).click();
    await page.getByLabel(/^Script/).fill('echo "restarting in #{Shoal.Environment.Name}"');
    await page.getByRole('button', { name: 'Save process' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    await page.getByRole('button', { name: 'Publish' }).click();
    await until(async () => page.getByRole('button', { name: 'Run', exact: true }).isEnabled(), 'Run stayed disabled after publishing');
    await shot('project-runbooks');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await until(() => /^#\/runbook-runs\/RunbookRuns-\d+$/.test(hash()), `running did not open the run (at ${hash()})`);
    await until(async () => (await stepLines()).includes('restarting in Dev'), 'the runbook run did not show its line');
    await until(async () => (await page.getByTestId('deployment-state').locator('[data-state]').getAttribute('data-state')) === 'Success', 'the runbook run never showed Success', 30_000);
    await shot('runbook-run');
  });

  step('a failed deployment opens the failing step and says why', async () => {
    const projectId = (await admin.post(`${SPACE}/projects`, { name: 'Broken' })).id;
    await admin.call('PUT', `${SPACE}/projects/${projectId}/process`, {
      steps: [
        { name: 'Fine', action: 'RunScript', properties: { script: 'echo all good' } },
        { name: 'Breaks', action: 'RunScript', properties: { script: 'echo about to fail; exit 3' } },
      ],
    }, 200);
    const release = await admin.post(`${SPACE}/releases`, { projectId });
    const dev = (await admin.get<{ id: string; name: string }[]>(`${SPACE}/environments`)).find((e) => e.name === 'Dev')!;
    const deployment = await admin.post(`${SPACE}/deployments`, { releaseId: release.id, environmentId: dev.id });
    await page.goto(`${node.url}/#/deployments/${deployment.id}`);
    await until(async () => (await page.getByTestId('deployment-state').locator('[data-state]').getAttribute('data-state')) === 'Failed', 'the page never showed Failed', 30_000);
    await until(async () => (await stepLines()).includes('about to fail'), 'the failing step is not open with its lines');
    assert.ok(!(await stepLines()).includes('all good'), 'the step that succeeded is open too');
    assert.match(await page.getByTestId('task-error').innerText(), /Breaks/);
    await shot('deployment-failed');
  });

  step('a Viewer sees the release but no Deploy button, and cannot create anything', async () => {
    const teams = await admin.get<{ id: string; name: string }[]>('/api/teams');
    await admin.post('/api/users', { username: 'vera', password: 'vera-password-1', teamIds: [teams.find((t) => t.name === 'Viewers')!.id] });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const viewer = await context.newPage();
    await logIn(viewer, 'vera', 'vera-password-1');
    await viewer.goto(releaseUrl);
    await viewer.locator('[data-testid="progression"] tr[data-environment="Dev"]').waitFor();
    assert.equal(await viewer.getByRole('button', { name: /Deploy/ }).count(), 0, 'a Viewer is offered a Deploy button');
    await viewer.screenshot({ path: path.join(SHOTS, 'release-as-viewer.png') });
    await viewer.getByRole('link', { name: /Hello/ }).first().click();
    await viewer.getByRole('heading', { name: 'Hello' }).waitFor();
    assert.equal(await viewer.getByRole('button', { name: 'Create release' }).count(), 0);
    await viewer.goto(`${node.url}/#/projects/Projects-1/process`);
    await viewer.locator('[data-step="Greet"]').waitFor();
    assert.equal(await viewer.getByRole('button', { name: 'Save process' }).count(), 0);
    assert.ok(await viewer.getByLabel('Step name').first().isDisabled(), 'a Viewer can type into the process');
    await viewer.screenshot({ path: path.join(SHOTS, 'process-as-viewer.png') });
    await viewer.goto(`${node.url}/#/environments`);
    await viewer.locator('tr[data-environment="Dev"]').waitFor();
    assert.equal(await viewer.getByRole('button', { name: 'New environment' }).count(), 0);
    await viewer.screenshot({ path: path.join(SHOTS, 'environments-as-viewer.png') });
    await viewer.getByRole('link', { name: 'Lifecycles' }).click();
    await viewer.locator('tr[data-lifecycle="Test first"]').waitFor();
    assert.equal(await viewer.getByRole('button', { name: /New lifecycle|Edit|Delete/ }).count(), 0, 'a Viewer is offered to change lifecycles');
    await viewer.screenshot({ path: path.join(SHOTS, 'lifecycles-as-viewer.png') });
    await viewer.goto(`${node.url}/#/projects/Projects-2`);
    await viewer.getByRole('link', { name: 'Test first' }).waitFor();
    assert.equal(await viewer.getByLabel('Lifecycle').count(), 0, "a Viewer can choose a project's lifecycle");
    await context.close();
  });

  step('no page threw', async () => {
    assert.deepEqual(pageErrors, []);
  });
});
