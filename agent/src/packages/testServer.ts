import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OpenAt } from './download.js';

/**
 * A real HTTP server for the download tests: serves `bytes` with `Range`, and can cut the
 * connection after `cutAfter` bytes of a response (the first `cuts` responses) or flip one
 * byte of the body (`corrupt` responses), or send `stallAfter` bytes and then nothing. Counts what it sent.
 */
export async function packageServer(bytes: Buffer, o: { cutAfter?: number; cuts?: number; corrupt?: number; ignoreRange?: boolean; stallAfter?: number } = {}) {
  let cuts = o.cuts ?? 0;
  let corrupt = o.corrupt ?? 0;
  const seen = { requests: 0, ranges: [] as (string | undefined)[], bytesSent: 0 };
  const server = http.createServer((req, res) => {
    seen.requests++;
    seen.ranges.push(req.headers.range);
    const m = o.ignoreRange ? null : /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = m ? Number(m[1]) : 0;
    let body = bytes.subarray(start);
    if (corrupt > 0) {
      corrupt--;
      body = Buffer.from(body);
      body[body.length >> 1] = body[body.length >> 1]! ^ 0xff;
    }
    res.writeHead(m ? 206 : 200, { 'content-length': body.length, ...(m ? { 'content-range': `bytes ${start}-${bytes.length - 1}/${bytes.length}` } : {}) });
    if (o.stallAfter !== undefined) {
      // Sends the first bytes, then nothing more, never ending the response.
      res.write(body.subarray(0, o.stallAfter));
      seen.bytesSent += o.stallAfter;
      return;
    }
    if (cuts > 0 && o.cutAfter !== undefined && body.length > o.cutAfter) {
      cuts--;
      res.write(body.subarray(0, o.cutAfter), () => {
        seen.bytesSent += o.cutAfter!;
        res.socket?.destroy();
      });
      return;
    }
    seen.bytesSent += body.length;
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/package`;
  const open: OpenAt = (offset, signal) =>
    new Promise((resolve, reject) => {
      const req = http.get(url, { headers: offset > 0 ? { range: `bytes=${offset}-` } : {}, agent: false, ...(signal ? { signal } : {}) }, (res) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res }));
      req.on('error', reject);
    });
  return { open, seen, sha256: crypto.createHash('sha256').update(bytes).digest('hex'), close: () => new Promise<void>((r) => (server.close(() => r()), server.closeAllConnections())) };
}
