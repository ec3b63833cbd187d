/**
 * The cluster's storage on the plainest sshfs share: no caching (`-o cache=no`) and a server
 * that refuses hard links and renames over a file (OpenSSH's SFTP server with the
 * `hardlink` and `posix-rename` requests blocked, as many SMB servers behave). Two nodes
 * behind HAProxy: live logs followed across nodes, and publishing by the database-then-rename
 * method, detected by the nodes themselves.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ShoalClient } from '../helpers/apiClient.js';
import { startCluster, type Cluster } from '../helpers/cluster.js';
import { freePort } from '../helpers/freePort.js';
import { startHaproxy, type Haproxy } from '../helpers/haproxy.js';
import { describeLags, followTasksLive } from '../helpers/shareLiveLogs.js';
import { teardown } from '../helpers/teardown.js';
import { multipartUpload, PatternStream, sha256File } from '../storage/upload.js';

describe('cluster on an sshfs share without caching, hard links or renames over a file', { timeout: 300_000 }, () => {
  let cluster: Cluster;
  let lb: Haproxy;
  let client: ShoalClient;
  before(async () => {
    cluster = await startCluster(2, 3, { share: { cache: 'no', blockedRequests: ['hardlink', 'posix-rename'] } });
    lb = await startHaproxy(cluster.dir, await freePort(), cluster.nodes.map((n) => ({ name: n.nodeName, port: n.port })));
    client = await ShoalClient.login(lb.url, 'admin', cluster.nodes[0]!.adminPassword);
  });
  after(() => teardown());

  it('follows 10 tasks live through HAProxy, every line in order, then the end', async () => {
    const run = await followTasksLive(client, 10);
    process.stderr.write(describeLags('live logs across nodes on sshfs (cache=no)', run));
  });

  it('each node found the share has no hard links and said how it publishes; of two concurrent uploads one wins, the file is whole', async () => {
    for (const n of cluster.nodes) assert.match(n.output(), /publishing new files by rename after the database has decided/, n.nodeName);
    for (const n of cluster.nodes) assert.match(n.output(), /replacing by moving the old file aside first/, n.nodeName);
    const key = (await client.call<{ apiKey: string }>('POST', '/api/users/me/apikeys', { name: 'uploads' }, 201)).apiKey;
    const [a, b] = [new PatternStream(16 * 1024 * 1024, 1), new PatternStream(16 * 1024 * 1024, 2)];
    const [ra, rb] = await Promise.all([
      multipartUpload(`${cluster.nodes[0]!.url}/api/Spaces-1/packages/raw`, key, 'Plain.1.0.0.zip', a),
      multipartUpload(`${cluster.nodes[1]!.url}/api/Spaces-1/packages/raw`, key, 'Plain.1.0.0.zip', b),
    ]);
    assert.deepEqual([ra.status, rb.status].sort(), [201, 409], `${JSON.stringify(ra.body)} ${JSON.stringify(rb.body)}`);
    const folder = path.join(cluster.share!.exportDir, 'shoal', 'packages', 'Spaces-1');
    assert.equal(await sha256File(path.join(folder, 'Plain.1.0.0.zip')), (ra.status === 201 ? a : b).hash.digest('hex'));
    const replaced = await multipartUpload(`${cluster.nodes[1]!.url}/api/Spaces-1/packages/raw?replace=true`, key, 'Plain.1.0.0.zip', new PatternStream(1024, 3));
    assert.equal(replaced.status, 201, JSON.stringify(replaced.body));
    assert.equal(fs.statSync(path.join(folder, 'Plain.1.0.0.zip')).size, 1024);
    assert.deepEqual(fs.readdirSync(folder).filter((f) => f.startsWith('.') && !f.startsWith('.shoal-')), []);
  });
});
