import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { StorageStatus } from '../contract/nodes.js';
import type { ShoalDb } from '../db/dialects/dialect.js';
import { listNodes, nodeIsOffline } from '../nodes/registry.js';
import { checkStoragePath, STORAGE_KINDS, type StoragePaths } from './paths.js';

/**
 * Shared-storage verification. Every node writes a marker into each storage folder —
 * `<folder>/.shoal-nodes/<node>.marker`, holding its name and a nonce chosen at start and
 * kept in its database row — and checks that it can read, with the right content, the
 * markers of every other online node. A node that reads a different folder (a share not
 * mounted, a local folder where a share was meant) cannot, and says so.
 */
export const MARKER_FOLDER = '.shoal-nodes';


const safeName = (node: string) => node.replace(/[^A-Za-z0-9_.-]/g, '_');
export const markerPath = (folder: string, node: string): string => path.join(folder, MARKER_FOLDER, `${safeName(node)}.marker`);
export const markerContent = (node: string, nonce: string): string => `${node}\n${nonce}\n`;

export const newStorageNonce = (): string => crypto.randomBytes(16).toString('hex');

/** Writes (atomically: temp then rename) this node's marker into every storage folder; returns the failures. */
export async function writeMarkers(paths: StoragePaths, node: string, nonce: string): Promise<string[]> {
  const failed: string[] = [];
  for (const kind of STORAGE_KINDS) {
    const file = markerPath(paths[kind], node);
    try {
      await fsp.mkdir(path.dirname(file), { recursive: true });
      const temp = `${file}.${process.pid}.tmp`;
      await fsp.writeFile(temp, markerContent(node, nonce));
      await fsp.rename(temp, file);
    } catch (err) {
      failed.push(`${kind}: cannot write this node's marker in ${paths[kind]}: ${(err as Error).message}`);
    }
  }
  return failed;
}

async function readMarker(file: string): Promise<string | undefined> {
  try {
    return await fsp.readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Checks each folder (exists, a folder, writable) and that this node sees the markers of
 * itself and of every other online node. Nodes without a nonce (not yet started) are skipped.
 */
export async function verifySharedStorage(shoal: ShoalDb, paths: StoragePaths, self: string): Promise<StorageStatus> {
  const problems: string[] = [];
  const nodes = (await listNodes(shoal)).filter((n) => n.storage_nonce && (n.name === self || !nodeIsOffline(n)));
  for (const kind of STORAGE_KINDS) {
    const folder = paths[kind];
    const check = checkStoragePath(kind, folder);
    if (!check.ok) {
      problems.push(`${kind}: ${folder} — ${check.problem}`);
      continue;
    }
    const unseen: string[] = [];
    for (const n of nodes) {
      const content = await readMarker(markerPath(folder, n.name));
      if (content === markerContent(n.name, n.storage_nonce!)) continue;
      if (n.name === self) problems.push(`${kind}: this node cannot read back its own marker in ${folder}.`);
      else unseen.push(content === undefined ? `${n.name} (no marker)` : `${n.name} (a different marker)`);
    }
    if (unseen.length) {
      problems.push(`${kind}: ${folder} is not the folder ${unseen.join(', ')} ${unseen.length > 1 ? 'use' : 'uses'}: this node does not share ${kind} storage with ${unseen.length > 1 ? 'them' : 'it'}.`);
    }
  }
  return { ok: problems.length === 0, checkedAt: new Date().toISOString(), problems };
}

/** Whether every marker folder is readable at all (used by tests and the integrity check). */
export const markerFolderExists = (folder: string): boolean => fs.existsSync(path.join(folder, MARKER_FOLDER));
