import fs from 'node:fs';
import { Parser, type ReadEntry } from 'tar';
import { UnsafeEntryError, type ArchiveEntry, type EntryType } from './safeExtractor.js';

const TYPES: Record<string, EntryType> = { File: 'file', OldFile: 'file', ContiguousFile: 'file', Directory: 'directory', SymbolicLink: 'symlink' };

/** Runs `onEntry` for each entry of a .tar.gz/.tgz (or plain tar), in order. */
async function eachEntry(file: string, onEntry: (e: ReadEntry) => Promise<void> | void): Promise<void> {
  const parser = new Parser();
  const pending: Promise<void>[] = [];
  let failure: unknown;
  parser.on('entry', (e: ReadEntry) => {
    const p = Promise.resolve()
      .then(() => onEntry(e))
      .catch((err) => {
        failure ??= err;
        e.resume();
      });
    pending.push(p);
  });
  await new Promise<void>((resolve, reject) => {
    parser.on('end', resolve);
    parser.on('error', reject);
    const input = fs.createReadStream(file);
    input.on('error', reject);
    input.pipe(parser as unknown as NodeJS.WritableStream);
  });
  await Promise.all(pending);
  if (failure) throw failure;
}

const typeOf = (e: ReadEntry): EntryType => {
  const t = TYPES[e.type];
  if (!t) throw new UnsafeEntryError(`The entry ${JSON.stringify(e.path)} is a ${e.type}; packages hold files, folders and symlinks only.`);
  return t;
};

/** The listing of a tarball, read once before anything is written. */
export async function listTar(file: string): Promise<ArchiveEntry[]> {
  const out: ArchiveEntry[] = [];
  await eachEntry(file, (e) => {
    out.push({ name: e.path, type: typeOf(e), linkTarget: e.linkpath, mode: e.mode });
    e.resume();
  });
  return out;
}

/** Reads the tarball again, handing each entry's content to `write`. */
export async function readTar(file: string, write: (entry: ArchiveEntry, content: ReadEntry) => Promise<void>): Promise<void> {
  await eachEntry(file, async (e) => {
    await write({ name: e.path, type: typeOf(e), linkTarget: e.linkpath, mode: e.mode }, e);
  });
}
