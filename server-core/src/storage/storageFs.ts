import type fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { storageGate, type StorageGate } from './storageIo.js';

/**
 * The file-system calls Shoal makes on storage paths, each through the storage gate (a slot
 * and a deadline). Reads go by file name: nothing here trusts a directory listing.
 */
export class StorageFs {
  constructor(readonly gate: StorageGate = storageGate) {}

  stat(p: string): Promise<fs.Stats> {
    return this.gate.run(`stat ${p}`, () => fsp.stat(p));
  }
  realpath(p: string): Promise<string> {
    return this.gate.run(`resolve ${p}`, () => fsp.realpath(p));
  }
  statfs(p: string): Promise<fs.StatsFs> {
    return this.gate.run(`statfs ${p}`, () => fsp.statfs(p));
  }
  mkdir(p: string): Promise<void> {
    return this.gate.run(`mkdir ${p}`, async () => void (await fsp.mkdir(p, { recursive: true })));
  }
  readFile(p: string): Promise<Buffer> {
    return this.gate.run(`read ${p}`, () => fsp.readFile(p));
  }
  /** The file's text, or undefined when it does not exist. */
  async readTextIfExists(p: string): Promise<string | undefined> {
    try {
      return (await this.readFile(p)).toString('utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }
  async exists(p: string): Promise<boolean> {
    try {
      await this.stat(p);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }
  rm(p: string, recursive = false): Promise<void> {
    return this.gate.run(`remove ${p}`, () => fsp.rm(p, { force: true, recursive }));
  }
  rename(from: string, to: string): Promise<void> {
    return this.gate.run(`rename ${from}`, () => fsp.rename(from, to));
  }
  link(from: string, to: string): Promise<void> {
    return this.gate.run(`link ${to}`, () => fsp.link(from, to));
  }
  open(p: string, flags: string): Promise<fsp.FileHandle> {
    return this.gate.run(`open ${p}`, () => fsp.open(p, flags));
  }
  readdir(p: string): Promise<fs.Dirent[]> {
    return this.gate.run(`list ${p}`, () => fsp.readdir(p, { withFileTypes: true }));
  }
  /** Writes a whole file under a temporary name, flushes it, then renames it into place. */
  async writeFileAtomic(p: string, data: string | Buffer): Promise<void> {
    const temp = path.join(path.dirname(p), `.${path.basename(p)}.${process.pid}.${Date.now()}.tmp`);
    try {
      await this.gate.run(`write ${temp}`, async () => {
        const fh = await fsp.open(temp, 'w');
        try {
          await fh.writeFile(data);
          await fh.sync();
        } finally {
          await fh.close();
        }
      });
      await this.rename(temp, p);
    } catch (err) {
      await this.rm(temp).catch(() => {});
      throw err;
    }
  }
}

export const storageFs = new StorageFs();
