import fs from 'node:fs';
import path from 'node:path';
import * as tar from 'tar';
import type { ShoalProcess } from './shoalProcess.js';

/** The package bytes a node logged as served to agents (its `served package bytes to an agent` lines), for one hash. */
export function bytesServed(node: ShoalProcess, sha256: string): { bytes: number; starts: number[] } {
  let bytes = 0;
  const starts: number[] = [];
  for (const line of node.stdout().split('\n')) {
    if (!line.includes('served package bytes to an agent')) continue;
    const l = JSON.parse(line) as { sha256: string; bytes: number; start: number };
    if (l.sha256 !== sha256) continue;
    bytes += l.bytes;
    starts.push(l.start);
  }
  return { bytes, starts };
}

/** A real .tar.gz of these files, made with the `tar` package in `dir`. */
export async function buildTarGz(dir: string, files: Record<string, string>): Promise<Buffer> {
  const src = path.join(dir, 'tar-src');
  fs.rmSync(src, { recursive: true, force: true });
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(src, name)), { recursive: true });
    fs.writeFileSync(path.join(src, name), content);
  }
  const out = path.join(dir, 'package.tar.gz');
  await tar.c({ gzip: true, cwd: src, file: out, portable: true }, Object.keys(files));
  return fs.readFileSync(out);
}
