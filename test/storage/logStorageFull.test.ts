/**
 * Task-log storage that fills up, on a real two-node cluster: the task logs go to a 1 MiB
 * tmpfs (mounted here, as root) set for the whole cluster. A chatty script fills it and
 * fails saying so, tasks claimed meanwhile fail with the same reason, no node exits, and
 * once space is freed new tasks work again without a restart.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ShoalClient } from '../helpers/apiClient.js';
import { startCluster, type Cluster } from '../helpers/cluster.js';
import { FINAL_STATES, getTask, queueScript, type Task } from '../helpers/tasks.js';
import { onTeardown, teardown } from '../helpers/teardown.js';
import { waitFor } from '../helpers/waitFor.js';

const isRoot = process.getuid?.() === 0;

describe('task-log storage full on a cluster', { timeout: 240_000, skip: !isRoot && 'needs root to mount a small tmpfs' }, () => {
  let cluster: Cluster;
  let client: ShoalClient;
  let logs: string;

  before(async () => {
    cluster = await startCluster(2, 2);
    client = await ShoalClient.login(cluster.nodes[0]!.url, 'admin', cluster.nodes[0]!.adminPassword);
    logs = path.join(cluster.dir, 'small-logs');
    fs.mkdirSync(logs);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', `shoal-test-logs-${process.pid}`, logs]);
    onTeardown(() => void execFileSync('umount', ['-l', logs]));
    await client.call('PUT', '/api/configuration/storage', { taskLogs: logs });
    // Nodes re-read the cluster's storage paths every second: wait until a task of each node logs there.
    await waitFor(
      async () => {
        const done = await finished(await queueMany(4, 'echo where'));
        return done.every((t) => fs.existsSync(path.join(logs, `${t.id}.log`))) && new Set(done.map((t) => t.nodeName)).size === 2;
      },
      { timeoutMs: 30_000, intervalMs: 500, message: 'both nodes to write task logs to the small folder' },
    );
  });
  after(() => teardown());

  const queueMany = async (n: number, script: string) => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push((await queueScript(client, script)).id);
    return ids;
  };
  const finished = (ids: string[]) =>
    waitFor(
      async () => {
        const tasks = await Promise.all(ids.map((id) => getTask(client, id)));
        return tasks.every((t) => FINAL_STATES.includes(t.state)) ? tasks : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 200, message: 'tasks to finish' },
    );
  const full = () => new RegExp(`^task log storage is full at ${logs}$`);

  it('the chatty task fails saying the storage is full; tasks claimed meanwhile fail with the reason; no node exits', async () => {
    const [chatty] = await queueMany(1, 'while true; do echo "chatty chatty chatty chatty chatty chatty chatty chatty"; done');
    const failed = (await finished([chatty!]))[0]!;
    assert.equal(failed.state, 'Failed');
    assert.match(failed.errorMessage ?? '', full());
    // The failed log was cut back to its last whole line; fill what that freed, as other data would.
    try {
      fs.writeFileSync(path.join(logs, 'filler'), Buffer.alloc(2 * 1024 * 1024));
    } catch (err) {
      assert.equal((err as NodeJS.ErrnoException).code, 'ENOSPC');
    }
    const meanwhile: Task[] = await finished(await queueMany(4, 'echo hello'));
    for (const t of meanwhile) {
      assert.equal(t.state, 'Failed', `${t.id} on ${t.nodeName}`);
      assert.match(t.errorMessage ?? '', full());
    }
    for (const n of cluster.nodes) assert.equal(n.child.exitCode, null, `${n.nodeName} exited:\n${n.output()}`);
    const ping = await fetch(`${cluster.nodes[1]!.url}/api/nodes/ping`);
    assert.equal(ping.status, 200);
  });

  it('once space is freed, new tasks on every node succeed without a restart', async () => {
    for (const f of fs.readdirSync(logs)) fs.rmSync(path.join(logs, f), { recursive: true, force: true });
    const done = await finished(await queueMany(6, 'echo back again'));
    assert.deepEqual(done.filter((t) => t.state !== 'Success').map((t) => `${t.id} ${t.errorMessage}`), []);
    assert.equal(new Set(done.map((t) => t.nodeName)).size, 2, 'both nodes ran tasks');
  });
});
