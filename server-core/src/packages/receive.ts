import crypto from 'node:crypto';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { ShoalDb } from '../db/dialects/dialect.js';
import { shareCapabilities, type ShareCapabilities } from '../storage/shareCapabilities.js';
import { storageFs, type StorageFile } from '../storage/storageFs.js';
import type { PackageFileName } from './fileName.js';
import { PARTIAL_SUFFIX, spaceFolder } from './packageFiles.js';
import { findPackage, insertPackage, upsertPackage, type NewPackage, type PackageRow } from './records.js';
import { isUniqueViolation } from './uniqueViolation.js';

export class PackageExistsError extends Error {}

/** The packages folder has no room for the upload (ENOSPC, or the user's quota). */
export class StorageFullError extends Error {}

export interface ReceiveOptions {
  shoal: ShoalDb;
  packagesRoot: string;
  spaceId: string;
  name: PackageFileName;
  /** The file's bytes; an error or premature end means the upload was not complete. */
  source: Readable;
  replace: boolean;
  publishedBy: string | null;
  /** What the packages folder supports; probed once per path when not given. */
  capabilities?: ShareCapabilities;
}

export interface Received {
  row: PackageRow;
  replaced: boolean;
}

/** Bytes written per write(2); larger than a socket read so the disk sees fewer, bigger writes. */
const WRITE_CHUNK = 1024 * 1024;

/**
 * Streams a package to a hidden temporary file in its space's folder (constant memory,
 * backpressure from the disk reaches the socket), hashing on the way, flushes it to disk,
 * then publishes it under its final name in the strongest way the share allows. A half
 * file is never visible under that name, and every failure removes the temporary file.
 */
export async function receivePackage(o: ReceiveOptions): Promise<Received> {
  const dir = spaceFolder(o.packagesRoot, o.spaceId);
  const capabilities = o.capabilities ?? (await shareCapabilities(o.packagesRoot));
  await storageFs.mkdir(dir);
  const temp = path.join(dir, `.${crypto.randomBytes(9).toString('hex')}${PARTIAL_SUFFIX}`);
  const hash = crypto.createHash('sha256');
  let size = 0;
  try {
    const file = await storageFs.open(temp, 'wx');
    try {
      await writeAll(o.source, file, (chunk) => {
        hash.update(chunk);
        size += chunk.length;
      });
      await file.sync();
    } finally {
      await file.close();
    }
    const sha256 = hash.digest('hex');
    const record = { spaceId: o.spaceId, name: o.name, sizeBytes: size, sha256, publishedBy: o.publishedBy };
    const final = path.join(dir, o.name.fileName);
    if (o.replace) return await publishReplacing(o, record, temp, final, dir, capabilities);
    return capabilities.hardLinks ? await publishByLink(o, record, temp, final) : await publishByRename(o, record, temp, final);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC' || code === 'EDQUOT') {
      throw new StorageFullError(`The packages storage is full at ${o.packagesRoot}: the upload did not fit, and nothing was stored.`, { cause: err });
    }
    throw err;
  } finally {
    await storageFs.rm(temp).catch(() => {});
  }
}

/** Copies the source to the file in ~1 MiB writes on the storage pool; a slow disk slows the socket. */
async function writeAll(source: Readable, file: StorageFile, onChunk: (chunk: Buffer) => void): Promise<void> {
  let batch: Buffer[] = [];
  let batched = 0;
  for await (const chunk of source as AsyncIterable<Buffer>) {
    onChunk(chunk);
    batch.push(chunk);
    batched += chunk.length;
    if (batched >= WRITE_CHUNK) {
      await file.write(Buffer.concat(batch, batched));
      batch = [];
      batched = 0;
    }
  }
  if (batched) await file.write(Buffer.concat(batch, batched));
}

/**
 * Exclusive publish where the share has hard links: a link to the final name fails when any
 * file holds that name, so of two uploads of one file name exactly one gets it (on any
 * node); the unique index on (space, id, version) decides between different names of one
 * version (Foo.1.0.0.zip and Foo.1.0.0.nupkg). The loser removes only what it created.
 */
async function publishByLink(o: ReceiveOptions, record: NewPackage, temp: string, final: string): Promise<Received> {
  try {
    await storageFs.link(temp, final);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw exists(o);
    throw err;
  }
  try {
    return { row: await insertPackage(o.shoal, record), replaced: false };
  } catch (err) {
    await storageFs.rm(final).catch(() => {});
    throw isUniqueViolation(err) ? exists(o) : err;
  }
}

/**
 * Publish without hard links: the database decides first (its unique index lets one upload
 * of a version in, whichever node it reached), then the winner renames its file in. A
 * name already on disk without a record (put there by hand) is refused, not overwritten.
 */
async function publishByRename(o: ReceiveOptions, record: NewPackage, temp: string, final: string): Promise<Received> {
  let row: PackageRow;
  try {
    row = await insertPackage(o.shoal, record);
  } catch (err) {
    throw isUniqueViolation(err) ? exists(o) : err;
  }
  try {
    if (await storageFs.exists(final)) throw exists(o);
    await storageFs.rename(temp, final);
    return { row, replaced: false };
  } catch (err) {
    await o.shoal.db.deleteFrom('packages').where('id', '=', row.id).execute();
    throw err;
  }
}

/**
 * Replacing publish: the row of that version is updated (and so locked) inside a
 * transaction and the file moved in inside it, so concurrent replacements take turns and
 * the record always describes the file under the name. Where the share will not rename
 * over a file, the old one is moved aside first (the name is briefly absent, never half).
 */
async function publishReplacing(o: ReceiveOptions, record: NewPackage, temp: string, final: string, dir: string, c: ShareCapabilities): Promise<Received> {
  for (let attempt = 0; ; attempt++) {
    try {
      const before = await o.shoal.db.transaction().execute(async (trx) => {
        const old = await upsertPackage(trx, o.shoal, record);
        await moveIntoPlace(temp, final, c);
        return old;
      });
      // A version replaced under another name (Foo.1.0.0.zip by Foo.1.0.0.nupkg): drop the old file.
      if (before && before.file_name !== o.name.fileName) await storageFs.rm(path.join(dir, before.file_name));
      const row = await findPackage(o.shoal, o.spaceId, o.name.packageKey, o.name.versionKey);
      return { row: row!, replaced: !!before };
    } catch (err) {
      // Two first uploads raced to insert: the loser now updates the winner's row.
      if (isUniqueViolation(err) && attempt < 3) continue;
      throw err;
    }
  }
}

async function moveIntoPlace(temp: string, final: string, c: ShareCapabilities): Promise<void> {
  if (c.renameReplaces) return storageFs.rename(temp, final);
  const aside = `${path.join(path.dirname(final), `.${path.basename(final)}.${crypto.randomBytes(6).toString('hex')}`)}${PARTIAL_SUFFIX}`;
  const moved = await storageFs.rename(final, aside).then(
    () => true,
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return false;
      throw err;
    },
  );
  try {
    await storageFs.rename(temp, final);
  } catch (err) {
    if (moved) await storageFs.rename(aside, final).catch(() => {});
    throw err;
  }
  if (moved) await storageFs.rm(aside).catch(() => {});
}

/** What the API says when an upload would overwrite a version without ?replace=true. */
export const alreadyExistsMessage = (name: PackageFileName, spaceId: string): string =>
  `Package ${name.packageId} version ${name.version.text} already exists in ${spaceId}. Add ?replace=true to replace it.`;

const exists = (o: ReceiveOptions) => new PackageExistsError(alreadyExistsMessage(o.name, o.spaceId));
