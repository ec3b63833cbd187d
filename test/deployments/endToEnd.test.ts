/**
 * The deployment model end to end against a real node, on SQLite and on PostgreSQL: Dev → Test
 * → Prod with an automatic phase after Prod, a script step and a package step (a real zip with
 * Deploy.sh and a config file with #{…} placeholders), scoped and sensitive variables.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startThrowawayPostgres } from '../../server-core/src/testing/throwawayPostgres.js';
import { ShoalClient } from '../helpers/apiClient.js';
import { buildZip, SPACE, uploadPackage, waitForDeployment } from '../helpers/deployments.js';
import { startShoalProcess, type ShoalProcess } from '../helpers/shoalProcess.js';
import { onTeardown, teardown } from '../helpers/teardown.js';
import { tempDir } from '../helpers/tempDir.js';

after(() => teardown());

const SECRET = `s3cret-${crypto.randomBytes(6).toString('hex')}`;

/** Every response body goes through here, so the test can show the sensitive value never left the node. */
class RecordingClient extends ShoalClient {
  readonly seen: string[] = [];
  override async request<T = any>(method: string, p: string, o: { body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {}) {
    const res = await super.request<T>(method, p, o);
    this.seen.push(`${method} ${p} → ${res.status} ${res.text}`);
    return res;
  }
}

for (const database of ['sqlite', 'postgres'] as const) {
  describe(`deployments end to end on ${database}`, { timeout: 240_000 }, () => {
    let node: ShoalProcess;
    let api: RecordingClient;
    let dir: string;
    const env: Record<string, string> = {};
    const ids: Record<string, string> = {};

    before(async () => {
      dir = tempDir(`shoal-deploy-${database}-`);
      if (database === 'postgres') {
        const pg = await startThrowawayPostgres();
        onTeardown(() => pg.destroy());
        env.SHOAL_DATABASE_URL = await pg.createDatabase('deployments');
        env.SHOAL_MASTER_KEY = crypto.randomBytes(32).toString('base64');
      }
      node = await startShoalProcess({ dataDir: path.join(dir, 'data'), nodeName: `deploy-${database}`, taskCap: 3, env });
      const login = await ShoalClient.login(node.url, 'admin', node.adminPassword);
      api = new RecordingClient(node.url, login.auth);
    });

    const post = (p: string, body: unknown, status = 201) => api.call('POST', p, body, status);
    const put = (p: string, body: unknown) => api.call('PUT', p, body, 200);
    const installed = (environment: string, file: string) => fs.readFileSync(path.join(dir, 'install', environment, file), 'utf8');

    it('sets up environments (ordered, names unique), a lifecycle, a project with a script and a package step, and variables', async () => {
      for (const name of ['Dev', 'Test', 'Prod', 'Verify']) ids[name] = (await post(`${SPACE}/environments`, { name, description: `${name} servers` })).id;
      const dup = await api.request('POST', `${SPACE}/environments`, { body: { name: 'dev' } });
      assert.equal(dup.status, 409, dup.text);
      const bad = await api.request('POST', `${SPACE}/environments`, { body: { name: '', description: 'x' } });
      assert.equal(bad.status, 400);
      assert.match(bad.body.error.message, /name/);
      const listed = await api.get<{ name: string; sortOrder: number }[]>(`${SPACE}/environments`);
      assert.deepEqual(listed.map((e) => e.name), ['Dev', 'Test', 'Prod', 'Verify']);
      const defaults = await api.get<{ isDefault: boolean; phases: { name: string }[] }[]>(`${SPACE}/lifecycles`);
      assert.deepEqual(defaults.find((l) => l.isDefault)!.phases.map((p) => p.name), ['Dev', 'Test', 'Prod', 'Verify'], 'the default lifecycle: each environment a phase, in order');

      const lifecycle = await post(`${SPACE}/lifecycles`, {
        name: 'Dev to Prod',
        phases: [
          { name: 'Development', environmentIds: [ids.Dev] },
          { name: 'Testing', environmentIds: [ids.Test] },
          { name: 'Production', environmentIds: [ids.Prod] },
          { name: 'Verification', automaticDeploymentEnvironmentIds: [ids.Verify] },
        ],
      });
      const unknownEnv = await api.request('POST', `${SPACE}/lifecycles`, { body: { name: 'Broken', phases: [{ name: 'P', environmentIds: ['Environments-999'] }] } });
      assert.equal(unknownEnv.status, 400);
      assert.match(unknownEnv.body.error.message, /phases\[0\]\.environmentIds\[0\]/);

      ids.project = (await post(`${SPACE}/projects`, { name: 'Acme Web', lifecycleId: lifecycle.id })).id;
      const zip = await buildZip({
        'Deploy.sh': 'echo "Deploy.sh runs in $(pwd)"\necho "release #{Shoal.Release.Number} to #{Shoal.Environment.Name}" > "$SHOAL_INSTALL_PATH/deployed.txt"\necho "password is #{DbPassword}"\n',
        'config/app.config': 'greeting=#{Greeting}\nconnection=#{ConnectionString}\n',
        'static/index.html': '<p>#{Greeting}</p>',
      });
      await uploadPackage(api, 'Acme.Web.1.0.0.zip', zip);
      await uploadPackage(api, 'Acme.Web.1.1.0.zip', zip);
      await put(`${SPACE}/projects/${ids.project}/process`, {
        steps: [
          { name: 'Say hello', action: 'RunScript', properties: { script: 'echo "hello: #{Greeting}; secret: #{DbPassword}"\nshoal-set-variable Checked "yes #{Shoal.Environment.Name}"', syntax: 'bash' } },
          { name: 'Deploy web', action: 'DeployPackage', properties: { packageId: 'Acme.Web', installPath: `${dir}/install/#{Shoal.Environment.Name}`, substituteInFiles: ['config/*.config'] } },
          { name: 'Report', action: 'RunScript', properties: { script: 'echo "checked: #{Shoal.Action[Say hello].Output.Checked}"' } },
        ],
      });
      await put(`${SPACE}/projects/${ids.project}/variables`, {
        variables: [
          { name: 'Greeting', value: 'hello everyone' },
          { name: 'Greeting', value: 'hello production', scope: { environmentIds: [ids.Prod] } },
          { name: 'DbPassword', value: SECRET, sensitive: true },
          { name: 'ConnectionString', value: 'Server=db;Password=#{DbPassword}' },
        ],
      });
      const vars = await api.get<{ variables: { name: string; value: string | null; hasValue: boolean }[] }>(`${SPACE}/projects/${ids.project}/variables`);
      const secret = vars.variables.find((v) => v.name === 'DbPassword')!;
      assert.equal(secret.value, null);
      assert.equal(secret.hasValue, true);
    });

    it('creates a release that takes the latest package, deploys it to Dev, and refuses Prod until Test succeeded', async () => {
      const release = await post(`${SPACE}/releases`, { projectId: ids.project, notes: 'first' });
      assert.equal(release.version, '0.0.1');
      assert.deepEqual(release.packages, [{ stepName: 'Deploy web', packageId: 'Acme.Web', version: '1.1.0' }]);
      ids.release = release.id;
      const pinned = await post(`${SPACE}/releases`, { projectId: ids.project, version: '2.0.0', packages: { 'Deploy web': '1.0.0' } });
      assert.equal(pinned.packages[0].version, '1.0.0');
      const missingVersion = await api.request('POST', `${SPACE}/releases`, { body: { projectId: ids.project, packages: { 'Deploy web': '9.9.9' } } });
      assert.equal(missingVersion.status, 400);
      assert.match(missingVersion.body.error.message, /packages\.Deploy web/);

      const dev = await post(`${SPACE}/deployments`, { releaseId: ids.release, environmentId: ids.Dev });
      const done = await waitForDeployment(api, dev.id);
      assert.equal(done.state, 'Success', done.errorMessage ?? '');
      assert.equal(installed('Dev', 'deployed.txt').trim(), 'release 0.0.1 to Dev');
      assert.equal(installed('Dev', 'config/app.config'), `greeting=hello everyone\nconnection=Server=db;Password=${SECRET}\n`);
      assert.equal(installed('Dev', 'static/index.html'), '<p>#{Greeting}</p>', 'only the listed files are substituted');

      const refused = await api.request('POST', `${SPACE}/deployments`, { body: { releaseId: ids.release, environmentId: ids.Prod } });
      assert.equal(refused.status, 409, refused.text);
      assert.match(refused.body.error.message, /Testing/);
      const detail = await api.get(`${SPACE}/releases/${ids.release}`);
      const prodRow = detail.progression.find((p: { environmentName: string }) => p.environmentName === 'Prod');
      assert.equal(prodRow.canDeploy, false);
      assert.match(prodRow.reason, /Testing/);
      assert.equal(detail.nextEnvironmentId, ids.Test);

      const test = await post(`${SPACE}/releases/${ids.release}/promote`, {});
      assert.equal(test.environmentId, ids.Test, 'promote goes to the next environment');
      assert.equal((await waitForDeployment(api, test.id)).state, 'Success');
      const prod = await post(`${SPACE}/deployments`, { releaseId: ids.release, environmentId: ids.Prod });
      assert.equal((await waitForDeployment(api, prod.id)).state, 'Success');
      assert.match(installed('Prod', 'config/app.config'), /^greeting=hello production\n/, 'the Prod-scoped value wins');
    });

    it('queues the automatic deployment into the Verification phase once Prod succeeded', async () => {
      const page = await api.get<{ items: { id: string; environmentId: string; createdBy: string; comments: string }[] }>(`${SPACE}/deployments?releaseId=${ids.release}&environmentId=${ids.Verify}`);
      assert.equal(page.items.length, 1, 'one automatic deployment to Verify');
      assert.match(page.items[0]!.comments, /Verification/);
      assert.equal((await waitForDeployment(api, page.items[0]!.id)).state, 'Success');
      const board = await api.get(`${SPACE}/dashboard`);
      assert.deepEqual(
        board.items.filter((i: { projectId: string }) => i.projectId === ids.project).map((i: { environmentId: string; releaseVersion: string; state: string }) => [i.environmentId, i.releaseVersion, i.state]).sort(),
        [ids.Dev, ids.Test, ids.Prod, ids.Verify].map((e) => [e, '0.0.1', 'Success']).sort(),
      );
    });

    it('shows the deployment log as a tree of steps with their lines, state and duration', async () => {
      const d = (await api.get(`${SPACE}/deployments?releaseId=${ids.release}&environmentId=${ids.Dev}`)).items[0];
      const details = await api.get(`/api/tasks/${d.taskId}/details`);
      assert.equal(details.state, 'Success');
      assert.deepEqual(details.activities.map((a: { name: string; state: string }) => [a.name, a.state]), [['Say hello', 'Success'], ['Deploy web', 'Success'], ['Report', 'Success']]);
      const server = details.activities[0].children[0];
      assert.equal(server.kind, 'Server');
      assert.ok(server.durationMs >= 0);
      assert.ok(server.lines.some((l: { text: string }) => l.text === 'hello: hello everyone; secret: ********'), JSON.stringify(server.lines));
      const report = details.activities[2].children[0].lines.map((l: { text: string }) => l.text);
      assert.ok(report.includes('checked: yes Dev'), `output variable reached the next step: ${report}`);
      const pkg = details.activities[1].children[0].lines.map((l: { text: string }) => l.text);
      assert.ok(pkg.includes('password is ********'), pkg.join('\n'));
      assert.ok(pkg.some((t: string) => t.startsWith('Deploy.sh runs in ') && t.endsWith(path.join('install', 'Dev'))), pkg.join('\n'));
    });

    it('a release keeps its snapshot: editing the process afterwards changes only later releases', async () => {
      const before = await api.get(`${SPACE}/projects/${ids.project}/process`);
      await put(`${SPACE}/projects/${ids.project}/process`, { steps: [{ name: 'Only step', action: 'RunScript', properties: { script: 'echo "the edited process"' } }] });
      await put(`${SPACE}/projects/${ids.project}/variables`, { variables: [{ name: 'Greeting', value: 'changed' }] });
      const again = await post(`${SPACE}/deployments/${(await api.get(`${SPACE}/deployments?releaseId=${ids.release}&environmentId=${ids.Dev}`)).items[0].id}/redeploy`, {});
      assert.equal((await waitForDeployment(api, again.id)).state, 'Success');
      const details = await api.get(`/api/tasks/${again.taskId}/details`);
      assert.deepEqual(details.activities.map((a: { name: string }) => a.name), before.steps.map((s: { name: string }) => s.name));
      assert.ok(details.activities[0].children[0].lines.some((l: { text: string }) => l.text === 'hello: hello everyone; secret: ********'));
      const later = await post(`${SPACE}/releases`, { projectId: ids.project });
      assert.equal(later.version, '2.0.1', 'the next version increments the last release (2.0.0)');
      const dev = await post(`${SPACE}/deployments`, { releaseId: later.id, environmentId: ids.Dev });
      assert.equal((await waitForDeployment(api, dev.id)).state, 'Success');
      const edited = await api.get(`/api/tasks/${dev.taskId}/details`);
      assert.deepEqual(edited.activities.map((a: { name: string }) => a.name), ['Only step']);
    });

    it('never shows the sensitive value: not in any API response, task log, audit event or node output', async () => {
      const tasks = await api.get<{ items: { id: string }[] }>('/api/tasks?take=100');
      for (const t of tasks.items) {
        await api.request('GET', `/api/tasks/${t.id}/log`);
        await api.request('GET', `/api/tasks/${t.id}/details`);
      }
      await api.request('GET', '/api/events?take=500');
      await api.request('GET', `${SPACE}/releases/${ids.release}`);
      await api.request('GET', `${SPACE}/libraryvariablesets`);
      const everything = [...api.seen, node.output()].join('\n');
      assert.ok(api.seen.length > tasks.items.length * 2);
      assert.ok(everything.includes('********'), 'the masked value shows up as ********');
      assert.equal(everything.includes(SECRET), false, 'the sensitive value leaked');
      const logs = fs.readdirSync(path.join(dir, 'data', 'storage', 'task-logs')).filter((f) => f.endsWith('.log'));
      for (const f of logs) assert.equal(fs.readFileSync(path.join(dir, 'data', 'storage', 'task-logs', f), 'utf8').includes(SECRET), false, f);
    });
  });
}
