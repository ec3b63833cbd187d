// The self-contained agent every node serves (GET /api/agent/download): the agent and its
// dependencies in one ES module, this build's Node runtime beside it, packed as one .tar.gz
// that a target machine unpacks and runs with nothing else installed.
//
//   agent/bundle/manifest.json                    what the node serves at GET /api/agent
//   agent/bundle/shoal-agent-<os>-<arch>.tar.gz   shoal-agent/{shoal-agent, shoal-agent.cmd,
//                                                 manifest.json, lib/shoal-agent.mjs, runtime/node}
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import * as tar from 'tar';

const agentRoot = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const out = path.join(agentRoot, 'bundle');
const staging = `${out}.tmp-${process.pid}`;
const home = path.join(staging, 'home', 'shoal-agent');
const { version } = JSON.parse(fs.readFileSync(path.join(agentRoot, 'package.json'), 'utf8'));
const platform = `${process.platform}-${process.arch}`;
const windows = process.platform === 'win32';

const sha256 = (file) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

fs.rmSync(staging, { recursive: true, force: true });
fs.mkdirSync(path.join(home, 'lib'), { recursive: true });
fs.mkdirSync(path.join(home, 'runtime'));

const lib = path.join(home, 'lib', 'shoal-agent.mjs');
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

const runtime = path.join(home, 'runtime', windows ? 'node.exe' : 'node');
fs.copyFileSync(process.execPath, runtime);
fs.chmodSync(runtime, 0o755);

const launcher = path.join(home, 'shoal-agent');
fs.writeFileSync(
  launcher,
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
fs.mkdirSync(path.join(staging, 'out'));
await tar.c({ gzip: { level: 6 }, file: path.join(staging, 'out', archive), cwd: path.join(staging, 'home'), portable: true, mtime: new Date() }, ['shoal-agent']);
const archiveFile = path.join(staging, 'out', archive);
const manifest = { ...identity, archive, size: fs.statSync(archiveFile).size, sha256: sha256(archiveFile) };
fs.writeFileSync(path.join(staging, 'out', 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);

// Swapped in whole: a node serving the old bundle never sees half of the new one.
fs.rmSync(out, { recursive: true, force: true });
fs.renameSync(path.join(staging, 'out'), out);
fs.rmSync(staging, { recursive: true, force: true });
process.stdout.write(`agent bundle: ${path.relative(process.cwd(), path.join(out, archive))} (${(manifest.size / 1024 ** 2).toFixed(1)} MiB, Node ${process.version}, ${platform})\n`);
