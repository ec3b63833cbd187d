import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { resolveNodeConfig } from '../config/nodeConfig.js';
import { startNode, type RunningNode } from '../node.js';
import { enqueueTask } from '../queue/enqueue.js';
import { getTask } from '../queue/list.js';
import { LEASE_STATEMENT_TIMEOUT_MS } from '../queue/leaseTimings.js';
import { startDelayingProxy, type DelayingProxy } from '../testing/delayingProxy.js';
import { makeTempDir, removeTempDirs } from '../testing/tempDir.js';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../testing/throwawayPostgres.js';
import { waitFor } from '../testing/wait.js';

describe('a claim whose answer is lost (PostgreSQL)', () => {
  let pg: ThrowawayPostgres;
  let proxy: DelayingProxy;
  let node: RunningNode;
  const nodeLog: { level: number; msg: string }[] = [];
  before(async () => {
    pg = await startThrowawayPostgres();
    const direct = new URL(await pg.createDatabase());
    proxy = await startDelayingProxy(Number(direct.port));
    direct.port = String(proxy.port);
    const config = { ...resolveNodeConfig({ dataDir: makeTempDir('shoal-lostclaim-'), port: 0, nodeName: 'lossy' }, {}), databaseUrl: direct.toString() };
    config.masterKey = crypto.randomBytes(32).toString('base64');
    const logger = pino({ level: 'info' }, { write: (line: string) => void nodeLog.push(JSON.parse(line)) });
    // Cycles every 100 ms: a release is tried (and finds nothing) between the node giving up and the late commit.
    node = await startNode({ config, logger, adminPassword: 'pw-for-tests', heartbeatMs: 250, wakeUpPollMs: 100 });
  });
  after(async () => {
    await node?.stop();
    await proxy?.close();
    await pg?.destroy();
    removeTempDirs();
  });

  it('puts the tasks back when the claim commits after the node gave up on it, and runs them', async () => {
    // The claim reaches the server only after the node's query timeout: the node has given up
    // (and first finds nothing to release), then the server claims the task under its token.
    const lateBy = LEASE_STATEMENT_TIMEOUT_MS + 1000;
    const passed = proxy.delayNext('pg_advisory_xact_lock', lateBy);
    const row = await enqueueTask(node.shoal, { kind: 'AdHocScript', description: 'claimed late', arguments: { script: 'echo ran' } });
    await passed;
    await waitFor(async () => (await getTask(node.shoal, Number(row.id)))?.state !== 'Queued' || undefined, 'the late claim to commit', { timeoutMs: 5_000, intervalMs: 20 });
    const ended = await waitFor(async () => {
      const t = await getTask(node.shoal, Number(row.id));
      return t && !['Queued', 'Executing'].includes(t.state) ? t : undefined;
    }, 'the task to be put back and run', { timeoutMs: 15_000, intervalMs: 100 });
    assert.equal(ended.state, 'Success', ended.error_message ?? undefined);
    assert.ok(nodeLog.some((l) => /claim whose answer was lost/.test(l.msg)), 'the node logs the claim it put back');
  });
});
