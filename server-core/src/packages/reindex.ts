import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ShoalDb } from '../db/dialects/dialect.js';
import { PackageNameError, parsePackageFileName, type PackageFileName } from './fileName.js';
import { isPartialName, spaceFolder } from './packageFiles.js';
import { allPackagesOfSpace, insertPackage, type PackageRow } from './records.js';
import { listSpaceIds } from './spaces.js';
import { storageFs } from '../storage/storageFs.js';
import { isUniqueViolation } from './uniqueViolation.js';

export interface ReindexLog {
  info(text: string): void;
  error(text: string): void;
}

export interface ReindexResult {
  added: number;
  removed: number;
  updated: number;
  unchanged: number;
  ignored: number;
}

/** Upload leftovers older than this belong to no upload still running. */
const STALE_PARTIAL_MS = 24 * 3600 * 1000;

async function hashFile(file: string, signal?: AbortSignal): Promise<{ sha256: string; size: number }> {
  const hash = crypto.createHash('sha256');
  let size = 0;
  await pipeline(
    fs.createReadStream(file, { highWaterMark: 1024 * 1024 }),
    async function (chunks: AsyncIterable<Buffer>) {
      for await (const c of chunks) {
        hash.update(c);
        size += c.length;
      }
    },
    { signal },
  );
  return { sha256: hash.digest('hex'), size };
}

/**
 * Brings the package index in line with the files in each space's folder: files added by
 * hand are indexed (hashed), records whose file is gone are removed, records whose file
 * changed size are re-hashed. Every difference is logged.
 */
export async function reindexPackages(shoal: ShoalDb, packagesRoot: string, log: ReindexLog, signal?: AbortSignal): Promise<ReindexResult> {
  const result: ReindexResult = { added: 0, removed: 0, updated: 0, unchanged: 0, ignored: 0 };
  for (const spaceId of await listSpaceIds(shoal)) {
    signal?.throwIfAborted();
    const folder = spaceFolder(packagesRoot, spaceId);
    await fsp.mkdir(folder, { recursive: true });
    const rows = await allPackagesOfSpace(shoal, spaceId);
    const byFile = new Map(rows.map((r) => [r.file_name, r]));
    const byKey = new Map(rows.map((r) => [`${r.package_key}@${r.version_key}`, r]));
    const onDisk = new Set<string>();
    log.info(`Space ${spaceId}: ${folder} (${rows.length} package version(s) in the index)`);

    for (const entry of await fsp.readdir(folder, { withFileTypes: true })) {
      signal?.throwIfAborted();
      const file = path.join(folder, entry.name);
      if (isPartialName(entry.name)) {
        const age = Date.now() - (await fsp.stat(file)).mtimeMs;
        if (age > STALE_PARTIAL_MS) {
          await fsp.rm(file, { force: true });
          log.info(`Removed ${entry.name}: an unfinished upload left over for ${Math.round(age / 3600000)} hours.`);
        }
        continue;
      }
      if (entry.name.startsWith('.') || !entry.isFile()) continue;
      let name: PackageFileName;
      try {
        name = parsePackageFileName(entry.name);
      } catch (err) {
        if (!(err instanceof PackageNameError)) throw err;
        result.ignored++;
        log.info(`Ignored ${entry.name}: ${err.message}`);
        continue;
      }
      onDisk.add(entry.name);
      const key = `${name.packageKey}@${name.versionKey}`;
      const row = byFile.get(entry.name);
      const size = (await fsp.stat(file)).size;
      if (row) {
        if (row.size_bytes === size) {
          result.unchanged++;
          continue;
        }
        const h = await hashFile(file, signal);
        await shoal.db.updateTable('packages').set({ size_bytes: h.size, sha256: h.sha256 }).where('id', '=', row.id).execute();
        result.updated++;
        log.info(`Updated ${entry.name}: its size changed from ${row.size_bytes} to ${h.size} bytes; re-hashed.`);
        continue;
      }
      const other = byKey.get(key);
      if (other && (await storageFs.exists(path.join(folder, other.file_name)))) {
        result.ignored++;
        log.info(`Ignored ${entry.name}: ${name.packageId} ${name.version.text} is already indexed as ${other.file_name}.`);
        continue;
      }
      const h = await hashFile(file, signal);
      if (other) {
        await shoal.db
          .updateTable('packages')
          .set({ file_name: entry.name, file_extension: name.extension, version: name.version.text, package_id: name.packageId, size_bytes: h.size, sha256: h.sha256 })
          .where('id', '=', other.id)
          .execute();
        byFile.set(entry.name, other);
        onDisk.add(other.file_name);
        result.updated++;
        log.info(`Updated ${name.packageId} ${name.version.text}: its file is now ${entry.name} (was ${other.file_name}).`);
        continue;
      }
      try {
        const added = await insertPackage(shoal, { spaceId, name, sizeBytes: h.size, sha256: h.sha256, publishedBy: null });
        byKey.set(key, added);
        result.added++;
        log.info(`Added ${entry.name}: ${name.packageId} ${name.version.text}, ${h.size} bytes, sha256 ${h.sha256}.`);
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        result.ignored++;
        log.info(`Ignored ${entry.name}: ${name.packageId} ${name.version.text} was indexed meanwhile (an upload).`);
      }
    }

    // The listing may be stale on a share (sshfs keeps one for 20 s): a file counts as gone only when its name is.
    const gone: PackageRow[] = [];
    for (const r of rows) if (!onDisk.has(r.file_name) && !(await storageFs.exists(path.join(folder, r.file_name)))) gone.push(r);
    for (const r of gone) {
      await shoal.db.deleteFrom('packages').where('id', '=', r.id).execute();
      result.removed++;
      log.info(`Removed ${r.package_id} ${r.version} from the index: ${r.file_name} is no longer in the folder.`);
    }
  }
  log.info(
    `Re-index done: ${result.added} added, ${result.removed} removed, ${result.updated} updated, ${result.unchanged} unchanged, ${result.ignored} ignored.`,
  );
  return result;
}
