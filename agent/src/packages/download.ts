import crypto from 'node:crypto';
import fs from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { finished, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { messageOfErrorText } from '../comms.js';

/** One answer to a (ranged) GET of the package: its status, headers and the body as a stream. */
export interface RangeAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Readable;
}

/** GETs the package from byte `offset` on (`Range: bytes=offset-` when offset > 0); `signal` ends the request. */
export type OpenAt = (offset: number, signal?: AbortSignal) => Promise<RangeAnswer>;

/**
 * The write buffer of a download's file. With the default 16 KiB every TLS record fills it, so
 * the socket is paused and resumed for each one: ten parallel 100 MiB downloads on 2 cores took
 * twice the CPU and 1.7× the time they take with 1 MiB.
 */
export const DOWNLOAD_WRITE_BUFFER = 1024 * 1024;

/** The bytes arrived whole but are not the package: refused, never used. */
export class HashMismatchError extends Error {}

/** The cluster refused the download for good (403, 404): retrying would not help. */
export class DownloadRefusedError extends Error {}

export interface DownloadOptions {
  open: OpenAt;
  /** Where the bytes go; a file left there by a broken transfer is resumed. */
  partialFile: string;
  sha256: string;
  size: number;
  say(line: string): void;
  /** Failed attempts in a row that move no byte before giving up (default 5). */
  maxStalls?: number;
  /** Whole transfers refused for a wrong hash before giving up (default 2). */
  maxMismatches?: number;
  retryDelayMs?: number;
  /** Ends the download at once (the work was canceled): rejects with the signal's reason, the partial file kept for a later resume. */
  signal?: AbortSignal;
}

export interface DownloadStats {
  /** Bytes received over the network, all attempts together. */
  received: number;
  /** Attempts that asked for a range (resumed a broken transfer). */
  resumes: number;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
const sizeOf = (file: string) => {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
};

/** SHA-256 of a file, read as a stream. */
export async function sha256OfFile(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  await pipeline(fs.createReadStream(file), hash);
  return hash.digest('hex');
}

/** Where a 206 answer starts, from its `Content-Range: bytes START-END/SIZE`. */
const rangeStart = (h: IncomingHttpHeaders): number | null => {
  const m = /^bytes (\d+)-\d+\/\d+$/.exec(String(h['content-range'] ?? ''));
  return m ? Number(m[1]) : null;
};

/** The size of the whole file the server has: `Content-Range: …/SIZE`, else a 200's length. */
const totalSize = (status: number, h: IncomingHttpHeaders): number | null => {
  const m = /\/(\d+)$/.exec(String(h['content-range'] ?? ''));
  if (m) return Number(m[1]);
  return status === 200 && h['content-length'] !== undefined ? Number(h['content-length']) : null;
};

async function bodyText(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c as Buffer);
  return messageOfErrorText(Buffer.concat(chunks).toString('utf8'));
}

/**
 * Writes `body` to `file` through a buffer of DOWNLOAD_WRITE_BUFFER, counting each chunk (beside
 * the pipe: an async generator stage per chunk cost a fifth of the download's CPU). When the
 * body breaks or `signal` aborts, what arrived is still written before the error is thrown, so a
 * resume asks only for bytes that never came. Settles once the file is closed.
 */
function saveBody(body: Readable, file: string, append: boolean, count: (bytes: number) => void, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) {
    body.destroy();
    return Promise.reject(signal.reason);
  }
  const out = fs.createWriteStream(file, { flags: append ? 'a' : 'w', highWaterMark: DOWNLOAD_WRITE_BUFFER });
  return new Promise((resolve, reject) => {
    let failure: { error: unknown } | undefined;
    const stop = (error: unknown) => {
      if (failure) return;
      failure = { error: error ?? new Error('the transfer was cut') };
      body.unpipe(out);
      body.destroy();
      out.end();
    };
    const onAbort = () => stop(signal!.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    body.on('data', (c: Buffer) => count(c.length));
    finished(body, (err) => err && stop(err));
    out.once('error', (err) => {
      failure ??= { error: err };
      body.destroy();
    });
    // 'close' comes after 'finish' or an error, with the file closed (it is renamed next).
    out.once('close', () => {
      signal?.removeEventListener('abort', onAbort);
      if (failure) reject(failure.error);
      else resolve();
    });
    body.pipe(out);
  });
}

