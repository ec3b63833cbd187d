import crypto from 'node:crypto';
import path from 'node:path';
import type { Logger } from 'pino';
import { storageFs, type StorageFs } from './storageFs.js';

/**
 * What a storage folder's file system does, found by trying it once per path: shares differ
 * (sshfs without the OpenSSH extensions and SMB refuse hard links and renames over an
 * existing name; some NFS exports refuse hard links).
 */
export interface ShareCapabilities {
  /** link(2) works, and fails with EEXIST when the new name exists. */
  hardLinks: boolean;
  /** rename(2) replaces an existing target atomically (POSIX); otherwise it refuses. */
  renameReplaces: boolean;
}

/** The strongest safe way to publish a file under its final name, given the capabilities. */
export type PublishMethod = 'hard-link' | 'rename';

export const publishMethod = (c: ShareCapabilities): PublishMethod => (c.hardLinks ? 'hard-link' : 'rename');

export function describeCapabilities(folder: string, c: ShareCapabilities): string {
  const publish = c.hardLinks
    ? 'publishing new files with a hard link (exclusive: a name taken by another node is refused)'
    : 'publishing new files by rename after the database has decided which upload wins (the share has no hard links)';
  const replace = c.renameReplaces ? 'replacing by rename over the old file' : 'replacing by moving the old file aside first (the share does not rename over a file)';
  return `${folder}: ${publish}; ${replace}`;
}

async function probe(folder: string, fs: StorageFs): Promise<ShareCapabilities> {
  const base = path.join(folder, `.shoal-probe-${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
  const [a, b, c] = [`${base}.a`, `${base}.b`, `${base}.c`];
  try {
    await fs.writeNewFile(a, 'a');
    await fs.writeNewFile(b, 'b');
    const hardLinks = await fs.link(a, c).then(
      async () => fs.link(a, b).then(
        () => false, // linked over an existing name: not exclusive, so useless for publishing
        (err: NodeJS.ErrnoException) => err.code === 'EEXIST',
      ),
      () => false,
    );
    const renameReplaces = await fs.rename(a, b).then(
      async () => (await fs.readTextIfExists(b)) === 'a',
      () => false,
    );
    return { hardLinks, renameReplaces };
  } finally {
    await Promise.all([a, b, c].map((f) => fs.rm(f).catch(() => {})));
  }
}

const known = new Map<string, Promise<ShareCapabilities>>();

/**
 * The folder's capabilities, probed once per path (again after a failed probe) and logged.
 * A share that cannot be probed gets the most cautious answer for this call.
 */
export function shareCapabilities(folder: string, logger?: Logger, fs: StorageFs = storageFs): Promise<ShareCapabilities> {
  let found = known.get(folder);
  if (!found) {
    found = probe(folder, fs).then(
      (c) => {
        logger?.info({ folder, ...c, method: publishMethod(c) }, describeCapabilities(folder, c));
        return c;
      },
      (err: unknown) => {
        known.delete(folder);
        throw err;
      },
    );
    known.set(folder, found);
  }
  return found;
}
