/**
 * Deployments on a three-node PostgreSQL cluster behind HAProxy: project+environment strictly
 * one at a time while spread over the nodes; a node killed mid-deployment fails that deployment
 * naming the node and disturbs nothing else; a trigger due every 10 s fires exactly once per
 * due time for two minutes while that node is killed and restarted.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { ShoalClient } from '../helpers/apiClient.js';
import { startCluster, type Cluster } from '../helpers/cluster.js';
import { maxOverlap } from '../helpers/concurrency.js';
import { SPACE, waitForDeployment } from '../helpers/deployments.js';
import { freePort } from '../helpers/freePort.js';
import { startHaproxy } from '../helpers/haproxy.js';
import { teardown } from '../helpers/teardown.js';
import { sleep, waitFor } from '../../server-core/src/testing/wait.js';
import { markedScript, readRuns } from '../cluster/marks.js';

const CAP = 2;
const TRIGGER_WINDOW_MS = 120_000;

describe('deployments on a three-node cluster', { timeout: 420_000 }, () => {
  let cluster: Cluster;
  let api: ShoalClient;
  let marks: string;
  const ids: Record<string, string> = {};
  const projects: { id: string; release: string }[] = [];
  let triggerCreatedAt = 0;

  before(async () => {
    cluster = await startCluster(3, CAP);
    const lb = await startHaproxy(cluster.dir, await freePort(), cluster.nodes.map((n) => ({ name: n.nodeName, port: n.port })));
    api = await ShoalClient.login(lb.url, 'admin', cluster.nodes[0]!.adminPassword);
    marks = path.join(cluster.dir, 'deploy-marks.log');
    for (const name of ['Blue', 'Green']) ids[name] = (await api.post(`${SPACE}/environments`, { name })).id;
    // One phase with both environments: any order, so deployments can be queued all at once.
    const lifecycle = await api.post(`${SPACE}/lifecycles`, { name: 'Either', phases: [{ name: 'Any', environmentIds: [ids.Blue, ids.Green] }] });
    for (const name of ['Alpha', 'Beta', 'Gamma', 'Slow']) {
      const project = await api.post(`${SPACE}/projects`, { name, lifecycleId: lifecycle.id });
      const script = name === 'Slow' ? markedScript(marks, 60) : markedScript(marks, 0.4);
      await api.call('PUT', `${SPACE}/projects/${project.id}/process`, { steps: [{ name: 'Work', action: 'RunScript', properties: { script } }] }, 200);
      projects.push({ id: project.id, release: (await api.post(`${SPACE}/releases`, { projectId: project.id })).id });
    }
    const runbook = await api.post(`${SPACE}/projects/${projects[0]!.id}/runbooks`, { name: 'Tick' });
    await api.call('PUT', `${SPACE}/projects/${projects[0]!.id}/runbooks/${runbook.id}/process`, { steps: [{ name: 'Tick', action: 'RunScript', properties: { script: 'echo tick' } }] }, 200);
    await api.post(`${SPACE}/projects/${projects[0]!.id}/runbooks/${runbook.id}/publish`, {});
    ids.trigger = (await api.post(`${SPACE}/projects/${projects[0]!.id}/triggers`, { name: 'Every 10 s', runbookId: runbook.id, cron: '*/10 * * * * *', environmentIds: [ids.Blue] })).id;
    ids.project0 = projects[0]!.id;
    triggerCreatedAt = Date.now();
  });
  after(() => teardown());

  const deploy = (p: { release: string }, env: string) => api.post<{ id: string; taskId: string }>(`${SPACE}/deployments`, { releaseId: p.release, environmentId: env });

  it('30 deployments of 3 projects × 2 environments run one at a time per project and environment, spread over the nodes', async () => {
    const queued: { id: string; taskId: string; tag: string }[] = [];
    for (let round = 0; round < 5; round++) {
      for (const p of projects.slice(0, 3)) for (const env of [ids.Blue!, ids.Green!]) queued.push({ ...(await deploy(p, env)), tag: `${p.id}/${env}` });
    }
    assert.equal(queued.length, 30);
    const done = await Promise.all(queued.map((d) => waitForDeployment(api, d.id, 120_000)));
    assert.deepEqual(done.filter((d) => d.state !== 'Success').map((d) => `${d.id} ${d.state} ${d.errorMessage}`), []);
    const { starts, runs } = readRuns(marks);
    for (const d of queued) assert.equal(starts.get(d.taskId), 1, `${d.taskId} ran ${starts.get(d.taskId) ?? 0} times`);
    for (const tag of new Set(queued.map((d) => d.tag))) {
      const tasks = queued.filter((d) => d.tag === tag).map((d) => d.taskId);
      assert.equal(maxOverlap(runs.filter((r) => tasks.includes(r.task))), 1, `${tag} ran two deployments at once`);
    }
    const nodes = new Set(runs.filter((r) => queued.some((d) => d.taskId === r.task)).map((r) => r.node));
    assert.equal(nodes.size, 3, `deployments ran on ${[...nodes].join(', ')}`);
    assert.ok(maxOverlap(runs.filter((r) => queued.some((d) => d.taskId === r.task))) > 1, 'different pairs ran in parallel');
  });

  it('kill -9 of a node mid-deployment fails that deployment naming the node; the others finish', async () => {
    const slow = await deploy(projects[3]!, ids.Blue!);
    const victimName = await waitFor(async () => {
      const t = await api.get(`/api/tasks/${slow.taskId}`);
      return t.state === 'Executing' && readRuns(marks).starts.has(slow.taskId) ? (t.nodeName as string) : undefined;
    }, { timeoutMs: 30_000, message: 'the slow deployment did not start' });
    const victim = cluster.nodes.find((n) => n.nodeName === victimName)!;
    victim.child.kill('SIGKILL');
    // Deployments queued while the node lies dead (and before the cluster has noticed) run on the others.
    const survivor = api.at(cluster.nodes.find((n) => n.nodeName !== victimName)!.url);
    const others = [];
    for (const p of projects.slice(0, 3)) others.push(await survivor.post<{ id: string }>(`${SPACE}/deployments`, { releaseId: p.release, environmentId: ids.Green }));
    const failed = await waitForDeployment(survivor, slow.id, 60_000);
    assert.equal(failed.state, 'Failed');
    assert.match(failed.errorMessage ?? '', new RegExp(victimName));
    for (const o of others) {
      const d = await waitForDeployment(survivor, o.id, 60_000);
      assert.equal(d.state, 'Success', `${o.id} was disturbed: ${d.errorMessage}`);
    }
    const details = await survivor.get(`/api/tasks/${slow.taskId}/details`);
    assert.equal(details.activities[0].state, 'Failed', 'the step the node was running shows Failed');
    // A restart on a busy two-core machine (two nodes, PostgreSQL, the trigger's runs) may take a while.
    const restarted = await cluster.startNode(victimName, CAP, { startTimeoutMs: 60_000 });
    cluster.nodes[cluster.nodes.indexOf(victim)] = restarted;
    await waitFor(async () => (await survivor.get(`/api/nodes/${victimName}`)).status === 'Running', { timeoutMs: 20_000, message: `${victimName} did not come back` });
  });

  it('the trigger fired exactly once per due time over two minutes, through the kill and the restart', async () => {
    const remaining = TRIGGER_WINDOW_MS - (Date.now() - triggerCreatedAt);
    if (remaining > 0) await sleep(remaining);
    const t = await api.get(`${SPACE}/projects/${ids.project0}/triggers/${ids.trigger}`);
    await api.call('PUT', `${SPACE}/projects/${ids.project0}/triggers/${ids.trigger}`, { name: t.name, runbookId: t.runbookId, cron: t.cron, environmentIds: t.environmentIds, isDisabled: true }, 200);
    const db = new pg.Client({ connectionString: cluster.databaseUrl });
    await db.connect();
    try {
      const key = Number(String(ids.trigger).split('-')[1]);
      const firings = (await db.query('select due_at, outcome, message, task_ids, node_name from trigger_firings where trigger_id = $1 order by due_at', [key])).rows;
      const dues = firings.map((f) => Number(f.due_at));
      assert.ok(firings.length >= 11, `only ${firings.length} firings in two minutes`);
      for (let i = 1; i < dues.length; i++) assert.equal(dues[i]! - dues[i - 1]!, 10_000, `a due time was missed or doubled between ${new Date(dues[i - 1]!).toISOString()} and ${new Date(dues[i]!).toISOString()}`);
      assert.ok(dues.every((d) => d % 10_000 === 0), 'due times fall on the schedule');
      const runs = (await db.query('select r.task_id from runbook_runs r where r.trigger_id = $1', [key])).rows.map((r) => Number(r.task_id));
      const queuedTasks = firings.filter((f) => f.outcome === 'Queued').flatMap((f) => JSON.parse(f.task_ids) as number[]);
      assert.deepEqual([...runs].sort((a, b) => a - b), [...queuedTasks].sort((a, b) => a - b), 'one run per queued firing, and no other');
      // Which node fires each due time is a race (on a loaded machine one may win them all);
      // the consecutive due times above show that firing went on through the kill.
      for (const f of firings.filter((x) => x.outcome === 'Skipped')) assert.ok(String(f.message).trim(), `a skipped firing at ${new Date(Number(f.due_at)).toISOString()} says why`);
    } finally {
      await db.end();
    }
  });
});
