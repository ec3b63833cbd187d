import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { walkFiles } from '../storage/walkFiles.js';

/** Per-node bookkeeping that is not data: storage markers and write probes. */
const SKIP = /^(\.shoal-nodes|\.shoal-write-check-.*|.*\.shoal-partial)$/;

export interface FileEntry {
  relative: string;
  size: number;
}

/** Every data file under `root` (recursively), with its size; a missing root has none. */
export function listFiles(root: string): FileEntry[] {
  return walkFiles(root, SKIP).map((f) => ({ relative: f.relative, size: f.stat.size }));
}

export async function hashFile(file: string): Promise<string> {
  const h = crypto.createHash('sha256');
  await pipeline(fs.createReadStream(file), h);
  return h.digest('hex');
}

export class FileConflictError extends Error {}

/**
 * Copies one file so that it appears under its final name only when complete and
 * verified. A destination that already holds the same bytes (an earlier run) is kept.
 * Returns the file's SHA-256.
 */
export async function copyFileVerified(from: string, to: string): Promise<{ hash: string; copied: boolean }> {
  const hash = await hashFile(from);
  if (fs.existsSync(to)) {
    if ((await hashFile(to)) === hash) return { hash, copied: false };
    throw new FileConflictError(`${to} already exists with different content`);
  }
  fs.mkdirSync(path.dirname(to), { recursive: true });
  const partial = `${to}.${process.pid}.shoal-partial`;
  try {
    await pipeline(fs.createReadStream(from), fs.createWriteStream(partial, { flags: 'wx' }));
    const fd = fs.openSync(partial, 'r');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    if ((await hashFile(partial)) !== hash) throw new Error(`${from} changed while it was copied`);
    fs.renameSync(partial, to);
  } finally {
    fs.rmSync(partial, { force: true });
  }
  return { hash, copied: true };
}