/**
 * Downloads a package into `partialFile`, streaming to disk (never whole in memory). A transfer
 * that breaks resumes where the file ends with `Range`; a server that ignores the range (200)
 * starts it over. Once all bytes are there, the file's SHA-256 must be the expected one: a
 * mismatch deletes it and downloads again, and throws HashMismatchError when it keeps happening.
 */
export async function downloadVerified(o: DownloadOptions): Promise<DownloadStats> {
  const maxStalls = o.maxStalls ?? 5;
  const maxMismatches = o.maxMismatches ?? 2;
  const stats: DownloadStats = { received: 0, resumes: 0 };
  let stalls = 0;
  let mismatches = 0;
  for (;;) {
    o.signal?.throwIfAborted();
    let offset = sizeOf(o.partialFile);
    if (offset > o.size) {
      fs.rmSync(o.partialFile, { force: true });
      offset = 0;
    }
    if (offset < o.size) {
      /** Where this attempt's bytes start in the file: progress is the file growing past it (bytes that arrive but cannot be written, on a full disk, are none). */
      let writtenFrom = offset;
      try {
        const a = await o.open(offset, o.signal);
        if (a.status === 403 || a.status === 404 || a.status === 400) throw new DownloadRefusedError(`the cluster refused the download (HTTP ${a.status}): ${await bodyText(a.body)}`);
        const total = totalSize(a.status, a.headers);
        if (total !== null && total !== o.size) {
          a.body.resume();
          throw new DownloadRefusedError(`the cluster's file is ${total} bytes, not the package's ${o.size}: refused`);
        }
        if (a.status === 416) {
          // The partial file is not a prefix the server can continue: start over.
          a.body.resume();
          fs.rmSync(o.partialFile, { force: true });
          throw new Error(`the server cannot resume at byte ${offset} (HTTP 416)`);
        }
        const resumed = a.status === 206 && rangeStart(a.headers) === offset;
        if (!resumed && a.status !== 200) throw new Error(`HTTP ${a.status}: ${await bodyText(a.body)}`);
        if (offset > 0) {
          if (resumed) stats.resumes++;
          o.say(resumed ? `resuming the transfer at byte ${offset} of ${o.size}` : `the server sent the whole file again; starting over`);
        }
        if (!resumed) writtenFrom = 0;
        await saveBody(a.body, o.partialFile, resumed, (bytes) => (stats.received += bytes), o.signal);
        if (sizeOf(o.partialFile) < o.size) throw new Error(`the transfer ended after ${sizeOf(o.partialFile)} of ${o.size} bytes`);
      } catch (err) {
        if (err instanceof DownloadRefusedError) throw err;
        o.signal?.throwIfAborted();
        stalls = sizeOf(o.partialFile) > writtenFrom ? 0 : stalls + 1;
        if (stalls >= maxStalls) throw new Error(`the package download failed ${stalls} times in a row without progress: ${(err as Error).message}`);
        o.say(`the transfer broke (${(err as Error).message}); retrying`);
        await sleep((o.retryDelayMs ?? 1000) * Math.max(1, stalls), o.signal);
        continue;
      }
    }
    const got = await sha256OfFile(o.partialFile);
    if (got === o.sha256) return stats;
    fs.rmSync(o.partialFile, { force: true });
    mismatches++;
    const why = `the downloaded file's SHA-256 is ${got}, not the package's ${o.sha256}: refused`;
    if (mismatches >= maxMismatches) throw new HashMismatchError(`${why} (${mismatches} times; giving up)`);
    o.say(`${why}; downloading it again`);
  }
}
