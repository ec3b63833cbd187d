import path from 'node:path';
import { storagePool, type StoragePool } from './storageIo.js';

/** What a stat of a storage file tells. */
export interface StorageStat {
  size: number;
  mtimeMs: number;
  isFile: boolean;
  isDirectory: boolean;
  dev: number;
}

export interface StorageStatFs {
  /** The file system's magic number (statfs f_type). */
  type: number;
  bsize: number;
  blocks: number;
  bavail: number;
}

export interface StorageDirEntry {
  name: string;
  isFile: boolean;
  isDirectory: boolean;
}

/** An open file on storage; every call goes through the pool. */
export class StorageFile {
  constructor(
    private readonly pool: StoragePool,
    readonly path: string,
    readonly fd: number,
  ) {}

  /** Up to `length` bytes from `position` (fewer at the end; none past it). */
  read(length: number, position: number): Promise<Buffer> {
    return this.pool.call<Uint8Array>(`read ${this.path}`, 'read', [this.fd, length, position]).then((u) => Buffer.from(u.buffer, u.byteOffset, u.byteLength));
  }
  /**
   * Writes all of `data` at the file's position (the end, when opened to append). Bytes
   * that own their whole memory are handed to the worker, not copied: do not use them after.
   */
  write(data: Uint8Array): Promise<void> {
    return this.pool.call(`write ${this.path}`, 'write', [this.fd, data], { transfer: handedOver(data) });
  }
  /**
   * Writes `data` (when given), flushes it to disk with `sync`, and closes the file, in one
   * call. When it fails the file is cut back to `size` and closed all the same.
   */
  appendClose(data: Uint8Array | null, size: number, sync: boolean): Promise<void> {
    return this.pool.call(`write ${this.path}`, 'appendClose', [this.fd, data, size, sync], { transfer: data ? handedOver(data) : [] });
  }
  stat(): Promise<StorageStat> {
    return this.pool.call(`stat ${this.path}`, 'fstat', [this.fd]);
  }
  sync(): Promise<void> {
    return this.pool.call(`flush ${this.path}`, 'fsync', [this.fd]);
  }
  truncate(length: number): Promise<void> {
    return this.pool.call(`truncate ${this.path}`, 'ftruncate', [this.fd, length]);
  }
  close(): Promise<void> {
    return this.pool.call(`close ${this.path}`, 'close', [this.fd]);
  }
}

/** The memory to hand to the worker rather than copy: only bytes that own all of it. */
function handedOver(data: Uint8Array): ArrayBuffer[] {
  const own = data.byteOffset === 0 && data.buffer.byteLength === data.byteLength && data.buffer instanceof ArrayBuffer;
  return own ? [data.buffer as ArrayBuffer] : [];
}

const errno = (err: unknown) => (err as NodeJS.ErrnoException).code;

/**
 * The file-system calls Shoal makes on storage paths, each on the storage pool (a worker
 * and a deadline). Reads go by file name: nothing here trusts a directory listing.
 */
export class StorageFs {
  constructor(readonly pool: StoragePool = storagePool) {}

  stat(p: string): Promise<StorageStat> {
    return this.pool.call(`stat ${p}`, 'stat', [p]);
  }
  realpath(p: string): Promise<string> {
    return this.pool.call(`resolve ${p}`, 'realpath', [p]);
  }
  statfs(p: string): Promise<StorageStatFs> {
    return this.pool.call(`statfs ${p}`, 'statfs', [p]);
  }
  /** The statfs of a folder this process may write in, in one call; fails when it may not (a read-only mount, even as root). */
  writableStatfs(p: string): Promise<StorageStatFs> {
    return this.pool.call(`check ${p}`, 'writableStatfs', [p]);
  }
  /** Makes the folder; with `parents`, the missing folders above it too. */
  mkdir(p: string, parents = true): Promise<void> {
    return this.pool.call(`mkdir ${p}`, 'mkdir', [p, parents]);
  }
  readFile(p: string): Promise<Buffer> {
    return this.pool.call<Uint8Array>(`read ${p}`, 'readFile', [p]).then((u) => Buffer.from(u.buffer, u.byteOffset, u.byteLength));
  }
  /** The file's text, or undefined when it does not exist. */
  async readTextIfExists(p: string): Promise<string | undefined> {
    try {
      return (await this.readFile(p)).toString('utf8');
    } catch (err) {
      if (errno(err) === 'ENOENT') return undefined;
      throw err;
    }
  }
  async exists(p: string): Promise<boolean> {
    try {
      await this.stat(p);
      return true;
    } catch (err) {
      if (errno(err) === 'ENOENT') return false;
      throw err;
    }
  }
  rm(p: string, recursive = false): Promise<void> {
    return this.pool.call(`remove ${p}`, 'rm', [p, recursive]);
  }
  rename(from: string, to: string): Promise<void> {
    return this.pool.call(`rename ${from}`, 'rename', [from, to]);
  }
  link(from: string, to: string): Promise<void> {
    return this.pool.call(`link ${to}`, 'link', [from, to]);
  }
  async open(p: string, flags: string): Promise<StorageFile> {
    return new StorageFile(this.pool, p, await this.pool.call<number>(`open ${p}`, 'open', [p, flags]));
  }
  /**
   * Opens `p` to append (made when missing) and writes `data`, in one call. Returns the
   * file and its size before the write; a write that fails is cut back and the file closed.
   */
  async appendOpen(p: string, data: Uint8Array): Promise<{ file: StorageFile; size: number }> {
    const { fd, size } = await this.pool.call<{ fd: number; size: number }>(`write ${p}`, 'appendOpen', [p, data], { transfer: handedOver(data) });
    return { file: new StorageFile(this.pool, p, fd), size };
  }
  /** Appends `data` to `p` (made when missing), flushed to disk with `sync`, in one call. */
  appendOnce(p: string, data: Uint8Array, sync: boolean): Promise<void> {
    return this.pool.call(`write ${p}`, 'appendOnce', [p, data, sync], { transfer: handedOver(data) });
  }
  /** The file when it exists, else undefined. */
  async openIfExists(p: string, flags = 'r'): Promise<StorageFile | undefined> {
    try {
      return await this.open(p, flags);
    } catch (err) {
      if (errno(err) === 'ENOENT') return undefined;
      throw err;
    }
  }
  readdir(p: string): Promise<StorageDirEntry[]> {
    return this.pool.call(`list ${p}`, 'readdir', [p]);
  }
  /** Writes a new file (`wx`: fails if the name exists), flushed to disk. */
  writeNewFile(p: string, data: string | Uint8Array): Promise<void> {
    return this.pool.call(`write ${p}`, 'writeFile', [p, data, 'wx']);
  }
  /** Writes a whole file under a temporary name, flushes it, then renames it into place. */
  async writeFileAtomic(p: string, data: string | Uint8Array): Promise<void> {
    const temp = path.join(path.dirname(p), `.${path.basename(p)}.${process.pid}.${Date.now()}.tmp`);
    try {
      await this.pool.call(`write ${temp}`, 'writeFile', [temp, data, 'w']);
      await this.rename(temp, p);
    } catch (err) {
      await this.rm(temp).catch(() => {});
      throw err;
    }
  }
}

export const storageFs = new StorageFs();
