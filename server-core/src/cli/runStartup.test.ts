/**
 * `shoal run` start-up failures as an operator meets them: one line naming the path or port
 * and the cause, exit 1, and nothing printed that suggests the node started.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { prepareCli, type Cli } from '../testing/runCli.js';
import { makeTempDir, removeTempDirs } from '../testing/tempDir.js';

describe('shoal run: start-up errors in words', () => {
  let cli: Cli;
  let home: string;
  before(async () => {
    home = makeTempDir('shoal-startup-');
    cli = await prepareCli(home);
  });
  after(() => {
    cli.dispose();
    removeTempDirs();
  });

  const refused = async (args: string[], cause: RegExp, env: Record<string, string> = {}) => {
    const r = await cli.run(['run', '--port', '0', ...args], { env: { SHOAL_ADMIN_PASSWORD: 'a-long-enough-password', ...env } });
    assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stderr, cause);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.doesNotMatch(r.stdout, /running at|Created the administrator/, 'nothing suggests it started');
  };

  it('a port in use', async () => {
    const busy = net.createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    const { port } = busy.address() as net.AddressInfo;
    try {
      const r = await cli.run(['run', '--data-dir', path.join(home, 'port'), '--port', String(port)], { env: { SHOAL_ADMIN_PASSWORD: 'a-long-enough-password' } });
      assert.equal(r.code, 1);
      assert.equal(r.stderr.trim(), `shoal: port ${port} on 127.0.0.1 is in use: is another Shoal already running? use --port or SHOAL_PORT`);
      assert.equal(r.stdout, '');
    } finally {
      busy.close();
    }
  });

  it('a data dir that is a file', async () => {
    const file = path.join(home, 'a-file');
    fs.writeFileSync(file, '');
    await refused(['--data-dir', file], new RegExp(`data dir ${file} is not a folder`));
  });

  it('a data dir on a filesystem that is not storage (/proc)', async () => {
    await refused(['--data-dir', '/proc/shoal'], /data dir \/proc\/shoal is on the proc filesystem/);
  });

  it('a data dir that cannot be written', { skip: process.getuid?.() === 0 ? false : 'needs root to run as another account' }, async () => {
    const dir = path.join(home, 'locked');
    fs.chmodSync(home, 0o755); // nobody may look in, not write
    fs.mkdirSync(dir, { mode: 0o755 });
    // As nobody: the folder is root's and not writable for others.
    const r = await new Promise<{ code: number | null; stderr: string; stdout: string }>((resolve) => {
      const child = spawn('runuser', ['-u', 'nobody', '--', process.execPath, cli.bin, 'run', '--data-dir', dir, '--port', '0'], {
        env: { PATH: process.env.PATH, HOME: home, SHOAL_ADMIN_PASSWORD: 'a-long-enough-password' },
      });
      let stderr = '';
      let stdout = '';
      child.stderr.on('data', (c) => (stderr += c));
      child.stdout.on('data', (c) => (stdout += c));
      child.once('close', (code) => resolve({ code, stderr, stdout }));
    });
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr.trim(), `shoal: data dir ${dir} is not writable: permission denied (EACCES)`);
    assert.equal(r.stdout, '');
  });
});
