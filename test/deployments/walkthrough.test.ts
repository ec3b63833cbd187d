/** README's "First deployment" block, run as written against a new node: an agent downloaded from it, Dev → Test → Prod on it, password masked. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ShoalClient } from '../helpers/apiClient.js';
import { SPACE } from '../helpers/deployments.js';
import { REPO_ROOT } from '../helpers/repo.js';
import { startShoalProcess } from '../helpers/shoalProcess.js';
import { teardown } from '../helpers/teardown.js';
import { tempDir } from '../helpers/tempDir.js';

after(() => teardown());

function walkthrough(): string {
  const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const m = /<!-- walkthrough:start -->\s*```sh\n([\s\S]*?)```\s*<!-- walkthrough:end -->/.exec(readme);
  assert.ok(m, 'README.md has the walkthrough block');
  return m[1]!;
}

const AGENT_HOME = '/tmp/hello-agent';

/** The agent the block left running in the background. */
function stopWalkthroughAgent(): void {
  try {
    process.kill(Number(fs.readFileSync(path.join(AGENT_HOME, 'agent.pid'), 'utf8')), 'SIGTERM');
  } catch {
    // Never started, or gone already.
  }
}

describe('README: First deployment', { timeout: 240_000 }, () => {
  after(() => {
    stopWalkthroughAgent();
    fs.rmSync(AGENT_HOME, { recursive: true, force: true });
  });

  it('takes an empty install to Hello deployed in Prod on a downloaded agent, with the password masked', async () => {
    stopWalkthroughAgent();
    fs.rmSync(AGENT_HOME, { recursive: true, force: true });
    const dir = tempDir('shoal-walkthrough-');
    const node = await startShoalProcess({ dataDir: path.join(dir, 'data'), nodeName: 'walkthrough', taskCap: 2 });
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('SHOAL_')) env[k] = v;
    Object.assign(env, { SHOAL: node.url, SHOAL_DATA_DIR: node.dataDir });
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
      execFile('bash', ['-euo', 'pipefail', '-c', walkthrough()], { cwd: REPO_ROOT, env, timeout: 180_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr }),
      ),
    );
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /Hello, production from Prod/);
    assert.match(run.stdout, /Connecting with \*\*\*\*\*\*\*\*/);
    assert.equal(`${run.stdout}${run.stderr}`.includes('correct-horse-battery'), false, 'the password never reaches the terminal');
    const admin = await ShoalClient.login(node.url, 'admin', node.adminPassword);
    const board = await admin.get(`${SPACE}/dashboard`);
    assert.deepEqual(board.items.map((i: { state: string; releaseVersion: string }) => `${i.releaseVersion} ${i.state}`), ['0.0.1 Success', '0.0.1 Success', '0.0.1 Success']);
    const [target] = await admin.get(`${SPACE}/targets`);
    assert.equal(target.name, 'hello-target');
    assert.equal(target.status, 'Healthy');
    const installed = path.join(AGENT_HOME, 'data', 'applications', 'Prod', 'Hello', '1.0.0', 'app.config');
    assert.equal(fs.readFileSync(installed, 'utf8'), 'greeting=Hello, production\npassword=correct-horse-battery\n');
  });
});
