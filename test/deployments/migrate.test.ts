/**
 * `shoal migrate` carries the deployment model: a populated standalone install (environments,
 * lifecycle, project with process and sensitive variables, library set, releases, deployments
 * with their log trees, a runbook with a snapshot and a trigger) moves to PostgreSQL, and the
 * migrated node deploys the migrated release with the sensitive value still decryptable and masked.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { startThrowawayPostgres } from '../../server-core/src/testing/throwawayPostgres.js';
import { ShoalClient } from '../helpers/apiClient.js';
import { runShoalCli } from '../helpers/cli.js';
import { buildZip, SPACE, uploadPackage, waitForDeployment } from '../helpers/deployments.js';
import { startShoalProcess } from '../helpers/shoalProcess.js';
import { onTeardown, teardown } from '../helpers/teardown.js';
import { tempDir } from '../helpers/tempDir.js';

after(() => teardown());

const TABLES = ['environments', 'lifecycles', 'library_variable_sets', 'projects', 'releases', 'deployments', 'runbooks', 'runbook_snapshots', 'runbook_runs', 'triggers', 'trigger_firings', 'interruptions', 'task_activities'];
const SECRET = 'migrated-secret-value-42';

describe('shoal migrate carries the deployment model', { timeout: 240_000 }, () => {
  let dir: string;
  let dataDir: string;
  let targetUrl: string;
  const ids: Record<string, string> = {};

  before(async () => {
    dir = tempDir('shoal-migrate-deploy-');
    dataDir = path.join(dir, 'standalone');
    fs.mkdirSync(path.join(dir, 'shared'));
    const server = await startThrowawayPostgres();
    onTeardown(() => server.destroy());
    targetUrl = await server.createDatabase('cluster');

    const node = await startShoalProcess({ dataDir, nodeName: 'desk', taskCap: 2 });
    const api = await ShoalClient.login(node.url, 'admin', node.adminPassword);
    for (const name of ['Dev', 'Test']) ids[name] = (await api.post(`${SPACE}/environments`, { name })).id;
    const set = await api.post(`${SPACE}/libraryvariablesets`, { name: 'Shared', variables: [{ name: 'Owner', value: 'ops' }] });
    ids.project = (await api.post(`${SPACE}/projects`, { name: 'Carried', libraryVariableSetIds: [set.id] })).id;
    await uploadPackage(api, 'Carried.1.0.0.zip', await buildZip({ 'Deploy.sh': 'echo "deploying for #{Owner} with #{Secret}"' }));
    await api.call('PUT', `${SPACE}/projects/${ids.project}/process`, {
      steps: [
        { name: 'Script', action: 'RunScript', properties: { script: 'echo "secret is #{Secret}"' } },
        { name: 'Package', action: 'DeployPackage', properties: { packageId: 'Carried' } },
      ],
    }, 200);
    await api.call('PUT', `${SPACE}/projects/${ids.project}/variables`, { variables: [{ name: 'Secret', value: SECRET, sensitive: true }] }, 200);
    ids.release = (await api.post(`${SPACE}/releases`, { projectId: ids.project, version: '1.0.0' })).id;
    const dev = await api.post(`${SPACE}/deployments`, { releaseId: ids.release, environmentId: ids.Dev });
    assert.equal((await waitForDeployment(api, dev.id)).state, 'Success');
    const runbook = await api.post(`${SPACE}/projects/${ids.project}/runbooks`, { name: 'Restart' });
    await api.call('PUT', `${SPACE}/projects/${ids.project}/runbooks/${runbook.id}/process`, { steps: [{ name: 'Restart', action: 'RunScript', properties: { script: 'echo restart' } }] }, 200);
    await api.post(`${SPACE}/projects/${ids.project}/runbooks/${runbook.id}/publish`, {});
    await api.post(`${SPACE}/projects/${ids.project}/triggers`, { name: 'Nightly', runbookId: runbook.id, cron: '0 3 * * *', timeZone: 'Europe/Paris', environmentIds: [ids.Dev] });
    const run = await api.post(`${SPACE}/runbook-runs`, { runbookId: runbook.id, environmentId: ids.Dev });
    await waitForDeployment(api, dev.id);
    ids.runTask = run.taskId;
    assert.equal((await node.stop('SIGTERM')).code, 0);
  });

  it('copies and verifies every deployment table, then the migrated node deploys the migrated release', async () => {
    const r = await runShoalCli(['migrate', '--to', targetUrl, '--cluster-shared', path.join(dir, 'shared'), '--data-dir', dataDir, '--yes'], {}, 180_000);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const sqlite = new Database(path.join(dataDir, 'shoal.db'), { readonly: true });
    const client = new pg.Client({ connectionString: targetUrl });
    await client.connect();
    try {
      for (const t of TABLES) {
        const source = (sqlite.prepare(`select count(*) as n from ${t}`).get() as { n: number }).n;
        const target = Number((await client.query(`select count(*) as n from ${t}`)).rows[0].n);
        assert.equal(target, source, `${t}: ${target} rows on PostgreSQL, ${source} in SQLite`);
        if (!['trigger_firings', 'interruptions'].includes(t)) assert.ok(source > 0, `${t} was populated`);
      }
      const stored = (await client.query('select variables from projects')).rows[0].variables as string;
      assert.equal(stored.includes(SECRET), false, 'still encrypted on PostgreSQL');
    } finally {
      sqlite.close();
      await client.end();
    }

    const node = await startShoalProcess({ dataDir, nodeName: 'desk', taskCap: 2 });
    const api = await ShoalClient.login(node.url, 'admin', node.adminPassword);
    const release = await api.get(`${SPACE}/releases/${ids.release}`);
    assert.equal(release.progression.find((p: { environmentId: string }) => p.environmentId === ids.Dev).deployment.state, 'Success');
    const vars = await api.get(`${SPACE}/projects/${ids.project}/variables`);
    assert.equal(vars.variables[0].hasValue, true);
    const before = await api.get(`/api/tasks/${release.progression[0].deployment.taskId}/details`);
    assert.deepEqual(before.activities.map((a: { name: string; state: string }) => `${a.name} ${a.state}`), ['Script Success', 'Package Success'], 'the log tree came along');
    const test = await api.post(`${SPACE}/deployments`, { releaseId: ids.release, environmentId: ids.Test });
    const done = await waitForDeployment(api, test.id);
    assert.equal(done.state, 'Success', done.errorMessage ?? '');
    const log = (await api.request('GET', `/api/tasks/${test.taskId}/log`)).text;
    assert.match(log, /secret is \*\*\*\*\*\*\*\*/);
    assert.match(log, /deploying for ops with \*\*\*\*\*\*\*\*/);
    assert.equal(log.includes(SECRET), false);
    const triggers = await api.get(`${SPACE}/projects/${ids.project}/triggers`);
    assert.equal(triggers[0].timeZone, 'Europe/Paris');
    await node.stop('SIGTERM');
  });
});
