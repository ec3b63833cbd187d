/**
 * A 250 MB task log followed live by four readers at once on a real node process: the
 * node reads it in bounded chunks with backpressure, so its memory stays flat and its ping
 * keeps answering. The figures (RSS growth, ping latency) are reported; the memory bound is
 * asserted. SHOAL_TEST_BIG_LOG_MIB overrides the size.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ShoalClient } from '../helpers/apiClient.js';
import { startShoalProcess, type ShoalProcess } from '../helpers/shoalProcess.js';
import { queueScript, waitForTaskState } from '../helpers/tasks.js';
import { teardown } from '../helpers/teardown.js';
import { tempDir } from '../helpers/tempDir.js';
import { rssOf, sampleRss } from './upload.js';

const run = promisify(execFile);
const MiB = 1024 * 1024;
const SIZE = Number(process.env.SHOAL_TEST_BIG_LOG_MIB ?? 250) * MiB;
const READERS = 4;

describe(`a ${SIZE / MiB} MB task log followed by ${READERS} live readers`, { timeout: 600_000 }, () => {
  let node: ShoalProcess;
  let client: ShoalClient;
  before(async () => {
    node = await startShoalProcess({ dataDir: tempDir('shoal-biglog-'), nodeName: 'big-log-node' });
    client = await ShoalClient.login(node.url, 'admin', node.adminPassword);
  });
  after(() => teardown());

  it('keeps the node within +100 MB of memory while its ping answers', async () => {
    const task = await queueScript(client, 'sleep 600');
    await waitForTaskState(client, task.id, ['Executing']);
    // The running task's log, made huge from outside (as a chatty script would, faster).
    const file = path.join(node.dataDir, 'storage', 'task-logs', `${task.id}.log`);
    const line = `${new Date().toISOString()} INFO  ${'x'.repeat(100)}\n`;
    const block = Buffer.from(line.repeat(Math.floor(MiB / line.length)));
    const fd = fs.openSync(file, 'a');
    for (let written = 0; written < SIZE; written += block.length) fs.writeSync(fd, block);
    // On disk before measuring: the kernel's later write-back of 250 MB would stall the node's own
    // SQLite commits (heartbeat) and colour the figures with this test's setup.
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    const lastId = `id: ${fs.statSync(file).size}\n`;

    const baseline = rssOf(node.pid);
    const sampler = sampleRss([node.pid], 100);
    const pings: number[] = [];
    let pinging = true;
    // Timed by curl, in its own process: this process is busy reading, and must not colour the figure.
    const pinger = (async () => {
      while (pinging) {
        const { stdout } = await run('curl', ['-s', '-o', '/dev/null', '-w', '%{time_total}', `${node.url}/api/nodes/ping`]);
        pings.push(Number(stdout) * 1000);
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    const started = performance.now();
    const readers = Array.from({ length: READERS }, async () => {
      const res = await fetch(`${node.url}/api/tasks/${task.id}/log`, { headers: { ...client.headers(), accept: 'text/event-stream' } });
      assert.equal(res.status, 200);
      let bytes = 0;
      let tail = '';
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
        bytes += chunk.length;
        // Only the end of each chunk is decoded: this process must not be the bottleneck it measures.
        tail = (tail + Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1', Math.max(0, chunk.length - 200))).slice(-200);
        if (tail.includes(lastId)) break; // the last line written: the whole log has come through

      }
      return bytes;
    });
    const read = await Promise.all(readers);
    const seconds = (performance.now() - started) / 1000;
    pinging = false;
    await pinger;
    const peak = sampler.stop().get(node.pid)!;
    await client.call('POST', `/api/tasks/${task.id}/cancel`);
    const sorted = [...pings].sort((a, b) => a - b);
    if (process.env.SHOAL_TEST_PING_DETAIL) process.stderr.write(`pings: ${pings.map((p) => p.toFixed(0)).join(' ')}\n`);
    const growth = (peak - baseline) / MiB;
    process.stderr.write(
      `big log: ${READERS} readers of ${SIZE / MiB} MiB each in ${seconds.toFixed(1)} s; node RSS ${(baseline / MiB).toFixed(0)} → peak ${(peak / MiB).toFixed(0)} MiB (+${growth.toFixed(0)} MiB); ping p50 ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} ms, p90 ${sorted[Math.floor(sorted.length * 0.9)]!.toFixed(0)} ms, max ${sorted.at(-1)!.toFixed(0)} ms over ${sorted.length} pings\n`,
    );
    for (const bytes of read) assert.ok(bytes >= SIZE, `a reader got ${bytes} bytes`);
    assert.ok(growth < 100, `the node's memory grew by ${growth.toFixed(0)} MiB`);
  });
});
