import fs from 'node:fs';
import path from 'node:path';

/** Filesystems that are views of the kernel, not storage (statfs magic numbers). */
const PSEUDO_FILESYSTEMS: Record<number, string> = {
  0x9fa0: 'proc',
  0x62656572: 'sysfs',
  0x1cd1: 'devpts',
  0x27e0eb: 'cgroup',
  0x63677270: 'cgroup2',
  0x64626720: 'debugfs',
  0x73636673: 'securityfs',
  0x74726163: 'tracefs',
  0xcafe4a11: 'bpf',
};

const CAUSES: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the filesystem is read-only',
  ENOSPC: 'no space left on the device',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EEXIST: 'a file is in the way',
  ENOENT: 'a part of the path does not exist',
  ELOOP: 'too many symbolic links',
};

/** One line for an operator: the cause in words, the code in brackets. */
export const describeFsError = (err: unknown): string => {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  return CAUSES[code] ? `${CAUSES[code]} (${code})` : (err as Error).message;
};

export class DataDirError extends Error {}

/** The closest folder of `p` that exists (p itself when it does). */
function existingAncestor(p: string): string {
  let dir = p;
  while (!fs.existsSync(dir) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

/**
 * Makes sure the data dir can hold a node before anything else starts: created when
 * missing, a folder, on a real filesystem, writable. Each failure is one sentence naming
 * the path and the cause.
 */
export function prepareDataDir(dataDir: string): void {
  const dir = path.resolve(dataDir);
  try {
    const fsType = fs.statfsSync(existingAncestor(dir)).type;
    const pseudo = PSEUDO_FILESYSTEMS[fsType];
    if (pseudo) throw new DataDirError(`data dir ${dir} is on the ${pseudo} filesystem, which is not storage; choose a folder on a disk`);
  } catch (err) {
    if (err instanceof DataDirError) throw err;
    // statfs unsupported here: the checks below still apply
  }
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new DataDirError(`data dir ${dir} cannot be read: ${describeFsError(err)}`);
  }
  if (stat && !stat.isDirectory()) throw new DataDirError(`data dir ${dir} is not a folder (a file is in its place)`);
  if (!stat) {
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw new DataDirError(`data dir ${dir} is missing and cannot be created: ${describeFsError(err)}`);
    }
  }
  const probe = path.join(dir, `.shoal-write-check-${process.pid}`);
  try {
    fs.writeFileSync(probe, '');
    fs.rmSync(probe);
  } catch (err) {
    throw new DataDirError(`data dir ${dir} is not writable: ${describeFsError(err)}`);
  }
}
