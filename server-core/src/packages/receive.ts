import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ShoalDb } from '../db/dialects/dialect.js';
import type { PackageFileName } from './fileName.js';
import { PARTIAL_SUFFIX, spaceFolder } from './packageFiles.js';
import { findPackage, insertPackage, upsertPackage, type PackageRow } from './records.js';
import { isUniqueViolation } from './uniqueViolation.js';

export class PackageExistsError extends Error {}

export interface ReceiveOptions {
  shoal: ShoalDb;
  packagesRoot: string;
  spaceId: string;
  name: PackageFileName;
  /** The file's bytes; an error or premature end means the upload was not complete. */
  source: Readable;
  replace: boolean;
  publishedBy: string | null;
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
 * then publishes it under its final name. A half file is never visible under that name,
 * and every failure removes the temporary file.
 */
export async function receivePackage(o: ReceiveOptions): Promise<Received> {
  const dir = spaceFolder(o.packagesRoot, o.spaceId);
  await fsp.mkdir(dir, { recursive: true });
  const temp = path.join(dir, `.${crypto.randomBytes(9).toString('hex')}${PARTIAL_SUFFIX}`);
  const hash = crypto.createHash('sha256');
  let size = 0;
  try {
    await pipeline(
      o.source,
      async function* (chunks: AsyncIterable<Buffer>) {
        // Coalesce socket-sized chunks into ~1 MiB writes.
        let batch: Buffer[] = [];
        let batched = 0;
        for await (const chunk of chunks) {
          hash.update(chunk);
          size += chunk.length;
          batch.push(chunk);
          batched += chunk.length;
          if (batched >= WRITE_CHUNK) {
            yield batch.length === 1 ? batch[0]! : Buffer.concat(batch, batched);
            batch = [];
            batched = 0;
          }
        }
        if (batched) yield Buffer.concat(batch, batched);
      },
      fs.createWriteStream(temp, { flags: 'wx', highWaterMark: WRITE_CHUNK }),
    );
    const fh = await fsp.open(temp, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    const sha256 = hash.digest('hex');
    const record = { spaceId: o.spaceId, name: o.name, sizeBytes: size, sha256, publishedBy: o.publishedBy };
    const final = path.join(dir, o.name.fileName);
    return o.replace ? await publishReplacing(o, record, temp, final, dir) : await publishNew(o, record, temp, final);
  } finally {
    await fsp.rm(temp, { force: true });
  }
}

/**
 * Exclusive publish: a hard link to the final name fails when any file holds that name,
 * so of two uploads of one file name exactly one gets it; the unique index on
 * (space, id, version) decides between different names of one version (Foo.1.0.0.zip and
 * Foo.1.0.0.nupkg). The loser removes only what it created.
 */
async function publishNew(o: ReceiveOptions, record: Parameters<typeof insertPackage>[1], temp: string, final: string): Promise<Received> {
  let linked = false;
  try {
    await fsp.link(temp, final);
    linked = true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw exists(o);
    // Some shares cannot hard-link: let the database decide first, then move the file in.
    if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV', 'EACCES', 'EINVAL'].includes(code ?? '')) throw err;
  }
  if (linked) {
    try {
      return { row: await insertPackage(o.shoal, record), replaced: false };
    } catch (err) {
      await fsp.rm(final, { force: true });
      throw isUniqueViolation(err) ? exists(o) : err;
    }
  }
  let row: PackageRow;
  try {
    row = await insertPackage(o.shoal, record);
  } catch (err) {
    throw isUniqueViolation(err) ? exists(o) : err;
  }
  try {
    if (fs.existsSync(final)) throw exists(o);
    await fsp.rename(temp, final);
    return { row, replaced: false };
  } catch (err) {
    await o.shoal.db.deleteFrom('packages').where('id', '=', row.id).execute();
    throw err;
  }
}

/**
 * Replacing publish: the row of that version is updated (and so locked) inside a
 * transaction, the file renamed over the old one inside it, so concurrent replacements take
 * turns and the record always describes the file under the name.
 */
async function publishReplacing(o: ReceiveOptions, record: Parameters<typeof insertPackage>[1], temp: string, final: string, dir: string): Promise<Received> {
  for (let attempt = 0; ; attempt++) {
    try {
      const before = await o.shoal.db.transaction().execute(async (trx) => {
        const old = await upsertPackage(trx, o.shoal, record);
        await fsp.rename(temp, final);
        return old;
      });
      // A version replaced under another name (Foo.1.0.0.zip by Foo.1.0.0.nupkg): drop the old file.
      if (before && before.file_name !== o.name.fileName) await fsp.rm(path.join(dir, before.file_name), { force: true });
      const row = await findPackage(o.shoal, o.spaceId, o.name.packageKey, o.name.versionKey);
      return { row: row!, replaced: !!before };
    } catch (err) {
      // Two first uploads raced to insert: the loser now updates the winner's row.
      if (isUniqueViolation(err) && attempt < 3) continue;
      throw err;
    }
  }
}

/** What the API says when an upload would overwrite a version without ?replace=true. */
export const alreadyExistsMessage = (name: PackageFileName, spaceId: string): string =>
  `Package ${name.packageId} version ${name.version.text} already exists in ${spaceId}. Add ?replace=true to replace it.`;

const exists = (o: ReceiveOptions) => new PackageExistsError(alreadyExistsMessage(o.name, o.spaceId));
