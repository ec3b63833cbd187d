import fs from 'node:fs';
import path from 'node:path';
import { downloadVerified, sha256OfFile, type OpenAt } from './download.js';

export interface CacheLimits {
  /** Packages kept, most recently used first (default 10). */
  maxPackages: number;
  /** Bytes kept in all (default 5 GiB); the package just used is kept even when larger. */
  maxBytes: number;
}

export const DEFAULT_CACHE_LIMITS: CacheLimits = { maxPackages: 10, maxBytes: 5 * 1024 ** 3 };

const HASH = /^[0-9a-f]{64}$/;
const PARTIAL = '.partial';
/** A transfer broken this long ago is not resumed any more: its partial file is removed. */
const STALE_PARTIAL_MS = 24 * 3600_000;

/**
 * The agent's package cache: `<data dir>/packages/<sha256>`, one file per content hash, each
 * verified when it was stored and again when it is used. A package found here is not
 * transferred again. Bounded: after each download the least recently used packages go until
 * at most `maxPackages` and `maxBytes` remain.
 */
export class PackageCache {
  /** Per hash, the fetch under way: the next one for that hash waits for it (then finds the file, or resumes its partial one). */
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(readonly dir: string, private readonly limits: CacheLimits = DEFAULT_CACHE_LIMITS) {}

  fileOf(sha256: string): string {
    if (!HASH.test(sha256)) throw new Error(`${JSON.stringify(sha256)} is not a SHA-256 in lower-case hex`);
    return path.join(this.dir, sha256);
  }

  /**
   * The package's file, from the cache or downloaded through `open` (one download per hash at
   * a time in this agent); `received` is the bytes that came over the network (0 on a hit).
   * `signal` ends this fetch (its wait or its download); the partial file stays for the next.
   */
  async fetch(p: { sha256: string; sizeBytes: number }, open: OpenAt, say: (line: string) => void, signal?: AbortSignal): Promise<{ file: string; received: number }> {
    const before = this.inFlight.get(p.sha256);
    const job = (async () => {
      if (before) await before.catch(() => {});
      return this.fetchOnce(p, open, say, signal);
    })();
    const settled = job.catch(() => {});
    this.inFlight.set(p.sha256, settled);
    void settled.then(() => {
      if (this.inFlight.get(p.sha256) === settled) this.inFlight.delete(p.sha256);
    });
    return job;
  }

  private async fetchOnce(p: { sha256: string; sizeBytes: number }, open: OpenAt, say: (line: string) => void, signal?: AbortSignal): Promise<{ file: string; received: number }> {
    signal?.throwIfAborted();
    const file = this.fileOf(p.sha256);
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    if (fs.existsSync(file)) {
      if ((await sha256OfFile(file)) === p.sha256) {
        const now = new Date();
        fs.utimesSync(file, now, now);
        say(`package ${p.sha256} is in the agent's cache (${file}): nothing to transfer`);
        return { file, received: 0 };
      }
      say(`the cached copy of ${p.sha256} no longer matches its hash; downloading it again`);
      fs.rmSync(file, { force: true });
    }
    const partialFile = file + PARTIAL;
    say(`downloading package ${p.sha256} (${p.sizeBytes} bytes) from the cluster`);
    const stats = await downloadVerified({ open, partialFile, sha256: p.sha256, size: p.sizeBytes, say, signal });
    fs.renameSync(partialFile, file);
    say(`received ${stats.received} bytes${stats.resumes ? ` (resumed ${stats.resumes} time(s))` : ''}; SHA-256 verified; cached as ${file}`);
    this.prune(p.sha256);
    return { file, received: stats.received };
  }

  /** Removes least recently used packages beyond the limits (never `keep`), and stale partial files. */
  prune(keep?: string): void {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch {
      return;
    }
    const now = Date.now();
    const files = [];
    for (const name of names) {
      const full = path.join(this.dir, name);
      const st = fs.statSync(full, { throwIfNoEntry: false });
      if (!st?.isFile()) continue;
      if (name.endsWith(PARTIAL)) {
        if (now - st.mtimeMs > STALE_PARTIAL_MS && !this.inFlight.has(name.slice(0, -PARTIAL.length))) fs.rmSync(full, { force: true });
      } else if (HASH.test(name)) files.push({ name, full, size: st.size, used: st.mtimeMs });
    }
    files.sort((a, b) => (a.name === keep ? -1 : b.name === keep ? 1 : b.used - a.used));
    let count = 0;
    let bytes = 0;
    for (const f of files) {
      count++;
      bytes += f.size;
      if (f.name !== keep && (count > this.limits.maxPackages || bytes > this.limits.maxBytes)) {
        fs.rmSync(f.full, { force: true });
        count--;
        bytes -= f.size;
      }
    }
  }
}
