import crypto from 'node:crypto';
import path from 'node:path';
import type { ShoalDb } from '../db/dialects/dialect.js';
import { listNodes, nodeIsOffline } from '../nodes/registry.js';
import { reportedFileSystems, type StoredStorageStatus } from '../nodes/storageStatus.js';
import { fileSystemName, isNetworkFileSystem } from './fileSystems.js';
import { checkStoragePath, STORAGE_KINDS, type StorageKind, type StoragePaths } from './paths.js';
import { storageFs, type StorageFs } from './storageFs.js';

/**
 * Shared-storage verification. Every node writes a marker into each storage folder —
 * `<folder>/.shoal-nodes/<node>.marker`, holding its name and a nonce chosen at start and
 * kept in its database row — and checks that it can read, with the right content, the
 * markers of every other online node. Markers are read by name (a share's directory
 * listing can be stale for seconds). A node that reads a different folder (a share not
 * mounted, a local folder where a share was meant) cannot, and says so; when the others
 * see each other, or when its folder is on a local disk where theirs is on a network file
 * system, the problem is its own, not theirs.
 */
export const MARKER_FOLDER = '.shoal-nodes';

const safeName = (node: string) => node.replace(/[^A-Za-z0-9_.-]/g, '_');
export const markerPath = (folder: string, node: string): string => path.join(folder, MARKER_FOLDER, `${safeName(node)}.marker`);
export const markerContent = (node: string, nonce: string): string => `${node}\n${nonce}\n`;

export const newStorageNonce = (): string => crypto.randomBytes(16).toString('hex');

/**
 * Writes (atomically: temp then rename) this node's marker into every storage folder; returns
 * the failures. The storage folder itself is never created here: a share that is not mounted
 * must not be papered over by a local folder of the same name.
 */
export async function writeMarkers(paths: StoragePaths, node: string, nonce: string, fs: StorageFs = storageFs): Promise<string[]> {
  const failed: string[] = [];
  for (const kind of STORAGE_KINDS) {
    const file = markerPath(paths[kind], node);
    try {
      await fs.mkdir(path.dirname(file), false).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
      });
      await fs.writeFileAtomic(file, markerContent(node, nonce));
    } catch (err) {
      failed.push(`${kind}: cannot write this node's marker in ${paths[kind]}: ${(err as Error).message}`);
    }
  }
  return failed;
}

interface Peer {
  name: string;
  nonce: string;
  fileSystems: Partial<Record<StorageKind, string>>;
}

/**
 * Checks each folder (exists, a folder, writable) and which online nodes' markers this node
 * sees there. Nodes without a nonce (not yet started) are skipped.
 */
export async function verifySharedStorage(shoal: ShoalDb, paths: StoragePaths, self: string, fs: StorageFs = storageFs): Promise<StoredStorageStatus> {
  const fileSystems: Partial<Record<StorageKind, string>> = {};
  const peers: Peer[] = (await listNodes(shoal))
    .filter((n) => n.storage_nonce && (n.name === self || !nodeIsOffline(n)))
    .map((n) => ({ name: n.name, nonce: n.storage_nonce!, fileSystems: reportedFileSystems(n.storage_status) }));
  // Kinds in parallel: on a share that stalls, the check ends after one deadline, not five.
  const perKind = await Promise.all(
    STORAGE_KINDS.map(async (kind): Promise<string[]> => {
      const folder = paths[kind];
      const check = await checkStoragePath(kind, folder, fs);
      if (!check.ok) return [`${kind}: ${folder} — ${check.problem}`];
      const here = await fs.statfs(folder).then((s) => fileSystemName(s.type)).catch(() => undefined);
      if (here) fileSystems[kind] = here;
      const found: string[] = [];
      const unseen: { name: string; why: string }[] = [];
      for (const n of peers) {
        const content = await fs.readTextIfExists(markerPath(folder, n.name)).catch(() => undefined);
        if (content === markerContent(n.name, n.nonce)) continue;
        if (n.name === self) found.push(`${kind}: this node cannot read back its own marker in ${folder}.`);
        else unseen.push({ name: n.name, why: content === undefined ? 'no marker' : 'a different marker' });
      }
      if (unseen.length && !othersAreAtFault(kind, here, peers.length, unseen, peers)) found.push(notSharedProblem(kind, folder, here, unseen, peers));
      return found;
    }),
  );
  const problems = perKind.flat();
  return { ok: problems.length === 0, checkedAt: new Date().toISOString(), problems, fileSystems };
}

/**
 * Whether the nodes this one cannot see are the ones that do not share the folder: this
 * node sees more than half of the online nodes (the unseen ones are the minority), or, in
 * a tie, its folder is on a network file system and theirs all on local disks.
 */
function othersAreAtFault(kind: StorageKind, here: string | undefined, online: number, unseen: { name: string }[], peers: Peer[]): boolean {
  const seen = online - unseen.length;
  if (seen * 2 > online) return true;
  if (seen * 2 < online) return false;
  const theirs = unseen.map((u) => peers.find((p) => p.name === u.name)?.fileSystems[kind]);
  return here !== undefined && isNetworkFileSystem(here) && theirs.every((t) => t !== undefined && !isNetworkFileSystem(t));
}

function notSharedProblem(kind: StorageKind, folder: string, here: string | undefined, unseen: { name: string; why: string }[], peers: Peer[]): string {
  const list = unseen.map((u) => `${u.name} (${u.why})`).join(', ');
  let text = `${kind}: ${folder} is not the folder ${list} ${unseen.length > 1 ? 'use' : 'uses'}: this node does not share ${kind} storage with ${unseen.length > 1 ? 'them' : 'it'}.`;
  const network = unseen.map((u) => ({ name: u.name, fs: peers.find((p) => p.name === u.name)?.fileSystems[kind] })).find((t) => t.fs && isNetworkFileSystem(t.fs));
  if (here && !isNetworkFileSystem(here) && network) {
    text += ` Here the folder is on a local file system (${here}), on ${network.name} on a network share (${network.fs}): the share is probably not mounted on this node.`;
  }
  return text;
}
