import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { resolveNodeConfig } from '../config/nodeConfig.js';
import { startNode, type RunningNode } from '../node.js';
import { enqueueTask } from '../queue/enqueue.js';
import { getTask } from '../queue/list.js';
import { isAlive } from '../testing/processes.js';
import { makeTempDir, removeTempDirs } from '../testing/tempDir.js';
import { testLogger } from '../testing/testNode.js';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../testing/throwawayPostgres.js';
import { waitFor } from '../testing/wait.js';
import { FENCE_AFTER_MS, OFFLINE_AFTER_MS } from '../queue/leaseTimings.js';

describe('fencing: a node that cannot reach the database', () => {
  let pg: ThrowawayPostgres;
  let node: RunningNode;
  before(async () => {
    pg = await startThrowawayPostgres();
    const config = { ...resolveNodeConfig({ dataDir: makeTempDir('shoal-fence-'), port: 0, nodeName: 'fenced' }, {}), databaseUrl: await pg.createDatabase() };
    config.masterKey = crypto.randomBytes(32).toString('base64');
    node = await startNode({ config, logger: testLogger(), adminPassword: 'pw-for-tests', heartbeatMs: 250 });
  });
  after(async () => {
    await node?.stop();
    await pg?.destroy();
    removeTempDirs();
  });

  it('stops its tasks after half the offline threshold, records them when it is back, then claims again', async () => {
    const pidFile = path.join(makeTempDir('shoal-fence-pid-'), 'pid');
    const row = await enqueueTask(node.shoal, { kind: 'AdHocScript', description: 'long', arguments: { script: `echo $$ > ${pidFile}; sleep 600` } });
    node.executor.wake();
    const pid = Number(await waitFor(() => fs.existsSync(pidFile) && fs.readFileSync(pidFile, 'utf8').trim(), 'the script to start'));
    // The lease runs from the last heartbeat that succeeded. On a loaded machine that may be
    // seconds before the stop began (a loaded run saw 1.8 s with beats due every 250 ms), so the fence is
    // timed from that beat, not from the stop.
    const down = Date.now();
    const ageAtStop = node.lease.sinceRenewalMs();
    await pg.stopServer();
    await waitFor(() => !isAlive(pid), 'the fenced node to stop its task', { timeoutMs: OFFLINE_AFTER_MS });
    const sinceLastBeat = Date.now() - down + ageAtStop;
    // 300 ms: the wall clock here against the node's monotonic one.
    assert.ok(sinceLastBeat >= FENCE_AFTER_MS - 300, `stopped its task ${Math.round(sinceLastBeat)} ms after its last good heartbeat (${Math.round(ageAtStop)} ms before the stop), before it was fenced`);
    assert.ok(node.lease.sinceRenewalMs() >= FENCE_AFTER_MS, 'fenced only once the lease ran out');
    await pg.startServer();
    const ended = await waitFor(async () => {
      const t = await getTask(node.shoal, Number(row.id));
      return t && t.state !== 'Executing' ? t : undefined;
    }, 'the task to be recorded', { timeoutMs: 30_000, intervalMs: 250 });
    assert.equal(ended.state, 'Failed');
    assert.match(ended.error_message ?? '', /fenced lost contact with the database/);
    const next = await enqueueTask(node.shoal, { kind: 'AdHocScript', description: 'after', arguments: { script: 'echo back' } });
    node.executor.wake();
    await waitFor(async () => (await getTask(node.shoal, Number(next.id)))?.state === 'Success', 'the node to claim again', { timeoutMs: 15_000 });
  });
});
