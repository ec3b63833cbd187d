// The self-contained agents every node serves (GET /api/agent/download?platform=…): the agent and
// its dependencies in one ES module, a Node runtime beside it, packed as one .tar.gz per platform
// that a target machine unpacks and runs with nothing else installed.
//
//   agent/bundle/manifest.json                    { bundles: [one manifest per archive] }: what the node serves at GET /api/agent
//   agent/bundle/shoal-agent-<os>-<arch>.tar.gz   shoal-agent/{shoal-agent, shoal-agent.cmd,
//                                                 manifest.json, lib/shoal-agent.mjs, runtime/node[.exe]}
//
// The build machine's platform is always built, with the runtime running this script. Others are
// listed in SHOAL_AGENT_PLATFORMS (e.g. "win32-x64,linux-arm64,darwin-x64"); their runtime of the
// same Node version comes from the npm registry's node-<os>-<arch> package. SHOAL_AGENT_BUNDLE_OUT
// builds somewhere other than agent/bundle.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AGENT_PLATFORM_PATTERN } from '@shoal/server-core/contract';
import { build } from 'esbuild';
import * as tar from 'tar';

const PLATFORM = new RegExp(AGENT_PLATFORM_PATTERN);
const agentRoot = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const out = path.resolve(process.env.SHOAL_AGENT_BUNDLE_OUT || path.join(agentRoot, 'bundle'));
const staging = `${out}.tmp-${process.pid}`;
const { version } = JSON.parse(fs.readFileSync(path.join(agentRoot, 'package.json'), 'utf8'));
const host = `${process.platform}-${process.arch}`;
const others = (process.env.SHOAL_AGENT_PLATFORMS ?? '').split(',').map((p) => p.trim()).filter(Boolean);
const platforms = [...new Set([host, ...others])];
for (const p of others) {
  if (!PLATFORM.test(p)) {
    process.stderr.write(`agent bundle: "${p}" in SHOAL_AGENT_PLATFORMS is not a platform an agent is built for (linux, darwin or win32, then x64 or arm64: e.g. win32-x64)\n`);
    process.exit(2);
  }
}

const sha256 = (file) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

fs.rmSync(staging, { recursive: true, force: true });
fs.mkdirSync(path.join(staging, 'out'), { recursive: true });

const lib = path.join(staging, 'shoal-agent.mjs');
await build({
  entryPoints: [path.join(agentRoot, 'src', 'bundleEntry.ts')],
  outfile: lib,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  define: { __SHOAL_AGENT_VERSION__: JSON.stringify(version) },
  // The CommonJS dependencies (commander, tar, yauzl) call require() for Node's modules.
  banner: { js: "import { createRequire as __shoalCreateRequire } from 'node:module'; const require = __shoalCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});

/** The Node runtime of this build's version for `platform`: this process's own, or the npm registry's node-<os>-<arch> package. */
async function runtimeFor(platform, exe) {
  if (platform === host) return process.execPath;
  const [os, arch] = platform.split('-');
  const spec = `node-${os === 'win32' ? 'win' : os}-${arch}@${process.versions.node}`;
  const dir = path.join(staging, `npm-${platform}`);
  fs.mkdirSync(dir);
  let packed;
  try {
    // npm is npm.cmd on Windows, which only a shell runs.
    packed = execFileSync('npm', ['pack', spec, '--pack-destination', dir, '--silent'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], shell: process.platform === 'win32' }).trim().split('\n').pop();
  } catch (err) {
    throw new Error(`agent bundle: no Node runtime for ${platform}: npm pack ${spec} failed (${String(err.stderr || err.message).trim().split('\n')[0]})`);
  }
  await tar.x({ file: path.join(dir, packed), cwd: dir, filter: (p) => p === `package/bin/${exe}` });
  const runtime = path.join(dir, 'package', 'bin', exe);
  if (!fs.existsSync(runtime)) throw new Error(`agent bundle: ${spec} holds no bin/${exe}`);
  return runtime;
}

async function bundle(platform) {
  const windows = platform.startsWith('win32-');
  const home = path.join(staging, `home-${platform}`, 'shoal-agent');
  fs.mkdirSync(path.join(home, 'lib'), { recursive: true });
  fs.mkdirSync(path.join(home, 'runtime'));
  fs.copyFileSync(lib, path.join(home, 'lib', 'shoal-agent.mjs'));
  const exe = windows ? 'node.exe' : 'node';
  fs.copyFileSync(await runtimeFor(platform, exe), path.join(home, 'runtime', exe));
  fs.chmodSync(path.join(home, 'runtime', exe), 0o755);
  fs.writeFileSync(
    path.join(home, 'shoal-agent'),
    [
      '#!/bin/sh',
      '# shoal-agent: runs the agent on the Node runtime shipped beside it; nothing else is needed.',
      'here=$(dirname -- "$(readlink -f -- "$0" 2>/dev/null || printf %s "$0")")',
      'exec "$here/runtime/node" "$here/lib/shoal-agent.mjs" "$@"',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  fs.writeFileSync(path.join(home, 'shoal-agent.cmd'), '@"%~dp0runtime\\node.exe" "%~dp0lib\\shoal-agent.mjs" %*\r\n');
  const identity = { version, platform, node: process.version, agentSha256: sha256(lib) };
  fs.writeFileSync(path.join(home, 'manifest.json'), `${JSON.stringify(identity, null, 2)}\n`);

  const archive = `shoal-agent-${platform}.tar.gz`;
  const archiveFile = path.join(staging, 'out', archive);
  await tar.c({ gzip: { level: 6 }, file: archiveFile, cwd: path.dirname(home), portable: true, mtime: new Date() }, ['shoal-agent']);
  return { ...identity, archive, size: fs.statSync(archiveFile).size, sha256: sha256(archiveFile) };
}

const bundles = [];
try {
  for (const platform of platforms) bundles.push(await bundle(platform));
  fs.writeFileSync(path.join(staging, 'out', 'manifest.json'), `${JSON.stringify({ bundles }, null, 2)}\n`);
  // Swapped in whole: a node serving the old bundle never sees half of the new one.
  fs.rmSync(out, { recursive: true, force: true });
  fs.renameSync(path.join(staging, 'out'), out);
} finally {
  fs.rmSync(staging, { recursive: true, force: true });
}
for (const b of bundles) process.stdout.write(`agent bundle: ${path.relative(process.cwd(), path.join(out, b.archive))} (${(b.size / 1024 ** 2).toFixed(1)} MiB, Node ${process.version}, ${b.platform})\n`);
