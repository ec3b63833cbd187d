/**
 * One node cut off from PostgreSQL only (its own network namespace, the database port
 * dropped), while it runs scripts and the rest of the cluster carries on.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FENCE_AFTER_MS } from '../../server-core/src/queue/leaseTimings.js';
import { startShoalProcess, type ShoalProcess } from '../helpers/shoalProcess.js';
import { teardown } from '../helpers/teardown.js';
import { waitFor } from '../helpers/waitFor.js';
import { assertAllAlive, assertNothingLostOrDoubled, livePids, queueSideEffects, readMarks, startFaultCluster, waitAllFinal, waitStarted, type FaultCluster } from './faultKit.js';
import { createNamespace, type Namespace } from './netns.js';

/** pino's JSON lines of a node, with their times. */
const logLines = (p: ShoalProcess) =>
  p
    .stdout()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { time: number; msg: string });

describe('a node partitioned from PostgreSQL', { timeout: 300_000, skip: process.getuid?.() === 0 ? false : 'network namespaces need root' }, () => {
  let ns: Namespace;
  let c: FaultCluster;
  let cut: ShoalProcess;
  before(async () => {
    ns = createNamespace();
    c = await startFaultCluster(2, 3, { extraListenAddresses: [ns.hostIp], trustedNetworks: [ns.subnet] });
    cut = await startShoalProcess({
      dataDir: path.join(c.dir, 'node3'),
      nodeName: 'node3',
      taskCap: 3,
      prefix: ns.prefix,
      args: ['--host', ns.nsIp],
      env: { SHOAL_DATABASE_URL: c.databaseUrl.replace('127.0.0.1', ns.hostIp), SHOAL_MASTER_KEY: c.masterKey },
    });
  });
  after(() => teardown());

  const dropPostgres = (action: '-A' | '-D') => ns.exec(['iptables', action, 'OUTPUT', '-d', ns.hostIp, '-p', 'tcp', '--dport', String(c.pg.port), '-j', 'DROP']);

  it('fences within half the offline threshold of its last good heartbeat, the cluster ends its tasks, it comes back within 5 s of the heal, its stale results are refused', async () => {
    const ids = await queueSideEffects(c, 9, 30);
    await waitStarted(c, ids, 9);
    const onCut = new Map([...readMarks(c.marks)].filter(([id, m]) => ids.includes(id) && m.nodes.includes('node3')));
    assert.ok(onCut.size > 0, 'node3 runs some of the tasks');

    dropPostgres('-A');
    const lastGoodBeat = Date.parse((await c.client.get('/api/nodes/node3')).lastSeen);
    await waitFor(() => livePids(onCut).length === 0, { timeoutMs: FENCE_AFTER_MS + 3000, intervalMs: 25, message: 'the partitioned node\'s scripts still run' });
    const scriptsGone = Date.now();
    assert.ok(scriptsGone - lastGoodBeat <= FENCE_AFTER_MS + 300, `scripts ended ${scriptsGone - lastGoodBeat} ms after the last good heartbeat`);
    const fenced = logLines(cut).find((l) => /^FENCED/.test(l.msg));
    assert.ok(fenced, 'the node logged its fence');
    const firstWarning = logLines(cut).find((l) => /heartbeat (failed|is late)/.test(l.msg));
    // The warning comes a beat or two after the cut, the fence at 4 s: how far apart depends on
    // where in its beat the node was cut and on the machine's load; the order does not.
    assert.ok(firstWarning && firstWarning.time < fenced.time, `the failing heartbeat was logged before the fence (warning ${firstWarning?.time}, fence ${fenced.time})`);

    await waitFor(async () => (await c.client.get('/api/nodes/node3')).status === 'Offline', { timeoutMs: 15_000, intervalMs: 250, message: 'node3 never went Offline' });
    const ended = await waitFor(
      async () => {
        const states = await Promise.all([...onCut.keys()].map(async (id) => (await c.client.get(`/api/tasks/${id}`)).state));
        return states.every((s) => s === 'Failed') ? states : undefined;
      },
      { timeoutMs: 15_000, message: 'the cluster did not end node3\'s tasks' },
    );
    assert.ok(ended.length > 0);

    dropPostgres('-D');
    const healedAt = Date.now();
    await waitFor(async () => Date.parse((await c.client.get('/api/nodes/node3')).lastSeen) > healedAt, { timeoutMs: 5000, intervalMs: 100, message: 'node3 did not heartbeat within 5 s of the heal' });
    await waitFor(() => /stale outcome refused/.test(cut.output()), { timeoutMs: 10_000, message: `node3 did not refuse its stale results:\n${cut.output()}` });

    const tasks = await waitAllFinal(c.client, ids);
    assertNothingLostOrDoubled(tasks, c.marks);
    assertAllAlive([...c.nodes, cut]);
    await waitFor(async () => (await c.client.get('/api/nodes/node3')).status === 'Running', { timeoutMs: 10_000, message: 'node3 is not Running again' });
  });
});
