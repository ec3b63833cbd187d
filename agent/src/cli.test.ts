import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), 'cli.ts');

function agent(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `const { main } = await import(${JSON.stringify(CLI)}); await main(['node', 'shoal-agent', ...process.argv.slice(1)]);`, '--', ...args], { encoding: 'utf8', env: { ...process.env, SHOAL_AGENT_DATA_DIR: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('shoal-agent: --help exits 0; bad arguments exit 2 with one line; run before register exits 1 saying so', () => {
  const help = agent('--help');
  assert.equal(help.code, 0);
  for (const c of ['register', 'run', 'show-thumbprint']) assert.match(help.stdout, new RegExp(c));
  assert.equal(agent('register', '--help').code, 0);

  const missing = agent('register', '--server', 'http://127.0.0.1:1', '--name', 'web-1', '--role', 'web');
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^shoal-agent: .*--environment/);
  assert.equal(missing.stderr.trim().split('\n').length, 1);

  const both = agent('register', '--server', 'http://127.0.0.1:1', '--api-key', 'K', '--token', 'T', '--name', 'n', '--environment', 'Dev', '--role', 'web');
  assert.equal(both.code, 2);
  assert.match(both.stderr, /exactly one of --api-key and --token/);
  assert.equal(agent('register', '--server', 'ftp://x', '--token', 'T', '--name', 'n', '--environment', 'Dev', '--role', 'web').code, 2);
  assert.equal(agent('frobnicate').code, 2);
  const cache = agent('run', '--cache-packages', '0');
  assert.equal(cache.code, 2);
  assert.match(cache.stderr, /--cache-packages.*whole number from 1/);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shoal-agent-cli-'));
  try {
    const run = agent('run', '--data-dir', dir);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /not registered.*shoal-agent register/);
    const thumb = agent('show-thumbprint', '--data-dir', dir);
    assert.equal(thumb.code, 0);
    assert.match(thumb.stdout.trim(), /^[0-9A-F]{64}$/);
    assert.equal(agent('show-thumbprint', '--data-dir', dir).stdout, thumb.stdout, 'the same identity every time');
    const unreachable = agent('register', '--server', 'http://127.0.0.1:1', '--token', 'T', '--name', 'n', '--environment', 'Dev', '--role', 'web', '--data-dir', dir);
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.stderr, /cannot reach http:\/\/127\.0\.0\.1:1/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('shoal-agent register: listening options are checked before anything is sent', () => {
  const base = ['register', '--server', 'http://127.0.0.1:1', '--token', 'T', '--name', 'n', '--environment', 'Dev', '--role', 'web'];
  const badMode = agent(...base, '--mode', 'pushing');
  assert.equal(badMode.code, 2);
  assert.match(badMode.stderr, /--mode.*polling or listening/);
  const portWithoutListening = agent(...base, '--listen-port', '10933');
  assert.equal(portWithoutListening.code, 2);
  assert.match(portWithoutListening.stderr, /--listen-port and --public-url are for --mode listening/);
  const badPort = agent(...base, '--mode', 'listening', '--listen-port', '70000');
  assert.equal(badPort.code, 2);
  assert.match(badPort.stderr, /port number/);
  const badUrl = agent(...base, '--mode', 'listening', '--public-url', 'http://web-1');
  assert.equal(badUrl.code, 2);
  assert.match(badUrl.stderr, /https:\/\/host:port/);
  const comms = agent(...base, '--mode', 'listening', '--comms', 'https://x:10943');
  assert.equal(comms.code, 2);
  assert.match(comms.stderr, /--comms is for polling agents/);
});
