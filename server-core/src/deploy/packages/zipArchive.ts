import type { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import yauzl from 'yauzl';
import type { ArchiveEntry } from './safeExtractor.js';

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/** NuGet's own bookkeeping in a .nupkg, not part of what is deployed. */
const NUPKG_METADATA = /^(\[Content_Types\]\.xml|_rels\/.*|package\/.*|[^/]+\.nuspec)$/i;

interface ZipEntry extends ArchiveEntry {
  raw: yauzl.Entry;
}

/** Reads a zip's central directory, then hands out each entry's content on request. */
export async function openZip(file: string, nupkg: boolean) {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, autoClose: false, decodeStrings: true, validateEntrySizes: true }, (err, z) => (err ? reject(err) : resolve(z!))),
  );
  const entries: ZipEntry[] = [];
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (raw: yauzl.Entry) => {
      const mode = (raw.externalFileAttributes >>> 16) & 0xffff;
      const name = raw.fileName;
      if (!(nupkg && NUPKG_METADATA.test(name.replace(/\\/g, '/')))) {
        const type = name.endsWith('/') ? 'directory' : (mode & S_IFMT) === S_IFLNK ? 'symlink' : 'file';
        entries.push({ name, type, mode, raw });
      }
      zip.readEntry();
    });
    zip.once('end', resolve);
    zip.once('error', reject);
    zip.readEntry();
  });
  const open = (e: ZipEntry) => new Promise<Readable>((resolve, reject) => zip.openReadStream(e.raw, (err, s) => (err ? reject(err) : resolve(s!))));
  // A symlink's target is its content.
  for (const e of entries) if (e.type === 'symlink') e.linkTarget = await text(await open(e));
  return { entries, open, close: () => zip.close() };
}
