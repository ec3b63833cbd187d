/** The `shoal` command as a user runs it: real processes, exit codes, what lands on stdout/stderr. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { prepareCli, type Cli } from '../testing/runCli.js';
import { makeTempDir, removeTempDirs } from '../testing/tempDir.js';
import { startTestNode } from '../testing/testNode.js';

after(removeTempDirs);

/** Command names listed under "Commands:" in a help text (without `help`). */
function commandsIn(help: string): string[] {
  const section = help.split(/^Commands:$/m)[1] ?? '';
  return section
    .split('\n')
    .map((l) => /^ {2}([a-z][\w-]*)/.exec(l)?.[1])
    .filter((c): c is string => !!c && c !== 'help');
}

describe('shoal CLI', () => {
  let cli: Cli;
  before(async () => {
    cli = await prepareCli(makeTempDir('shoal-cli-home-'));
  });
  after(() => cli.dispose());
  const runCli = (args: string[], o?: { timeoutMs?: number }) => cli.run(args, o);

  it('prints help and exits 0 for the program and every command and sub-command', async () => {
    const root = await runCli(['--help']);
    assert.equal(root.code, 0, root.stderr);
    assert.match(root.stdout, /Usage: shoal/);
    // Breadth first, one at a time (a loaded 2-core machine starts a dozen CLIs in parallel
    // slower than their timeout): every command found in a help text gets its own --help.
    const seen: string[] = [];
    let level: { path: string[]; help: string }[] = [{ path: [], help: root.stdout }];
    while (level.length) {
      const next = level.flatMap(({ path, help }) => commandsIn(help).map((cmd) => [...path, cmd]));
      level = [];
      for (const args of next) {
        const res = await runCli([...args, '--help'], { timeoutMs: 60_000 });
        assert.equal(res.code, 0, `shoal ${args.join(' ')} --help: ${res.stderr}`);
        assert.match(res.stdout, new RegExp(`Usage: shoal ${args.join(' ')}`));
        assert.equal(res.stderr, '');
        seen.push(args.join(' '));
        level.push({ path: args, help: res.stdout });
      }
    }
    for (const expected of ['run', 'api-key', 'api-key create']) assert.ok(seen.includes(expected), `${expected} in ${seen.join(', ')}`);
  });

  it('exits 2 with exactly one line on stderr for bad arguments', async () => {
    const dataDir = makeTempDir('shoal-cli-data-');
    const cases: [string[], RegExp][] = [
      [['run', '--data-dir', dataDir, '--bogus'], /bogus/],
      [['run', '--data-dir', dataDir, '--port', 'abc'], /port/],
      [['run', '--data-dir', dataDir, '--task-cap', '-1'], /task-cap|-1/],
      [['api-key', 'create', '--data-dir', dataDir], /name/],
      [['frobnicate'], /frobnicate/],
    ];
    await Promise.all(
      cases.map(async ([args, about]) => {
        const res = await runCli(args);
        const what = `shoal ${args.join(' ')}`;
        assert.equal(res.code, 2, `${what} exited ${res.code}: ${res.stderr}${res.stdout}`);
        assert.match(res.stderr, /^[^\n]+\n$/, `${what}: one line on stderr, got ${JSON.stringify(res.stderr)}`);
        assert.match(res.stderr, about, what);
        assert.equal(res.stdout, '', `${what} printed to stdout`);
      }),
    );
  });

  it('api-key create prints a key that works against a node on that data dir', async () => {
    const dataDir = makeTempDir('shoal-cli-node-');
    const empty = await runCli(['api-key', 'create', '--name', 'ci', '--data-dir', makeTempDir('shoal-cli-empty-')]);
    assert.equal(empty.code, 1, 'no administrator yet');
    assert.match(empty.stderr, /^shoal: [^\n]*no user[^\n]*\n$/);

    const tn = await startTestNode({ dataDir, nodeName: 'cli-node' });
    try {
      const res = await runCli(['api-key', 'create', '--name', 'ci', '--data-dir', dataDir]);
      assert.equal(res.code, 0, res.stderr);
      assert.match(res.stdout, /^API-[A-Z2-9]{32}\n$/, 'only the key on stdout, so scripts can capture it');
      const key = res.stdout.trim();
      // Over a real socket, as the build server using the key would.
      const me = await fetch(`${tn.node.url}/api/users/me`, { headers: { 'x-api-key': key } });
      assert.equal(me.status, 200);
      assert.equal(((await me.json()) as { username: string }).username, 'admin');
      const bearer = await fetch(`${tn.node.url}/api/tasks`, { headers: { authorization: `Bearer ${key}` } });
      assert.equal(bearer.status, 200);
      const keys = await tn.request({ method: 'GET', url: '/api/users/me/apikeys' });
      assert.ok(keys.json().some((k: { name: string; prefix: string }) => k.name === 'ci' && key.startsWith(k.prefix)));
    } finally {
      await tn.stop();
    }
  });
});
