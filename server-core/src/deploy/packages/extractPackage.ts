import type { Readable } from 'node:stream';
import { checkEntries, SafeExtractor, type ArchiveEntry } from './safeExtractor.js';

async function write(x: SafeExtractor, e: ArchiveEntry, content: () => Promise<Readable> | Readable): Promise<void> {
  if (e.type === 'directory') x.directory(e.name);
  else if (e.type === 'symlink') x.symlink(e.name, e.linkTarget!);
  else await x.file(e.name, await content(), e.mode);
}

/**
 * Extracts a package (.zip, .nupkg, .tar.gz, .tgz) into `folder`. The whole listing is
 * checked first (nothing escapes the folder, no symlink points out of it), so a refused
 * package writes nothing. Returns how many files were written.
 */
export async function extractPackage(file: string, extension: string, folder: string): Promise<number> {
  // The archive libraries load on first use: every `shoal` command imports the node's modules.
  if (extension === '.zip' || extension === '.nupkg') {
    const { openZip } = await import('./zipArchive.js');
    const zip = await openZip(file, extension === '.nupkg');
    try {
      checkEntries(zip.entries);
      const x = new SafeExtractor(folder);
      for (const e of zip.entries) await write(x, e, () => zip.open(e as Parameters<typeof zip.open>[0]));
      return x.files;
    } finally {
      zip.close();
    }
  }
  const { listTar, readTar } = await import('./tarArchive.js');
  checkEntries(await listTar(file));
  const x = new SafeExtractor(folder);
  await readTar(file, async (e, content) => {
    if (e.type !== 'file') content.resume();
    await write(x, e, () => content as unknown as Readable);
  });
  return x.files;
}
