/**
 * Scripts on the built-in worker get a clean environment, and can run as an unprivileged
 * account that reaches nothing of Shoal's; the data dir is the node account's only.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ShoalClient } from '../helpers/apiClient.js';
import { startShoalProcess } from '../helpers/shoalProcess.js';
import { queueScript, taskLog, waitForTaskState } from '../helpers/tasks.js';
import { tempDir } from '../helpers/tempDir.js';
import { teardown } from '../helpers/teardown.js';

after(() => teardown());

const mode = (p: string) => (fs.statSync(p).mode & 0o777).toString(8);

describe('script isolation', () => {
  it("a script's environment holds none of the node's secrets or configuration", async () => {
    const dataDir = tempDir('shoal-env-');
    const secrets = {
      SHOAL_MASTER_KEY: crypto.randomBytes(32).toString('base64'),
      SHOAL_TRUSTED_PROXIES: '10.9.8.7',
      SHOAL_NODE_SECRET_PROBE: `probe-${crypto.randomUUID()}`,
      AWS_SECRET_ACCESS_KEY: `aws-${crypto.randomUUID()}`,
    };
    const node = await startShoalProcess({ dataDir, nodeName: 'env-node', env: secrets });
    const admin = await ShoalClient.login(node.url, 'admin', node.adminPassword);
    const task = await queueScript(admin, 'env; echo "PATH is $PATH"');
    await waitForTaskState(admin, task.id, ['Success']);
    const log = await taskLog(admin, task.id);
    for (const [name, value] of [...Object.entries(secrets), ['SHOAL_ADMIN_PASSWORD', node.adminPassword]]) {
      assert.ok(!log.includes(value!), `the script saw ${name}'s value:\n${log}`);
    }
    assert.ok(!/SHOAL_DATABASE_URL|SHOAL_MASTER_KEY|SHOAL_ADMIN_PASSWORD/.test(log), log);
    assert.match(log, /SHOAL_TASK_ID=ServerTasks-\d+/, 'the task still gets its own values');
    assert.match(log, /PATH is \S*\/bin/, 'and a PATH');
    await node.stop();
  });

  it('the data dir is tightened to 0700 and its files to 0600, with a log line', async () => {
    const dataDir = tempDir('shoal-perms-');
    fs.chmodSync(dataDir, 0o755);
    fs.writeFileSync(path.join(dataDir, 'shoal.config.json'), '{}', { mode: 0o644 });
    fs.chmodSync(path.join(dataDir, 'shoal.config.json'), 0o644);
    const node = await startShoalProcess({ dataDir, nodeName: 'perm-node' });
    assert.equal(mode(dataDir), '700');
    for (const f of ['shoal.db', 'master.key', 'shoal.config.json']) assert.equal(mode(path.join(dataDir, f)), '600', f);
    assert.match(node.output(), /readable by other accounts/);
    await node.stop();
  });

  it('a new data dir is made private without a warning, and the node starts without runtime warnings', async () => {
    const dataDir = path.join(tempDir('shoal-fresh-'), 'data');
    const node = await startShoalProcess({ dataDir, nodeName: 'fresh-node' });
    assert.equal(mode(dataDir), '700');
    for (const f of ['shoal.db', 'master.key']) assert.equal(mode(path.join(dataDir, f)), '600', f);
    // Files this start made were never readable by anyone else: no alarm about them. And no
    // warnings from the runtime or its libraries (Fastify warned once per route part).
    assert.doesNotMatch(node.output(), /readable by other accounts|Warning|\(node:\d+\)/);
    await node.stop();
  });

  it('run as another account, a script cannot read the data dir, and its artifacts are still kept', { skip: process.getuid?.() !== 0 && 'needs root' }, async () => {
    const dataDir = tempDir('shoal-runas-');
    const node = await startShoalProcess({ dataDir, nodeName: 'runas-node', args: ['--built-in-worker-run-as', 'nobody'] });
    const admin = await ShoalClient.login(node.url, 'admin', node.adminPassword);
    const script = [
      'echo "account: $(id -un)"',
      `if cat ${dataDir}/master.key 2>/dev/null; then echo "READ MASTER KEY"; fi`,
      `if ls ${dataDir} >/dev/null 2>&1; then echo "LISTED DATA DIR"; fi`,
      `if cat ${dataDir}/shoal.db >/dev/null 2>&1; then echo "READ DATABASE"; fi`,
      'echo report > "$SHOAL_ARTIFACTS_DIR/report.txt"',
      'ln -s /etc/shadow "$SHOAL_ARTIFACTS_DIR/shadow" || true',
    ].join('\n');
    const task = await queueScript(admin, script);
    const done = await waitForTaskState(admin, task.id, ['Success', 'Failed']);
    const log = await taskLog(admin, task.id);
    assert.equal(done.state, 'Success', log);
    assert.match(log, /account: nobody/);
    assert.ok(!/READ MASTER KEY|LISTED DATA DIR|READ DATABASE/.test(log), log);
    const artifacts = await admin.get<{ items: { name: string }[] }>(`/api/tasks/${task.id}/artifacts`);
    assert.deepEqual(artifacts.items.map((a) => a.name), ['report.txt'], 'the regular file is kept, the symlink to /etc/shadow is not');
    await node.stop();
  });

  it('refuses to start when the run-as account does not exist, in words', async () => {
    const dataDir = tempDir('shoal-runas-bad-');
    await assert.rejects(
      startShoalProcess({ dataDir, nodeName: 'runas-bad', args: ['--built-in-worker-run-as', 'no-such-account-xyz'] }),
      /no account named no-such-account-xyz|needs the node to run as root/,
    );
  });
});
