import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { Readable } from 'node:stream';

/**
 * Deterministic bytes of any length, generated as they are read (never stored), with
 * their SHA-256 computed on the way. The pattern varies per 64 KiB block, so a byte
 * out of place changes the hash.
 */
export class PatternStream extends Readable {
  private sent = 0;
  readonly hash = crypto.createHash('sha256');
  private readonly block: Buffer;

  constructor(
    readonly total: number,
    seed = 1,
    private readonly chunk = 1024 * 1024,
  ) {
    super({ highWaterMark: chunk });
    this.block = crypto.createHash('sha512').update(String(seed)).digest();
  }

  get bytesSent(): number {
    return this.sent;
  }

  override _read(): void {
    if (this.sent >= this.total) {
      this.push(null);
      return;
    }
    const n = Math.min(this.chunk, this.total - this.sent);
    const buf = Buffer.allocUnsafe(n);
    for (let off = 0; off < n; off += this.block.length) this.block.copy(buf, off, 0, Math.min(this.block.length, n - off));
    // Stamp the offset so each chunk differs.
    buf.writeUInt32BE((this.sent / this.chunk) >>> 0, 0);
    this.sent += n;
    this.hash.update(buf);
    this.push(buf);
  }
}

export interface UploadResult {
  status: number;
  body: any;
  node: string | null;
  ms: number;
}

/**
 * POSTs a multipart upload with chunked transfer encoding (no Content-Length: the proxy
 * cannot know the size in advance). `abortAfter` bytes: destroy the socket there.
 * `credentials`: an API key, or the headers to send instead (a session cookie and its CSRF header).
 */
export function multipartUpload(
  url: string,
  credentials: string | Record<string, string>,
  fileName: string,
  source: Readable,
  o: { abortAfter?: number; onAborted?: () => void } = {},
): Promise<UploadResult> {
  const boundary = `----shoaltest${crypto.randomBytes(8).toString('hex')}`;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: 'POST',
      headers: {
        ...(typeof credentials === 'string' ? { 'x-api-key': credentials } : credentials),
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'transfer-encoding': 'chunked',
      },
    });
    let sent = 0;
    let aborted = false;
    req.on('error', (err) => {
      if (aborted) resolve({ status: 0, body: null, node: null, ms: Date.now() - started });
      else reject(err);
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let body: any = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON
        }
        resolve({ status: res.statusCode ?? 0, body, node: (res.headers['x-shoal-node'] as string) ?? null, ms: Date.now() - started });
      });
    });
    req.write(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${fileName}"\r\ncontent-type: application/octet-stream\r\n\r\n`);
    source.on('data', (chunk: Buffer) => {
      if (aborted) return;
      sent += chunk.length;
      if (o.abortAfter !== undefined && sent >= o.abortAfter) {
        aborted = true;
        source.destroy();
        req.destroy();
        o.onAborted?.();
        return;
      }
      if (!req.write(chunk)) {
        source.pause();
        req.once('drain', () => source.resume());
      }
    });
    source.on('end', () => req.end(`\r\n--${boundary}--\r\n`));
  });
}

/** Resident set size of a process, in bytes (Linux). */
export function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** Samples RSS of each pid every `ms` until stopped; reports the peak per pid. */
export function sampleRss(pids: number[], ms = 100): { stop(): Map<number, number> } {
  const peak = new Map(pids.map((p) => [p, rssOf(p)]));
  const timer = setInterval(() => {
    for (const p of pids) {
      try {
        peak.set(p, Math.max(peak.get(p)!, rssOf(p)));
      } catch {
        // exited
      }
    }
  }, ms);
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}

export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = crypto.createHash('sha256');
    fs.createReadStream(file, { highWaterMark: 1024 * 1024 })
      .on('data', (c) => h.update(c))
      .on('end', () => resolve(h.digest('hex')))
      .on('error', reject);
  });
}
